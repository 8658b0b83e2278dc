package io.pivotplane.capi;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The upstream CRDs of Cluster API v1.9 and the five infrastructure providers, copied into this module (see
 * the NOTICE beside them). Every Kubernetes API server of the local stack and the tests is loaded with them.
 */
public final class CapiCrds {

    private static final String DIRECTORY = "/io/pivotplane/capi/crds/";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private static volatile List<CustomResourceDefinition> all;

    /** A kind as the API server stores it: the storage version of its CRD. */
    public record StoredKind(String group, String version, String kind, String plural, boolean namespaced) {

        public String apiVersion() {
            return group + "/" + version;
        }
    }

    private CapiCrds() {
    }

    public static List<CustomResourceDefinition> all() {
        if (all == null) {
            all = index().stream().map(CapiCrds::read).toList();
        }
        return all;
    }

    public static List<StoredKind> storedKinds() {
        return all().stream().map(crd -> new StoredKind(crd.getSpec().getGroup(), storageVersion(crd).getName(),
                crd.getSpec().getNames().getKind(), crd.getSpec().getNames().getPlural(),
                "Namespaced".equals(crd.getSpec().getScope()))).toList();
    }

    public static CustomResourceDefinitionVersion storageVersion(CustomResourceDefinition crd) {
        return crd.getSpec().getVersions().stream().filter(CustomResourceDefinitionVersion::getStorage).findFirst()
                .orElseThrow(() -> new IllegalStateException(crd.getMetadata().getName() + " has no storage version"));
    }

    private static List<String> index() {
        try (InputStream in = resource("index.txt");
             BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            return reader.lines().map(String::strip).filter(line -> !line.isEmpty()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static CustomResourceDefinition read(String file) {
        try (InputStream in = resource(file)) {
            return YAML.readValue(in, CustomResourceDefinition.class);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read CRD " + file, e);
        }
    }

    private static InputStream resource(String name) {
        InputStream in = CapiCrds.class.getResourceAsStream(DIRECTORY + name);
        if (in == null) {
            throw new IllegalStateException("missing resource " + DIRECTORY + name);
        }
        return in;
    }
}
