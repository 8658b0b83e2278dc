package io.pivotplane.addon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pivotplane.addon.service.AddonService;
import io.pivotplane.devstack.infra.EmbeddedKafkaBroker;
import io.pivotplane.devstack.testing.InjectInfrastructure;
import io.pivotplane.devstack.testing.KafkaAndPostgresResource;
import io.pivotplane.devstack.testing.TestClusters;
import io.pivotplane.devstack.testing.TopicReader;
import io.pivotplane.devstack.testing.TopicWriter;
import io.pivotplane.events.AgentCommand;
import io.pivotplane.events.AgentReport;
import io.pivotplane.events.ClusterEvent;
import io.pivotplane.events.ClusterRequested;
import io.pivotplane.events.EventEnvelope;
import io.pivotplane.events.Pivoted;
import io.pivotplane.events.ProvisioningFailed;
import io.pivotplane.events.Stage;
import io.pivotplane.events.Topics;
import io.pivotplane.events.model.Addon;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** A command no agent answers is given up on after the command timeout, as a failed attempt. */
@QuarkusTest
@TestProfile(AddonCommandDeadlineTest.ShortDeadline.class)
@WithTestResource(value = KafkaAndPostgresResource.class,
        initArgs = @ResourceArg(name = KafkaAndPostgresResource.DATABASE_ARG, value = "addons-deadline"))
class AddonCommandDeadlineTest {

    /** Two attempts of two seconds each, looked at every 200 ms. */
    public static class ShortDeadline implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("pivotplane.addons.command-timeout", "2s", "pivotplane.addons.sweep-interval", "200ms");
        }
    }

    @InjectInfrastructure
    EmbeddedKafkaBroker kafka;

    @Test
    void aCommandNobodyAnswersIsSentAgainThenTheClusterFailsSayingNoAgentAnswered() {
        String clusterId = UUID.randomUUID().toString();
        publish(new ClusterRequested(clusterId, TestClusters.vsphere("team-addons", "silent", 1, 0, List.of(
                new Addon("vsphere-csi", "csi", "3.3", List.of("kind: DaemonSet")))), Instant.now()));
        publish(new Pivoted(clusterId, "http://127.0.0.1:1/", List.of(), Instant.now()));
        publish(new AgentReport(clusterId, AgentReport.Kind.SCALED, Instant.now(), null, List.of(), null, null,
                List.of()));

        await().atMost(Duration.ofSeconds(30)).until(() -> !events(Topics.CLUSTER_FAILED, clusterId).isEmpty());
        ProvisioningFailed failed = (ProvisioningFailed) events(Topics.CLUSTER_FAILED, clusterId).get(0);
        assertThat(failed.stage()).isEqualTo(Stage.ADDONS_INSTALLED);
        assertThat(failed.reason()).isEqualTo(AddonService.REASON_COMMAND_UNANSWERED);
        assertThat(failed.message()).contains("'vsphere-csi'", "did not answer");
        List<AgentCommand> commands = events(Topics.AGENT_COMMANDS, clusterId).stream()
                .map(AgentCommand.class::cast).toList();
        assertThat(commands).hasSize(2).extracting(AgentCommand::commandId).doesNotHaveDuplicates();
        assertThat(events(Topics.CLUSTER_ADDONS_INSTALLED, clusterId)).isEmpty();
    }

    private void publish(ClusterEvent payload) {
        TopicWriter.send(kafka.bootstrapServers(), EventEnvelope.create(URI.create("/pivotplane/test"),
                "corr-" + payload.clusterId(), payload));
    }

    private List<ClusterEvent> events(String topic, String clusterId) {
        return TopicReader.payloads(kafka.bootstrapServers(), topic, clusterId);
    }
}
