package io.pivotplane.devstack.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.pivotplane.agent.AgentConfig;
import io.pivotplane.agent.core.Agent;
import io.pivotplane.agent.install.AgentManifests;
import io.pivotplane.agent.k8s.ConfigMapReportStore;
import io.pivotplane.agent.messaging.AgentChannel;
import io.pivotplane.agent.messaging.ReportNotSentException;
import io.pivotplane.devstack.simulator.cluster.SimulatedCluster;
import io.pivotplane.events.AgentCommand;
import io.pivotplane.events.AgentReport;
import io.pivotplane.events.EventEnvelope;
import io.pivotplane.events.model.Addon;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An agent whose plane is away keeps its reports, in its own cluster, through a restart, and delivers them in the
 * order it made them once the plane is back, each once.
 */
class AgentReportBufferTest {

    static final String CLUSTER_ID = "id-report-buffer";

    final SimulatedCluster cluster = new SimulatedCluster();
    /** What reached the plane, as the plane's broker would have it. */
    final List<EventEnvelope<AgentReport>> delivered = new CopyOnWriteArrayList<>();
    volatile boolean planeAway;
    final List<Agent> agents = new CopyOnWriteArrayList<>();

    @BeforeEach
    void agentNamespace() {
        cluster.client.namespaces().resource(new NamespaceBuilder().withNewMetadata()
                .withName(AgentManifests.NAMESPACE).endMetadata().build()).create();
    }

    @AfterEach
    void stop() {
        agents.forEach(Agent::close);
        cluster.close();
    }

    @Test
    void reportsMadeWhileThePlaneIsAwayReachItInOrderOnceEachAfterItComesBackThroughAnAgentRestart() {
        planeAway = true;
        PlaneChannel firstChannel = new PlaneChannel();
        Agent first = start(firstChannel);
        firstChannel.deliver(install("first"));
        await().atMost(Duration.ofSeconds(30)).until(() -> storedResults().equals(List.of("first")));
        firstChannel.deliver(install("second"));
        await().atMost(Duration.ofSeconds(30)).until(() -> storedResults().equals(List.of("first", "second")));
        first.close();

        PlaneChannel secondChannel = new PlaneChannel();
        start(secondChannel);
        secondChannel.deliver(install("third"));
        await().atMost(Duration.ofSeconds(30))
                .until(() -> storedResults().equals(List.of("first", "second", "third")));
        assertThat(delivered).as("nothing reached the plane while it was away").isEmpty();

        planeAway = false;
        await().atMost(Duration.ofSeconds(60)).until(() -> results().size() >= 3 && stored() == null);
        assertThat(results()).extracting(report -> report.payload().commandId())
                .as("each result once, in the order the agent made them").containsExactly("first", "second", "third");
        assertThat(delivered).extracting(EventEnvelope::id).as("no report delivered twice").doesNotHaveDuplicates();
        assertThat(delivered.stream().filter(report -> report.payload().kind() == AgentReport.Kind.HEARTBEAT))
                .as("a waiting heartbeat gave way to the next: a few at most came after the outage").hasSizeLessThan(5);
    }

    private Agent start(PlaneChannel channel) {
        Agent agent = Agent.start(new AgentConfig(CLUSTER_ID, "report-buffer", "default", "127.0.0.1:1",
                Duration.ofMillis(200), AgentChannelsTest.keyOf(CLUSTER_ID), AgentChannelsTest.kafkaAccount(CLUSTER_ID)),
                cluster.client, channel);
        agents.add(agent);
        return agent;
    }

    private List<EventEnvelope<AgentReport>> results() {
        return delivered.stream().filter(report -> report.payload().kind() == AgentReport.Kind.ADDON_RESULT).toList();
    }

    private ConfigMap stored() {
        return cluster.client.configMaps().inNamespace(AgentManifests.NAMESPACE).withName(ConfigMapReportStore.NAME)
                .get();
    }

    /** The command ids of the add-on results the agent keeps in its cluster, in order. */
    private List<String> storedResults() {
        return new ConfigMapReportStore(cluster.client, "report-buffer").load().stream()
                .filter(report -> report.payload().kind() == AgentReport.Kind.ADDON_RESULT)
                .map(report -> report.payload().commandId()).toList();
    }

    private static EventEnvelope<AgentCommand> install(String commandId) {
        return EventEnvelope.create(URI.create("/pivotplane/test"), commandId, new AgentCommand(CLUSTER_ID, commandId,
                AgentCommand.Kind.INSTALL_ADDON, new Addon("namespace-" + commandId, "addon", "1.0", List.of("""
                        apiVersion: v1
                        kind: Namespace
                        metadata:
                          name: %s
                        """.formatted("ns-" + commandId))), Instant.now()));
    }

    /** A channel to a plane that may be away: then nothing it is given to send arrives. */
    final class PlaneChannel implements AgentChannel {

        private volatile Consumer<EventEnvelope<?>> handler;

        void deliver(EventEnvelope<AgentCommand> command) {
            handler.accept(command);
        }

        @Override
        public void receive(Consumer<EventEnvelope<?>> handler) {
            this.handler = handler;
        }

        @Override
        public void send(EventEnvelope<AgentReport> report) {
            if (planeAway) {
                throw new ReportNotSentException("the plane is away", null);
            }
            delivered.add(report);
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
