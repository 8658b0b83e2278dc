package io.pivotplane.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The README's {@code bin/pivotctl generate cluster}, as a user runs it: a script, offline, no stack running. */
class PivotctlScriptTest {

    @ParameterizedTest
    @ValueSource(strings = {"aws", "gcp", "azure", "vsphere", "maas"})
    void generatesTheExampleOfEachInfrastructureInBothPhases(String provider) throws Exception {
        PivotctlProcess.Result management = run("generate", "cluster", "-f", "examples/" + provider + ".yaml");
        PivotctlProcess.Result full = run("generate", "cluster", "-f", "examples/" + provider + ".yaml", "--phase", "full");

        assertThat(management.exitCode()).as(management.err()).isZero();
        assertThat(full.exitCode()).as(full.err()).isZero();
        assertThat(management.out()).startsWith("---\napiVersion: cluster.x-k8s.io/v1beta1\nkind: Cluster\n")
                .doesNotContain("kind: MachineDeployment");
        assertThat(full.out()).contains("kind: MachineDeployment");
    }

    @Test
    void aBadRequestExitsNonZeroWithTheReasonOnStderr() throws Exception {
        PivotctlProcess.Result result = run("generate", "cluster", "-f", "examples/does-not-exist.yaml");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.out()).isEmpty();
        assertThat(result.err()).contains("error: examples/does-not-exist.yaml: no such file");
    }

    private static PivotctlProcess.Result run(String... args) throws IOException, InterruptedException {
        return PivotctlProcess.run(Map.of(), args);
    }
}
