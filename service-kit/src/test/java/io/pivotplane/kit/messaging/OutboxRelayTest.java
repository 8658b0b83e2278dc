package io.pivotplane.kit.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.agroal.api.AgroalDataSource;
import io.pivotplane.devstack.infra.EmbeddedKafkaBroker;
import io.pivotplane.devstack.testing.InjectInfrastructure;
import io.pivotplane.devstack.testing.KafkaAndPostgresResource;
import io.pivotplane.devstack.testing.TestClusters;
import io.pivotplane.devstack.testing.TopicReader;
import io.pivotplane.events.AgentCommand;
import io.pivotplane.events.ClusterRequested;
import io.pivotplane.events.EventEnvelope;
import io.pivotplane.events.ProvisioningFailed;
import io.pivotplane.events.SpecsCreated;
import io.pivotplane.events.Stage;
import io.pivotplane.events.Topics;
import io.pivotplane.events.model.Addon;
import io.pivotplane.kit.persistence.Transactions;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.health.api.Wellness;
import jakarta.inject.Inject;
import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.UUID;
import io.pivotplane.events.kafka.EventEnvelopeSerializer;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;

/**
 * The outbox relay against a real broker and PostgreSQL: every committed event reaches Kafka once and in order,
 * whenever Kafka comes back; what Kafka refuses for good is set aside and failed without holding the others.
 */
@QuarkusTest
@WithTestResource(KafkaAndPostgresResource.class)
class OutboxRelayTest {

    private static final URI SOURCE = URI.create("/pivotplane/test");

    @InjectInfrastructure
    EmbeddedKafkaBroker kafka;

    @Inject
    Outbox outbox;

    @Inject
    Transactions transactions;

    @Inject
    AgroalDataSource dataSource;

    @Inject
    @Wellness
    OutboxProgressHealthCheck progress;

    @Test
    void eventsCommittedWhileKafkaIsDownArePublishedOnceEachInOrderWhenItIsBackAndTheStallIsReported()
            throws Exception {
        List<String> clusters = new ArrayList<>();
        kafka.stop();
        try {
            for (int i = 0; i < 5; i++) {
                String clusterId = UUID.randomUUID().toString();
                append(specsCreated(clusterId));
                clusters.add(clusterId);
            }
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> progress.call().getStatus() == HealthCheckResponse.Status.DOWN);
            assertThat(clusters).noneMatch(this::published);
        } finally {
            kafka.restart();
        }

