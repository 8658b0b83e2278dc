package io.pivotplane.kit.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.pivotplane.devstack.infra.EmbeddedKafkaBroker;
import io.pivotplane.devstack.infra.EmbeddedPostgresServer;
import io.pivotplane.devstack.testing.InjectInfrastructure;
import io.pivotplane.devstack.testing.KafkaAndPostgresResource;
import io.pivotplane.devstack.testing.TestClusters;
import io.pivotplane.devstack.testing.TopicReader;
import io.pivotplane.devstack.testing.TopicWriter;
import io.pivotplane.events.ClusterRequested;
import io.pivotplane.events.EventEnvelope;
import io.pivotplane.events.Topics;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.health.SmallRyeHealthReporter;
import jakarta.inject.Inject;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The kit's consumers against a real broker and PostgreSQL: whatever a record holds and whatever its handler does,
 * the record ends handled once or dead-lettered with its reason, and every consumer thread goes on.
 */
@QuarkusTest
@WithTestResource(KafkaAndPostgresResource.class)
class EventConsumersTest {

    private static final URI SOURCE = URI.create("/pivotplane/test");

    @InjectInfrastructure
    EmbeddedKafkaBroker kafka;

    @InjectInfrastructure
    EmbeddedPostgresServer postgres;

    @Inject
    ScriptedSubscriptions subscriptions;

    @Inject
    SmallRyeHealthReporter health;

    @Inject
    MeterRegistry registry;

    @AfterEach
    void everyChannelStillRuns() {
        await().atMost(Duration.ofSeconds(30)).until(() -> !health.getLiveness().isDown() && !health.getReadiness().isDown());
    }

    @Test
    void recordsNoHandlerCanReadAreDeadLetteredWithTheirReasonAndTheNextEventIsHandled() {
        String tombstone = UUID.randomUUID().toString();
        String garbage = UUID.randomUUID().toString();
        TopicWriter.sendRaw(kafka.bootstrapServers(), Topics.CLUSTER_REQUESTED, tombstone, null);
        TopicWriter.sendRaw(kafka.bootstrapServers(), Topics.CLUSTER_REQUESTED, garbage,
                "{not an event".getBytes(StandardCharsets.UTF_8));
        EventEnvelope<ClusterRequested> next = send("after-the-poison");

        awaitHandled(next);
        assertThat(deadLetterReason(tombstone)).contains("tombstone");
        assertThat(deadLetterReason(garbage)).contains("unreadable event");
    }

    @Test
    void anEventWhoseHandlerKeepsFailingIsDeadLetteredAfterItsAttemptsWithTheLastError() {
        EventEnvelope<ClusterRequested> failing = send(ScriptedSubscriptions.FAILS_ALWAYS);
        EventEnvelope<ClusterRequested> next = send("after-the-failing-one");

        awaitHandled(next);
        assertThat(deadLetterReason(failing.subject())).contains("failed 3 times", "the backend is down");
        assertThat(subscriptions.attempts(failing.id())).isEqualTo(3);
        assertThat(TopicReader.payloads(kafka.bootstrapServers(), Topics.CLUSTER_SPECS_CREATED, failing.subject()))
                .isEmpty();
    }

    @Test
    void anEventThatCanNeverBeHandledIsDeadLetteredAtOnce() {
        EventEnvelope<ClusterRequested> wrong = send(ScriptedSubscriptions.PERMANENTLY_WRONG);
        EventEnvelope<ClusterRequested> next = send("after-the-wrong-one");

        awaitHandled(next);
        assertThat(deadLetterReason(wrong.subject())).isEqualTo("this request can never be handled");
        assertThat(subscriptions.attempts(wrong.id())).isEqualTo(1);
    }

