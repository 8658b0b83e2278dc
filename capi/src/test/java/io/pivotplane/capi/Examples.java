package io.pivotplane.capi;

import io.pivotplane.capi.request.ClusterRequestDocument;
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

    /** The example as a REST body that a test may change: every map and list in it is a fresh mutable copy. */
    public static Map<String, Object> body(String provider) {
        return ClusterRequestDocument.body(yaml(provider));
    }

    public static ClusterSpec spec(String provider) {
        return new ClusterRequestValidator().validate(ClusterRequestDocument.read(yaml(provider)));
    }
}