        await().atMost(Duration.ofSeconds(60)).until(() -> clusters.stream().allMatch(this::published));
        await().atMost(Duration.ofSeconds(30))
                .until(() -> progress.call().getStatus() == HealthCheckResponse.Status.UP);
        assertThat(TopicReader.readAll(kafka.bootstrapServers(), Topics.CLUSTER_SPECS_CREATED).stream()
                .map(ConsumerRecord::key).filter(clusters::contains).toList())
                .as("each event once, in the order of its commit")
                .isEqualTo(clusters);
    }

    @Test
    void anEventKafkaRefusesIsSetAsideWithItsReasonItsClusterFailsAndTheEventsBehindItArePublished()
            throws Exception {
        String oversized = UUID.randomUUID().toString();
        Addon huge = new Addon("huge", "addon", "1.0", List.of("# " + "x".repeat(2 * 1024 * 1024)));
        append(EventEnvelope.create(SOURCE, oversized, new ClusterRequested(oversized,
                TestClusters.vsphere("team-kit", "huge", 1, 0, List.of(huge)), Instant.now())));
        String behind = UUID.randomUUID().toString();
        append(specsCreated(behind));

        await().atMost(Duration.ofSeconds(60)).until(() -> published(behind));
        assertThat(setAsideBecause(oversized)).contains("Kafka refused it", "RecordTooLargeException");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(TopicReader.payloads(
                kafka.bootstrapServers(), Topics.CLUSTER_FAILED, oversized)).singleElement().satisfies(payload -> {
                    ProvisioningFailed failed = (ProvisioningFailed) payload;
                    assertThat(failed.stage()).isEqualTo(Stage.REQUESTED);
                    assertThat(failed.reason()).isEqualTo(OutboxRelay.REASON_EVENT_REFUSED);
                    assertThat(failed.message()).contains("ClusterRequested", "RecordTooLargeException");
                }));
        assertThat(TopicReader.readRaw(kafka.bootstrapServers(), Topics.CLUSTER_REQUESTED))
                .noneMatch(record -> oversized.equals(record.key()));
        assertThat(progress.call().getStatus()).isEqualTo(HealthCheckResponse.Status.UP);
    }

    @Test
    void aCommandToAnAgentWhoseTopicIsGoneIsSetAsideAndTheEventsBehindItArePublished() throws Exception {
        String deleted = UUID.randomUUID().toString();
        append(EventEnvelope.create(SOURCE, deleted, new AgentCommand(deleted, UUID.randomUUID().toString(),
                AgentCommand.Kind.DELETE_CLUSTER, null, Instant.now())));
        String behind = UUID.randomUUID().toString();
        append(specsCreated(behind));

        await().atMost(Duration.ofSeconds(60)).until(() -> published(behind));
        assertThat(setAsideBecause(deleted)).contains("Kafka refused it", Topics.agentCommands(deleted));
        assertThat(progress.call().getStatus()).isEqualTo(HealthCheckResponse.Status.UP);
    }

    /**
     * A relay that crashed after Kafka committed its transaction and before the database marked the rows: the test
     * holds the relay's lock, plays that relay with the same transactional id, and lets go.
     */
    @Test
    void rowsKafkaCommittedBeforeTheRelayCouldMarkThemAreNotPublishedAgain() throws Exception {
        String committed = UUID.randomUUID().toString();
        String next = UUID.randomUUID().toString();
        try (Connection lock = dataSource.getConnection()) {
            try (PreparedStatement take = lock.prepareStatement("SELECT pg_advisory_lock(?)")) {
                take.setLong(1, OutboxRelay.RELAY_LOCK);
                take.execute();
            }
            EventEnvelope<SpecsCreated> event = specsCreated(committed);
            append(event);
            long rowId = Long.parseLong(outboxColumn("id", committed));
            Map<String, Object> crashedConfig = new HashMap<>(kafka.clientConfig(EmbeddedKafkaBroker.ADMIN));
            crashedConfig.putAll(Map.of(
                    ProducerConfig.TRANSACTIONAL_ID_CONFIG, "kit-test-outbox",
                    ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000));
            KafkaProducer<String, EventEnvelope<?>> crashed = new KafkaProducer<>(crashedConfig,
                    new StringSerializer(), new EventEnvelopeSerializer());
            try {
                crashed.initTransactions();
                crashed.beginTransaction();
                crashed.send(new ProducerRecord<>(event.topic(), event.subject(), event));
                crashed.sendOffsetsToTransaction(Map.of(new TopicPartition(Topics.OUTBOX_PROGRESS, 0),
                        new OffsetAndMetadata(rowId, Long.toString(rowId))), new ConsumerGroupMetadata("kit-test-outbox"));
                crashed.commitTransaction();
            } finally {
                crashed.close(Duration.ofSeconds(5));
            }
            append(specsCreated(next));
            try (PreparedStatement release = lock.prepareStatement("SELECT pg_advisory_unlock(?)")) {
                release.setLong(1, OutboxRelay.RELAY_LOCK);
                release.execute();
            }
        }

        await().atMost(Duration.ofSeconds(60)).until(() -> published(committed) && published(next));
        assertThat(TopicReader.readAll(kafka.bootstrapServers(), Topics.CLUSTER_SPECS_CREATED).stream()
                .map(ConsumerRecord::key).filter(key -> key.equals(committed) || key.equals(next)).toList())
                .containsExactly(committed, next);
    }

    private static EventEnvelope<SpecsCreated> specsCreated(String clusterId) {
        return EventEnvelope.create(SOURCE, clusterId, new SpecsCreated(clusterId, "team-kit", List.of(),
                Instant.now()));
    }

    private void append(EventEnvelope<?> event) throws Exception {
        transactions.inTransaction(connection -> {
            outbox.append(connection, event);
            return null;
        });
        outbox.wakeUp();
    }

    private boolean published(String clusterId) {
        return outboxColumn("published_at IS NOT NULL", clusterId).equals("t");
    }

    private String setAsideBecause(String clusterId) {
        return outboxColumn("failure", clusterId);
    }

    private String outboxColumn(String column, String clusterId) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement("SELECT " + column
                     + " FROM outbox_event WHERE record_key = ? AND topic <> ?")) {
            select.setString(1, clusterId);
            select.setString(2, Topics.CLUSTER_FAILED);
            try (ResultSet row = select.executeQuery()) {
                assertThat(row.next()).as("outbox row of " + clusterId).isTrue();
                return String.valueOf(row.getString(1));
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
