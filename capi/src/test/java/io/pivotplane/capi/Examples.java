package io.pivotplane.capi;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.pivotplane.capi.request.ClusterProfileInput;
import io.pivotplane.capi.request.ClusterRequestDocument;
import io.pivotplane.capi.request.ClusterRequestInput;
import io.pivotplane.capi.request.ProfileResolution;
import io.pivotplane.capi.request.ClusterRequestValidator;
import io.pivotplane.events.model.ClusterSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** The example requests under the project's {@code examples/}, one per infrastructure, as the tests' inputs. */
public final class Examples {

    public static final List<String> PROVIDERS = List.of("aws", "gcp", "azure", "vsphere", "maas");
    private static final ObjectMapper JSON = new ObjectMapper();

    private Examples() {
    }

    /** For {@code @MethodSource}. */
    public static List<String> providers() {
        return PROVIDERS;
    }

    public static Path directory() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isRegularFile(dir.resolve("examples/aws.yaml"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("no examples/ directory above " + Path.of("").toAbsolutePath());
        }
        return dir.resolve("examples");
    }

    public static String yaml(String provider) {
        try {
            return Files.readString(directory().resolve(provider + ".yaml"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The example as a REST body that a test may change: every map and list in it is a fresh mutable copy. The stored
     * profile it names ({@code examples/profiles/}) is resolved into its add-ons, as request-service does.
     */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> body(String provider) {
        Map<String, Object> body = ClusterRequestDocument.body(yaml(provider));
        ClusterRequestInput input = ClusterRequestDocument.input(body);
        if (input.profile() != null && input.profile().refersToStoredProfile()) {
            ClusterRequestInput resolved = ProfileResolution.resolve(input,
                    storedProfile(input.profile().name(), input.profile().version()));
            body.put("profile", JSON.convertValue(resolved.profile(), Map.class));
        }
        return body;
    }

    /** A stored profile of {@code examples/profiles/}, as its file has it. */
    public static ClusterProfileInput storedProfile(String name, String version) {
        try {
            return ClusterRequestDocument.profileInput(ClusterRequestDocument.profileBody(Files.readString(
                    directory().resolve("profiles").resolve(name + "-" + version + ".yaml"))));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static ClusterSpec spec(String provider) {
        return new ClusterRequestValidator().validate(ClusterRequestDocument.input(body(provider)));
    }
}
