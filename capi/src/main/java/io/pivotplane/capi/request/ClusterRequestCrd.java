package io.pivotplane.capi.request;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * pivotplane's own API: the {@code ClusterRequest} custom resource ({@code pivotplane.io/v1alpha1}), whose spec is
 * the REST request's body, with a status subresource and printer columns for its provider and stage.
 */
public final class ClusterRequestCrd {

    public static final String GROUP = "pivotplane.io";
    public static final String VERSION = "v1alpha1";
    public static final String API_VERSION = GROUP + "/" + VERSION;
    public static final String KIND = ClusterRequestDocument.KIND;
    public static final String PLURAL = "clusterrequests";
    /** The stage a refused request shows in its status; the API would have answered 400. */
    public static final String STAGE_INVALID = "Invalid";
    /** The {@code ClusterProfile} resource (cluster-scoped): a stored profile's versions, one spec at a time. */
    public static final String PROFILE_KIND = ClusterRequestDocument.PROFILE_KIND;
    public static final String PROFILE_PLURAL = "clusterprofiles";

    private static final String RESOURCE = "pivotplane.io_clusterrequests.yaml";
    private static final String PROFILE_RESOURCE = "pivotplane.io_clusterprofiles.yaml";
    private static final Map<String, CustomResourceDefinition> DEFINITIONS = new ConcurrentHashMap<>();

    private ClusterRequestCrd() {
    }

    public static CustomResourceDefinition definition() {
        return read(RESOURCE);
    }

    public static CustomResourceDefinition profileDefinition() {
        return read(PROFILE_RESOURCE);
    }

    /** pivotplane's own CRDs, as a management cluster has them. */
    public static List<CustomResourceDefinition> all() {
        return List.of(definition(), profileDefinition());
    }

    private static CustomResourceDefinition read(String resource) {
        return DEFINITIONS.computeIfAbsent(resource, name -> {
            try (InputStream in = ClusterRequestCrd.class.getResourceAsStream(name)) {
                return new ObjectMapper(new YAMLFactory()).readValue(in, CustomResourceDefinition.class);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + name, e);
            }
        });
    }
}
