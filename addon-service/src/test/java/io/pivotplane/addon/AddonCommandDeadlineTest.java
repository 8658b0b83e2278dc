package io.pivotplane.addon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pivotplane.addon.service.AddonService;
import io.pivotplane.addon.service.SpecChangeRelay;
import io.pivotplane.devstack.infra.EmbeddedKafkaBroker;
import io.pivotplane.devstack.testing.InjectInfrastructure;
import io.pivotplane.devstack.testing.KafkaAndPostgresResource;
import io.pivotplane.devstack.testing.TestClusters;
import io.pivotplane.devstack.testing.TopicReader;
import io.pivotplane.events.AgentCommand;
import io.pivotplane.events.AgentReport;
import io.pivotplane.events.AgentVersions;
import io.pivotplane.events.ClusterChangeRequested;
import io.pivotplane.events.ClusterChanged;
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
import io.agroal.api.AgroalDataSource;
import io.pivotplane.events.model.AddonResult;
import io.pivotplane.kit.messaging.DeadLetters;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * A command no agent answers is given up on after the command timeout, as a failed attempt; a plan whose cluster
 * was never requested is removed after the profile wait.
 */
@QuarkusTest
@TestProfile(AddonCommandDeadlineTest.ShortDeadline.class)
@WithTestResource(value = KafkaAndPostgresResource.class,
        initArgs = {@ResourceArg(name = KafkaAndPostgresResource.DATABASE_ARG, value = "addons-deadline"),
                @ResourceArg(name = KafkaAndPostgresResource.PRINCIPAL_ARG, value = "addon-service")})
class AddonCommandDeadlineTest {

