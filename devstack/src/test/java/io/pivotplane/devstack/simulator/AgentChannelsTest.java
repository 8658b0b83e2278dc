package io.pivotplane.devstack.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pivotplane.agent.AgentConfig;
import io.pivotplane.agent.messaging.AgentChannel;
import io.pivotplane.agent.messaging.KafkaAgentChannel;
import io.pivotplane.agent.messaging.ReportNotSentException;
import io.pivotplane.devstack.infra.EmbeddedKafkaBroker;
import io.pivotplane.devstack.testing.AgentIdentity;
import io.pivotplane.devstack.testing.TopicReader;
import io.pivotplane.devstack.testing.TopicWriter;
import io.pivotplane.events.AgentCommand;
import io.pivotplane.events.AgentReport;
import io.pivotplane.events.EventEnvelope;
import io.pivotplane.events.Topics;
import io.pivotplane.events.access.PlaneAccess;
import io.pivotplane.events.kafka.AgentMacs;
import io.pivotplane.events.kafka.KafkaSasl;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What an agent may rely on from its channel, the same for an agent's own Kafka clients and for the clients the
 * simulated agents share: against a real broker.
 */
class AgentChannelsTest {

    static final Duration WAIT = Duration.ofSeconds(30);
    static final URI MANAGEMENT = URI.create("/pivotplane/test");
    static final byte[] PLANE_SECRET = "the plane's secret of these tests, 32+ bytes".getBytes(StandardCharsets.UTF_8);

    static EmbeddedKafkaBroker kafka;
    final List<AutoCloseable> opened = new ArrayList<>();
    SharedAgentChannels shared;

    enum Kind { OWN_CLIENTS, SHARED_CLIENTS }

    @BeforeAll
    static void startKafka() {
        kafka = EmbeddedKafkaBroker.start(0, null, 3);
    }

    @AfterAll
    static void stopKafka() {
        kafka.close();
    }

