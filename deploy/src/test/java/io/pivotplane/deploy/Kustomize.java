package io.pivotplane.deploy;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Renders a Kustomize directory with {@code kubectl kustomize}, the way a user applies it: the kustomize built into
 * kubectl (Debian's kubernetes-client has kustomize 2.0.3, current kubectl 5.x; deploy/ is written for both).
 */
public final class Kustomize {

    private Kustomize() {
    }

    /** The kubectl to use: {@code -Dpivotplane.kubectl}, or the first on the PATH. */
    public static Optional<Path> kubectl() {
        String configured = System.getProperty("pivotplane.kubectl");
        if (configured != null && !configured.isBlank()) {
            return Optional.of(Path.of(configured));
        }
        return Arrays.stream(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .filter(dir -> !dir.isBlank())
                .map(dir -> Path.of(dir, "kubectl"))
                .filter(Files::isExecutable)
                .findFirst();
    }

    /**
     * Skips the calling test where there is no kubectl, unless {@code -Dpivotplane.require-kubectl=true} asks for a
     * failure instead (the render then fails, saying so).
     */
    public static void assumeAvailable() {
        Assumptions.assumeTrue(kubectl().isPresent() || Boolean.getBoolean("pivotplane.require-kubectl"),
                "no kubectl to render deploy/overlays (bin/install-kubectl, which the build runs, installs it where"
                        + " it can)");
    }

    /** The rendered multi-document YAML. */
    public static String render(Path directory) throws IOException, InterruptedException {
        Path kubectl = kubectl().orElseThrow(() -> new IllegalStateException(
                "no kubectl on the PATH (bin/install-kubectl installs Debian's kubernetes-client)"));
        Path errors = Files.createTempFile("kustomize", ".err");
        try {
            Process process = new ProcessBuilder(kubectl.toString(), "kustomize", directory.toString())
                    .redirectError(errors.toFile())
                    .start();
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(2, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new IllegalStateException("kubectl kustomize " + directory + " did not finish in 2 minutes");
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException("kubectl kustomize " + directory + " failed: "
                        + Files.readString(errors));
            }
            return new String(output, StandardCharsets.UTF_8);
        } finally {
            Files.deleteIfExists(errors);
        }
    }
}