    /** Two attempts of two seconds each, a request awaited two seconds, a change 3 s, looked at every 200 ms. */
    public static class ShortDeadline implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("pivotplane.addons.command-timeout", "2s", "pivotplane.addons.profile-wait", "2s",
                    "pivotplane.addons.change-timeout", "3s", "pivotplane.addons.sweep-interval", "200ms");
        }
    }

    @InjectInfrastructure
    EmbeddedKafkaBroker kafka;
    @ConfigProperty(name = "pivotplane.agent-keys.secret")
    String planeSecret;

    @Inject
    AgroalDataSource dataSource;

    @Test
    void aCommandNobodyAnswersIsSentAgainThenTheClusterFailsSayingNoAgentAnswered() {
        String clusterId = UUID.randomUUID().toString();
        publish(new ClusterRequested(clusterId, TestClusters.vsphere("team-addons", "silent", 1, 0, List.of(
                // the agent answers after the add-on's ready timeout at the latest: the deadline counts from there
                new Addon("vsphere-csi", "csi", "3.3", List.of("kind: DaemonSet"), null, 0, List.of(), false, 1))),
                Instant.now()));
        publish(new Pivoted(clusterId, "http://127.0.0.1:1/", List.of(), Instant.now()));
        publish(new AgentReport(clusterId, AgentReport.Kind.SCALED, Instant.now(), null, List.of(), null, null,
                List.of()));

        await().atMost(Duration.ofSeconds(30)).until(() -> !events(Topics.CLUSTER_FAILED, clusterId).isEmpty());
        ProvisioningFailed failed = (ProvisioningFailed) events(Topics.CLUSTER_FAILED, clusterId).get(0);
        assertThat(failed.stage()).isEqualTo(Stage.ADDONS_INSTALLED);
        assertThat(failed.reason()).isEqualTo(AddonService.REASON_COMMAND_UNANSWERED);
        assertThat(failed.message()).contains("'vsphere-csi'", "did not answer");
        List<AgentCommand> commands = events(Topics.agentCommands(clusterId), clusterId).stream()
                .map(AgentCommand.class::cast).toList();
        assertThat(commands).hasSize(2).extracting(AgentCommand::commandId).doesNotHaveDuplicates();
        assertThat(events(Topics.CLUSTER_ADDONS_INSTALLED, clusterId)).isEmpty();
    }

    @Test
    void aChangeNoAgentAnswersEndsFailedSayingSoAndItsLateAnswerChangesNothing() {
        String clusterId = UUID.randomUUID().toString();
        publish(new ClusterRequested(clusterId, TestClusters.vsphere("team-addons", "unanswered", 1, 0, List.of()),
                Instant.now()));
        publish(new Pivoted(clusterId, "http://127.0.0.1:1/", List.of(), Instant.now()));
        // an agent the plane drives, running (its version known before the change comes, on another topic)
        publish(new AgentReport(clusterId, AgentReport.Kind.SCALED, Instant.now(), null, List.of(), null, null,
                List.of()).fromAgent(AgentVersions.current()));
        await().atMost(Duration.ofSeconds(30)).until(() -> !events(Topics.CLUSTER_AGENT_VERSIONS, clusterId).isEmpty());
        publish(new ClusterChangeRequested(clusterId, 1, TestClusters.vsphere("team-addons", "unanswered", 1, 2,
                List.of()), "pool default: 0 → 2 machines", Instant.now()));

        await().atMost(Duration.ofSeconds(30)).until(() -> !events(Topics.CLUSTER_CHANGED, clusterId).isEmpty());
        ClusterChanged changed = (ClusterChanged) events(Topics.CLUSTER_CHANGED, clusterId).get(0);
        assertThat(changed.generation()).isEqualTo(1);
        assertThat(changed.outcome()).isEqualTo(ClusterChanged.Outcome.FAILED);
        assertThat(changed.message()).startsWith(SpecChangeRelay.REASON_UNANSWERED);

        AgentCommand sent = (AgentCommand) events(Topics.agentCommands(clusterId), clusterId).get(0);
        EventEnvelope<?> late = publish(new AgentReport(clusterId, AgentReport.Kind.CHANGE_APPLIED, Instant.now(),
                null, List.of(), sent.commandId(), null, List.of()).fromAgent(AgentVersions.current()));
        await().atMost(Duration.ofSeconds(30)).until(() -> handled(late));
        assertThat(events(Topics.CLUSTER_CHANGED, clusterId)).hasSize(1);
    }

    @Test
    void eventsOfAClusterNeverRequestedLeaveNoPlanAndAResultOfNoCommandIsDeadLettered() throws Exception {
        String pivotedOnly = UUID.randomUUID().toString();
        String resultOnly = UUID.randomUUID().toString();
        EventEnvelope<?> pivot = publish(new Pivoted(pivotedOnly, "http://127.0.0.1:1/", List.of(), Instant.now()));
        publish(new AgentReport(resultOnly, AgentReport.Kind.ADDON_RESULT, Instant.now(), null, List.of(),
                UUID.randomUUID().toString(), new AddonResult("calico", AddonResult.State.INSTALLED, "applied"),
                List.of()));

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                TopicReader.readRaw(kafka.bootstrapServers(), Topics.deadLetter(Topics.AGENT_REPORTS)))
                .filteredOn(record -> resultOnly.equals(record.key()))
                .singleElement()
                .satisfies(record -> assertThat(new String(record.headers().lastHeader(DeadLetters.REASON_HEADER)
                        .value(), StandardCharsets.UTF_8)).contains("no plan", "sent no command")));
        await().atMost(Duration.ofSeconds(30)).until(() -> handled(pivot) && !planExists(pivotedOnly));
        assertThat(planExists(resultOnly)).isFalse();
        assertThat(events(Topics.agentCommands(pivotedOnly), pivotedOnly)).isEmpty();
    }

    private boolean planExists(String clusterId) throws Exception {
        return count("SELECT count(*) FROM addon_plan WHERE cluster_id = ?", clusterId) > 0;
    }

    private boolean handled(EventEnvelope<?> event) throws Exception {
        return count("SELECT count(*) FROM processed_event WHERE event_id = ? AND dead_letter_reason IS NULL",
                event.id()) > 0;
    }

    private long count(String sql, String value) throws Exception {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement(sql)) {
            select.setString(1, value);
            try (ResultSet row = select.executeQuery()) {
                row.next();
                return row.getLong(1);
            }
        }
    }

    private EventEnvelope<?> publish(ClusterEvent payload) {
        return TestEvents.publish(kafka.bootstrapServers(), planeSecret, payload);
    }

    private List<ClusterEvent> events(String topic, String clusterId) {
        return TopicReader.payloads(kafka.bootstrapServers(), topic, clusterId);
    }
}
