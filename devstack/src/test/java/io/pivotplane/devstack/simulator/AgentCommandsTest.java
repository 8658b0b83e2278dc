package io.pivotplane.devstack.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.pivotplane.agent.AgentConfig;
import io.pivotplane.agent.core.Agent;
import io.pivotplane.agent.install.AgentManifests;
import io.pivotplane.agent.messaging.AgentChannel;
import io.pivotplane.capi.DesiredSpecConfigMap;
import io.pivotplane.devstack.simulator.cluster.SimulatedCluster;
import io.pivotplane.devstack.testing.TestClusters;
import io.pivotplane.events.AgentCommand;
import io.pivotplane.events.AgentReport;
import io.pivotplane.events.EventEnvelope;
import io.pivotplane.events.model.Addon;
import io.pivotplane.events.model.AddonResult;
import io.pivotplane.events.model.WorkerPool;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** An agent answers every command it is given, those it cannot execute too, and goes on with the next. */
class AgentCommandsTest {

    static final String CLUSTER_ID = "id-commands";

    final SimulatedCluster cluster = new SimulatedCluster();
    final RecordingChannel channel = new RecordingChannel();
    final Agent agent = Agent.start(new AgentConfig(CLUSTER_ID, "commands", "default", "127.0.0.1:1",
            Duration.ofMinutes(10),
                AgentChannelsTest.keyOf("id-for-a-test"),
                AgentChannelsTest.kafkaAccount("id-for-a-test")), cluster.client, channel);

    @BeforeEach
    void agentNamespace() {
        cluster.client.namespaces().resource(new NamespaceBuilder().withNewMetadata()
                .withName(AgentManifests.NAMESPACE).endMetadata().build()).create();
    }

    @AfterEach
    void stop() {
        agent.close();
        cluster.close();
    }

    @Test
    void anInstallCommandWithoutItsAddonIsAnsweredAsFailedAndTheNextIsInstalled() {
        channel.deliver(command("no-addon", null));
        channel.deliver(command("with-addon", new Addon("team-namespace", "addon", "1.0", List.of("""
                apiVersion: v1
                kind: Namespace
                metadata:
                  name: team-a-apps
                """))));

        await().atMost(Duration.ofSeconds(30)).until(() -> channel.results().size() == 2);
        // add-ons install in parallel: the answers come in any order
        assertThat(channel.results().stream().sorted(java.util.Comparator.comparing(AgentReport::commandId))
                .toList()).satisfiesExactly(
                failed -> {
                    assertThat(failed.commandId()).isEqualTo("no-addon");
                    assertThat(failed.addon().state()).isEqualTo(AddonResult.State.FAILED);
                    assertThat(failed.addon().message()).contains("names no add-on");
                },
                installed -> {
                    assertThat(installed.commandId()).isEqualTo("with-addon");
                    assertThat(installed.addon().state()).isEqualTo(AddonResult.State.INSTALLED);
                });
        assertThat(cluster.client.namespaces().withName("team-a-apps").get()).isNotNull();
    }

    @Test
    void theSpecOfAChangeIsKeptInTheClusterBeforeItsCommandCountsAsReadAndOneThatCannotBeKeptIsAnswered() {
        channel.deliver(applySpec("no-spec-yet", 1));
        await().atMost(Duration.ofSeconds(30)).until(() -> channel.reports.stream()
                .anyMatch(r -> r.kind() == AgentReport.Kind.CHANGE_FAILED && "no-spec-yet".equals(r.commandId())));

        cluster.client.resource(DesiredSpecConfigMap.render(CLUSTER_ID, TestClusters.vsphere("default", "commands",
                1, 1, List.of()))).create();
        channel.deliver(applySpec("kept", 2));

        // the channel commits a command as read once its handler returns: by then the spec is in the cluster
        ConfigMap kept = cluster.client.configMaps().inNamespace("default")
                .withName(DesiredSpecConfigMap.name("commands")).get();
        assertThat(DesiredSpecConfigMap.number(kept, DesiredSpecConfigMap.GENERATION_KEY, 0)).isEqualTo(2);
        assertThat(kept.getData()).containsEntry(DesiredSpecConfigMap.COMMAND_ID_KEY, "kept");
        assertThat(DesiredSpecConfigMap.read(kept)).hasValueSatisfying(spec ->
                assertThat(spec.workerPools()).extracting(WorkerPool::replicas).containsExactly(4));
    }

    private static EventEnvelope<AgentCommand> applySpec(String commandId, long generation) {
        return EventEnvelope.create(URI.create("/pivotplane/test"), commandId, AgentCommand.applySpec(CLUSTER_ID,
                commandId, TestClusters.vsphere("default", "commands", 1, 4, List.of()), generation, Instant.now()));
    }

    private static EventEnvelope<AgentCommand> command(String commandId, Addon addon) {
        return EventEnvelope.create(URI.create("/pivotplane/test"), commandId,
                new AgentCommand(CLUSTER_ID, commandId, AgentCommand.Kind.INSTALL_ADDON, addon, Instant.now()));
    }

    /** Hands commands to the agent as a channel's reader thread would, and keeps its reports. */
    static final class RecordingChannel implements AgentChannel {

        final List<AgentReport> reports = new CopyOnWriteArrayList<>();
        private final Map<String, Object> observedAtResult = new ConcurrentHashMap<>();
        private volatile Consumer<EventEnvelope<?>> handler;
        /** Looks at the cluster the moment a result is sent, before anything else can change it. */
        volatile Function<AgentReport, Object> observer = report -> Boolean.TRUE;

        void deliver(EventEnvelope<AgentCommand> command) {
            handler.accept(command);
        }

        List<AgentReport> results() {
            return reports.stream().filter(report -> report.kind() == AgentReport.Kind.ADDON_RESULT).toList();
        }

        List<AgentReport> repairs() {
            return reports.stream().filter(report -> report.kind() == AgentReport.Kind.ADDON_REPAIRED).toList();
        }

        Object observedAtResult(String commandId) {
            return observedAtResult.get(commandId);
        }

        @Override
        public void receive(Consumer<EventEnvelope<?>> handler) {
            this.handler = handler;
        }

        @Override
        public void send(EventEnvelope<AgentReport> report) {
            if (report.payload().commandId() != null) {
                observedAtResult.put(report.payload().commandId(), observer.apply(report.payload()));
            }
            reports.add(report.payload());
        }

        @Override
        public boolean isReceiving() {
            return handler != null;
        }

        @Override
        public void close() {
        }
    }
}
