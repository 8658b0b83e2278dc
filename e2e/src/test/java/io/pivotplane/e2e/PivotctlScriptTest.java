package io.pivotplane.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The README's {@code bin/pivotctl generate cluster}, as a user runs it: a script, offline, no stack running. */
class PivotctlScriptTest {

    private static final Path PROJECT = Path.of(System.getProperty("pivotplane.project-dir", "..")).toAbsolutePath().normalize();

    record Result(int exitCode, String out, String err) {
    }

    @ParameterizedTest
    @ValueSource(strings = {"aws", "gcp", "azure", "vsphere", "maas"})
    void generatesTheExampleOfEachInfrastructureInBothPhases(String provider) throws Exception {
        Result management = run("generate", "cluster", "-f", "examples/" + provider + ".yaml");
        Result full = run("generate", "cluster", "-f", "examples/" + provider + ".yaml", "--phase", "full");

        assertThat(management.exitCode()).as(management.err()).isZero();
        assertThat(full.exitCode()).as(full.err()).isZero();
        assertThat(management.out()).startsWith("---\napiVersion: cluster.x-k8s.io/v1beta1\nkind: Cluster\n")
                .doesNotContain("kind: MachineDeployment");
        assertThat(full.out()).contains("kind: MachineDeployment");
    }

    @Test
    void aBadRequestExitsNonZeroWithTheReasonOnStderr() throws Exception {
        Result result = run("generate", "cluster", "-f", "examples/does-not-exist.yaml");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.out()).isEmpty();
        assertThat(result.err()).contains("error: examples/does-not-exist.yaml: no such file");
    }

    private static Result run(String... args) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(concat("bin/pivotctl", args)).directory(PROJECT.toFile()).start();
        process.getOutputStream().close();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();
        return new Result(process.exitValue(), out, err);
    }

    private static List<String> concat(String first, String... rest) {
        return java.util.stream.Stream.concat(java.util.stream.Stream.of(first), java.util.Arrays.stream(rest)).toList();
    }
}
