package io.pivotplane.agent.install;

import static org.assertj.core.api.Assertions.assertThat;

import io.pivotplane.agent.AgentConfig;
import io.pivotplane.capi.Manifests;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/**
 * {@code deploy/agent/pivotplane-agent.yaml} is what pivot-service installs into every workload cluster, rendered
 * by the one definition in {@link AgentManifests} for an example cluster, so that it can be reviewed. It must not
 * drift from the code: run this test with {@code -Dpivotplane.update-manifests=true} to write it again.
 */
class AgentManifestsFileTest {

    static final String HEADER = """
            # The agent's manifests as pivot-service installs them into a workload cluster, rendered from
            # agent/src/main/java/io/pivotplane/agent/install/AgentManifests.java for an example cluster (for review;
            # pivot-service fills in each cluster's own values). They start on the host's network; once the cluster's network
            # plugin runs, the Deployment moves to the pod network. AgentManifestsFileTest keeps it in step with the code.
            """;

    @Test
    void theReviewedManifestsAreWhatTheCodeRenders() throws IOException {
        AgentConfig example = new AgentConfig("2b4c1f7e-0c5e-4c1a-9d55-8f6f1c3f0a11", "edge-aws", "team-a",
                "kafka-kafka-bootstrap.pivotplane.svc:9092", Duration.ofSeconds(10),
                Base64.getEncoder().encodeToString("an example agent key, no real one".getBytes(StandardCharsets.UTF_8)),
                new AgentConfig.KafkaAccount("SASL_PLAINTEXT", "agent-2b4c1f7e-0c5e-4c1a-9d55-8f6f1c3f0a11",
                        "an-example-password-no-real-one"));
        String rendered = HEADER + Manifests.yamlStream(AgentManifests.render(example, AgentManifests.DEFAULT_IMAGE,
                AgentManifests.Network.HOST));
        Path file = projectDir().resolve("deploy/agent/pivotplane-agent.yaml");
        if (Boolean.getBoolean("pivotplane.update-manifests")) {
            Files.writeString(file, rendered);
        }

        assertThat(file).as("run with -Dpivotplane.update-manifests=true after changing AgentManifests").exists();
        assertThat(Files.readString(file)).isEqualTo(rendered);
    }

    private static Path projectDir() {
        Path dir = Path.of("").toAbsolutePath();
        while (!Files.isDirectory(dir.resolve("deploy"))) {
            dir = dir.getParent();
        }
        return dir;
    }
}