    @AfterEach
    void close() throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void handsOverTheCommandsOfItsClusterOnlyInOrder(Kind kind) {
        String cluster = newClusterId();
        String other = newClusterId();
        List<String> handled = new CopyOnWriteArrayList<>();
        AgentChannel channel = open(kind, cluster);
        channel.receive(event -> handled.add(((AgentCommand) event.payload()).commandId()));

        command(cluster, "first");
        command(other, "not-mine");
        command(cluster, "second");
        command(cluster, "third");

        await().atMost(WAIT).until(() -> handled.size() >= 3);
        assertThat(handled).containsExactly("first", "second", "third");
        assertThat(channel.isReceiving()).isTrue();
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void handsACommandOverAgainWhileItsReportCannotBeSentAndBeforeTheNextOne(Kind kind) {
        String cluster = newClusterId();
        List<String> handled = new CopyOnWriteArrayList<>();
        AtomicInteger failures = new AtomicInteger();
        AgentChannel channel = open(kind, cluster);
        channel.receive(event -> {
            String id = ((AgentCommand) event.payload()).commandId();
            handled.add(id);
            if (id.equals("flaky") && failures.incrementAndGet() == 1) {
                throw new ReportNotSentException("the broker is away", null);
            }
        });

        command(cluster, "flaky");
        command(cluster, "after");

        await().atMost(WAIT).until(() -> handled.contains("after"));
        assertThat(handled).containsExactly("flaky", "flaky", "after");
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aCommandItsHandlerFailsOnIsPassedOverAndTheChannelGoesOnReading(Kind kind) {
        String cluster = newClusterId();
        List<String> handled = new CopyOnWriteArrayList<>();
        AgentChannel channel = open(kind, cluster);
        channel.receive(event -> {
            String id = ((AgentCommand) event.payload()).commandId();
            handled.add(id);
            if (id.equals("malformed")) {
                throw new NullPointerException("the command has no add-on");
            }
        });

        command(cluster, "malformed");
        command(cluster, "after");

        await().atMost(WAIT).until(() -> handled.contains("after"));
        assertThat(handled).containsExactly("malformed", "after");
        assertThat(channel.isReceiving()).isTrue();
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void sendsReportsKeyedByTheirCluster(Kind kind) {
        String cluster = newClusterId();
        AgentChannel channel = open(kind, cluster);

        channel.send(EventEnvelope.create(URI.create("/pivotplane/agent/" + cluster), cluster,
                new AgentReport(cluster, AgentReport.Kind.HEARTBEAT, Instant.now(), null, List.of(), null, null,
                        List.of())));

        assertThat(TopicReader.payloads(kafka.bootstrapServers(), Topics.AGENT_REPORTS, cluster))
                .singleElement().satisfies(report -> assertThat(((AgentReport) report).kind())
                        .isEqualTo(AgentReport.Kind.HEARTBEAT));
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void refusesACommandThePlaneDidNotSignOrSignedForAnotherAgentAndHandsOverTheNextSignedOne(Kind kind) {
        String cluster = newClusterId();
        String other = newClusterId();
        List<String> handled = new CopyOnWriteArrayList<>();
        AgentChannel channel = open(kind, cluster);
        channel.receive(event -> handled.add(((AgentCommand) event.payload()).commandId()));

        // what anyone who can write to the topic could send: no MAC, one of another agent's key, one of a report
        TopicWriter.send(kafka.bootstrapServers(), commandTo(cluster, "unsigned"));
        TopicWriter.sendSigned(kafka.bootstrapServers(), commandTo(cluster, "with-another-agents-key"),
                AgentMacs.agentKey(PLANE_SECRET, other));
        TopicWriter.sendSigned(kafka.bootstrapServers(), commandTo(cluster, "signed-as-a-report"),
                AgentMacs.agentKey(PLANE_SECRET, cluster), AgentMacs.Direction.REPORT);
        command(cluster, "from-the-plane");

        await().atMost(WAIT).until(() -> handled.contains("from-the-plane"));
        assertThat(handled).containsExactly("from-the-plane");
        assertThat(channel.isReceiving()).isTrue();
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void signsItsReportsWithItsOwnKeyOnly(Kind kind) {
        String cluster = newClusterId();
        open(kind, cluster).send(EventEnvelope.create(URI.create("/pivotplane/agent/" + cluster), cluster,
                new AgentReport(cluster, AgentReport.Kind.SCALED, Instant.now(), null, List.of(), null, null,
                        List.of())));

        var record = TopicReader.readRaw(kafka.bootstrapServers(), Topics.AGENT_REPORTS).stream()
                .filter(r -> cluster.equals(r.key())).findFirst().orElseThrow();
        assertThat(AgentMacs.verify(record.headers(), record.value(), AgentMacs.agentKey(PLANE_SECRET, cluster),
                AgentMacs.Direction.REPORT)).isTrue();
        assertThat(AgentMacs.verify(record.headers(), record.value(),
                AgentMacs.agentKey(PLANE_SECRET, newClusterId()), AgentMacs.Direction.REPORT)).isFalse();
        assertThat(AgentMacs.verify(record.headers(), record.value(), AgentMacs.agentKey(PLANE_SECRET, cluster),
                AgentMacs.Direction.COMMAND)).isFalse();
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void anAgentsChannelResumesAfterTheLastCommandItHandled(Kind kind) {
        String cluster = newClusterId();
        List<String> handled = new CopyOnWriteArrayList<>();
        AgentChannel before = open(kind, cluster);
        before.receive(event -> handled.add(((AgentCommand) event.payload()).commandId()));
        command(cluster, "done-before-restart");
        await().atMost(WAIT).until(() -> handled.size() == 1);
        before.close();

        command(cluster, "sent-while-down");
        AgentChannel after = open(kind, cluster);
        after.receive(event -> handled.add(((AgentCommand) event.payload()).commandId()));

        await().atMost(WAIT).until(() -> handled.size() >= 2);
        assertThat(handled).containsExactly("done-before-restart", "sent-while-down");
    }

    @Test
    void aSharedChannelKeepsCommandsThatArriveBeforeTheirAgentRuns() {
        String early = newClusterId();
        String running = newClusterId();
        List<String> handled = new CopyOnWriteArrayList<>();
        open(Kind.SHARED_CLIENTS, running).receive(event -> handled.add(((AgentCommand) event.payload()).commandId()));
        command(early, "before-the-agent");
        command(running, "to-the-running-one");
        await().atMost(WAIT).until(() -> handled.contains("to-the-running-one"));

        open(Kind.SHARED_CLIENTS, early).receive(event -> handled.add(((AgentCommand) event.payload()).commandId()));

        await().atMost(WAIT).until(() -> handled.contains("before-the-agent"));
        assertThat(handled).containsExactlyInAnyOrder("to-the-running-one", "before-the-agent");
    }

    private AgentChannel open(Kind kind, String clusterId) {
        AgentChannel channel = switch (kind) {
            case OWN_CLIENTS -> KafkaAgentChannel.open(config(clusterId));
            case SHARED_CLIENTS -> sharedChannels().open(config(clusterId));
        };
        opened.add(channel);
        return channel;
    }

    /**
     * The agent's configuration as pivot-service installs it: with the key the plane derives for its cluster and its
     * own Kafka principal.
     */
    static AgentConfig config(String clusterId) {
        return new AgentConfig(clusterId, "c-" + clusterId, "default", kafka.bootstrapServers(),
                AgentConfig.DEFAULT_HEARTBEAT, keyOf(clusterId), kafkaAccount(clusterId));
    }

    static AgentConfig.KafkaAccount kafkaAccount(String clusterId) {
        return new AgentConfig.KafkaAccount(KafkaSasl.LOCAL_PROTOCOL, PlaneAccess.agentPrincipal(clusterId),
                AgentMacs.agentKafkaPassword(PLANE_SECRET, clusterId));
    }

    /** The key pivot-service derives for the agent of {@code clusterId}, as its Secret holds it. */
    static String keyOf(String clusterId) {
        return Base64.getEncoder().encodeToString(AgentMacs.agentKey(PLANE_SECRET, clusterId));
    }

    private SharedAgentChannels sharedChannels() {
        if (shared == null) {
            shared = new SharedAgentChannels(kafka.bootstrapServers());
            opened.add(0, shared);
        }
        return shared;
    }

    /** A command as the plane sends it, signed for the agent of {@code clusterId}. */
    private static void command(String clusterId, String commandId) {
        TopicWriter.sendSigned(kafka.bootstrapServers(), commandTo(clusterId, commandId),
                AgentMacs.agentKey(PLANE_SECRET, clusterId));
    }

    private static EventEnvelope<AgentCommand> commandTo(String clusterId, String commandId) {
        return EventEnvelope.create(MANAGEMENT, clusterId,
                new AgentCommand(clusterId, commandId, AgentCommand.Kind.DELETE_CLUSTER, null, Instant.now()));
    }

    /** A cluster whose agent has its identity, as pivot-service issues it before it installs the agent. */
    static String newClusterId() {
        String clusterId = UUID.randomUUID().toString();
        AgentIdentity.issue(kafka.bootstrapServers(), clusterId, PLANE_SECRET);
        return clusterId;
    }
}