    @Test
    void anEventWhoseDatabaseGoesAwayWhileItIsHandledWaitsForItUncountedInsteadOfBeingDeadLettered() {
        EventEnvelope<ClusterRequested> waiting = send(ScriptedSubscriptions.WAITS_FOR_RELEASE);
        await().atMost(Duration.ofSeconds(30)).until(() -> subscriptions.attempts(waiting.id()) == 1);
        postgres.stop();
        try {
            subscriptions.release();
            // more attempts than the three a failing handler gets, none of them counted against the event
            await().atMost(Duration.ofSeconds(60)).until(() -> subscriptions.attempts(waiting.id()) > 4);
        } finally {
            postgres.restart();
        }

        awaitHandled(waiting);
        assertThat(deadLetters(waiting.subject())).isEmpty();
        await().atMost(Duration.ofSeconds(30)).until(() -> TopicReader.payloads(kafka.bootstrapServers(),
                Topics.CLUSTER_SPECS_CREATED, waiting.subject()).size() == 1);
    }

    @Test
    void theSameEventDeliveredTwiceIsHandledAndAnsweredOnce() {
        EventEnvelope<ClusterRequested> twice = send("sent-twice");
        TopicWriter.send(kafka.bootstrapServers(), twice);
        EventEnvelope<ClusterRequested> next = send("after-the-repeat");

        awaitHandled(next);
        await().atMost(Duration.ofSeconds(30)).until(() -> !TopicReader.payloads(kafka.bootstrapServers(),
                Topics.CLUSTER_SPECS_CREATED, next.subject()).isEmpty());
        assertThat(subscriptions.handled(twice.id())).isEqualTo(1);
        assertThat(TopicReader.payloads(kafka.bootstrapServers(), Topics.CLUSTER_SPECS_CREATED, twice.subject()))
                .hasSize(1);
    }

    @Test
    void aBugThatEscapesTheHandlerIsCountedAndItsRecordTriedAgainWithoutStoppingTheChannel() {
        double retriesBefore = retries();
        EventEnvelope<ClusterRequested> breaking = send(ScriptedSubscriptions.BREAKS_ITS_THREAD_ONCE);
        EventEnvelope<ClusterRequested> next = send("after-the-bug");

        awaitHandled(breaking);
        awaitHandled(next);
        assertThat(subscriptions.attempts(breaking.id())).isEqualTo(2);
        assertThat(retries()).isGreaterThan(retriesBefore);
        assertThat(TopicReader.payloads(kafka.bootstrapServers(), Topics.CLUSTER_SPECS_CREATED, breaking.subject()))
                .hasSize(1);
    }

    private EventEnvelope<ClusterRequested> send(String name) {
        String clusterId = UUID.randomUUID().toString();
        EventEnvelope<ClusterRequested> event = EventEnvelope.create(SOURCE, UUID.randomUUID().toString(),
                new ClusterRequested(clusterId, TestClusters.vsphere("team-kit", name, 1, 0, List.of()),
                        Instant.now()));
        TopicWriter.send(kafka.bootstrapServers(), event);
        return event;
    }

    private void awaitHandled(EventEnvelope<?> event) {
        await().atMost(Duration.ofSeconds(60)).until(() -> subscriptions.handled(event.id()) > 0);
    }

    private String deadLetterReason(String key) {
        await().atMost(Duration.ofSeconds(30)).until(() -> deadLetters(key).size() == 1);
        ConsumerRecord<String, byte[]> letter = deadLetters(key).get(0);
        assertThat(new String(letter.headers().lastHeader(DeadLetters.CONSUMER_GROUP_HEADER).value(),
                StandardCharsets.UTF_8)).isEqualTo("kit-test");
        assertThat(new String(letter.headers().lastHeader(DeadLetters.ORIGIN_HEADER).value(),
                StandardCharsets.UTF_8)).startsWith(Topics.CLUSTER_REQUESTED + "/");
        return new String(letter.headers().lastHeader(DeadLetters.REASON_HEADER).value(), StandardCharsets.UTF_8);
    }

    private List<ConsumerRecord<String, byte[]>> deadLetters(String key) {
        return TopicReader.readRaw(kafka.bootstrapServers(), Topics.deadLetter(Topics.CLUSTER_REQUESTED)).stream()
                .filter(record -> key.equals(record.key())).toList();
    }

    private double retries() {
        return registry.find("pivotplane.consumer.retries").counters().stream().mapToDouble(Counter::count).sum();
    }
}
