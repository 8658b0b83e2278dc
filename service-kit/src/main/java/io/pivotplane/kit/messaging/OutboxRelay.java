package io.pivotplane.kit.messaging;

import io.agroal.api.AgroalDataSource;
import io.pivotplane.events.EventEnvelope;
import io.pivotplane.events.EventFormatException;
import io.pivotplane.events.EventJson;
import io.pivotplane.events.EventType;
import io.pivotplane.events.ProvisioningFailed;
import io.pivotplane.events.Stage;
import io.pivotplane.events.kafka.AgentMacs;
import io.pivotplane.events.kafka.SigningEventSerializer;
import io.pivotplane.kit.config.MessagingConfig;
import io.pivotplane.kit.persistence.Transactions;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import io.pivotplane.events.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsOptions;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Publishes the outbox to Kafka, in order, exactly once. One relay at a time holds a PostgreSQL advisory lock per
 * batch, so replicas never interleave one cluster's events. Each batch is one Kafka transaction, which also commits
 * the batch's row ids as the offset metadata of the group {@code <service>-outbox} on {@link Topics#OUTBOX_PROGRESS};
 * the rows are marked published after it. A relay that starts (or starts again after a failure) first fences the one
 * before it (same {@code transactional.id}, so a transaction it left open is aborted) and marks what the last
 * committed transaction published, in a database transaction of its own: a crash, or a database gone, between
 * Kafka's commit and the database's sends nothing twice. Consumers read committed records only. While Kafka is
 * unreachable the rows wait and the relay retries with backoff; requests keep being accepted. A row Kafka refuses for
 * good (too large, unserializable) is set aside with its reason, and its cluster is failed with a
 * {@code ProvisioningFailed} that says why, so that the rows behind it go on.
 */
@ApplicationScoped
public class OutboxRelay {

    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);
    /** Key of the advisory lock that makes one relay at a time publish ("pivotplane outbox"). */
    static final long RELAY_LOCK = 0x7069766f746f7574L;
    private static final TopicPartition PROGRESS = new TopicPartition(Topics.OUTBOX_PROGRESS, 0);
    public static final String REASON_EVENT_REFUSED = "EventRefusedByKafka";

    private final AgroalDataSource dataSource;
    private final MessagingConfig.Outbox config;
    private final String clientId;
    private final String transactionalId;
    private final String progressGroup;
    private final KafkaClients kafka;
    private final MessagingMetrics metrics;
    /** Holds at most one pending wake-up: many requests during one batch cause one more look, not many. */
    private final BlockingQueue<Boolean> wakeups = new ArrayBlockingQueue<>(1);
    private volatile boolean running;
    private volatile boolean kafkaReachable = true;
    /** When the relay last published a row or found none waiting. */
    private volatile Instant lastProgress = Instant.now();
    private KafkaProducer<String, EventEnvelope<?>> producer;
    private Thread thread;
    private final AgentKeys agentKeys;

    public OutboxRelay(AgroalDataSource dataSource, MessagingConfig config,
                       KafkaClients kafka,
                       @ConfigProperty(name = "quarkus.application.name") String applicationName,
                       MessagingMetrics metrics, AgentKeys agentKeys) {
        this.metrics = metrics;
        this.agentKeys = agentKeys;
        this.dataSource = dataSource;
        this.config = config.outbox();
        this.clientId = applicationName + "-outbox";
        this.transactionalId = applicationName + "-outbox";
        this.progressGroup = applicationName + "-outbox";
        this.kafka = kafka;
    }

    void start(@Observes StartupEvent startup) {
        running = true;
        thread = new Thread(this::run, "outbox-relay");
        thread.setDaemon(true);
        thread.start();
    }

    void stop(@Observes ShutdownEvent shutdown) {
        running = false;
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join(Duration.ofSeconds(10).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        closeProducer(Duration.ofSeconds(5));
    }

    /** Tells the relay there is something to publish, so it need not wait for its next poll. */
    public void wakeUp() {
        wakeups.offer(Boolean.TRUE);
    }

    public boolean isRunning() {
        return running && thread != null && thread.isAlive();
    }

    public boolean isKafkaReachable() {
        return kafkaReachable;
    }

    /** How long rows have waited without the relay publishing any; zero while it keeps up. */
    public Duration stalledFor() {
        Duration since = Duration.between(lastProgress, Instant.now());
        return since.compareTo(config.pollInterval().multipliedBy(2).plus(config.sendTimeout())) <= 0
                ? Duration.ZERO : since;
    }

    Duration stallAfter() {
        return config.stallAfter();
    }

    private void run() {
        Duration backoff = config.pollInterval();
        Instant nextCleanup = Instant.now();
        while (running) {
            int published = 0;
            try {
                published = publishBatch();
                if (!kafkaReachable) {
                    LOG.info("The outbox relay publishes again");
                }
                kafkaReachable = true;
                backoff = config.pollInterval();
                if (Instant.now().isAfter(nextCleanup)) {
                    removePublishedBefore(Instant.now().minus(config.retention()));
                    nextCleanup = Instant.now().plus(Duration.ofMinutes(10));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                if (kafkaReachable) {
                    LOG.warnf("Outbox events wait: %s; retrying with backoff", e.toString());
                }
                kafkaReachable = false;
                backoff = min(backoff.multipliedBy(2), config.maxBackoff());
            }
            if (published < config.batchSize()) {
                try {
                    wakeups.poll(kafkaReachable ? config.pollInterval().toMillis() : backoff.toMillis(),
                            TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** Publishes one batch of pending events in order; returns how many were published. */
    int publishBatch() throws Exception {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                if (!tryRelayLock(connection)) {
                    // another replica relays; its own health check speaks for that
                    connection.commit();
                    lastProgress = Instant.now();
                    return 0;
                }
                if (producer == null) {
                    startProducer(connection);
                    // what the last relay published stays marked even when the batch below fails: the progress
                    // Kafka keeps names the rows of the last transaction only
                    connection.commit();
                    if (!tryRelayLock(connection)) {
                        connection.commit();
                        return 0;
                    }
                }
                List<PendingEvent> pending = pendingEvents(connection);
                List<Long> published = pending.isEmpty() ? List.of() : send(connection, pending);
                int count = published.size();
                markPublished(connection, published);
                connection.commit();
                if (pending.isEmpty() || count > 0) {
                    lastProgress = Instant.now();
                }
                return count;
            } catch (Exception e) {
                // whether Kafka committed what the database did not is known only to a producer started anew; a
                // producer kept because the database was gone would send those rows again
                closeProducer(Duration.ZERO);
                Transactions.rollbackQuietly(connection, e);
                throw e;
            }
        }
    }

    /**
     * Starts a transactional producer, fencing any relay of this service still holding the same transactional id and
     * ending the transaction it left open, then marks the rows of the last committed transaction published.
     */
    private void startProducer(Connection connection) throws Exception {
        // a command to an agent carries the MAC of that agent's key, or the agent refuses it
        KafkaProducer<String, EventEnvelope<?>> started = new KafkaProducer<>(producerConfig(), new StringSerializer(),
                new SigningEventSerializer(Topics::isAgentCommands, AgentMacs.Direction.COMMAND, agentKeys::keyOf));
        try {
            started.initTransactions();
            requireProgressTopic(started);
            List<Long> committed = lastCommittedRows();
            int recovered = markPublished(connection, committed);
            if (recovered > 0) {
                LOG.infof("%d outbox row(s) were in Kafka already (committed before the relay stopped)", recovered);
            }
        } catch (Exception e) {
            started.close(Duration.ZERO);
            throw e;
        }
        producer = started;
    }

    /**
     * The broker takes progress offsets only on a topic that exists: asking for its partitions has a broker that
     * creates topics create it, and one that does not (production) say it is missing.
     */
    private static void requireProgressTopic(KafkaProducer<String, EventEnvelope<?>> started) {
        try {
            started.partitionsFor(Topics.OUTBOX_PROGRESS);
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            throw new IllegalStateException("Kafka has no topic " + Topics.OUTBOX_PROGRESS + ", where the outbox"
                    + " relays record their progress (deploy/base/kafka/topics.yaml creates it)", e);
        }
    }

    private List<Long> lastCommittedRows() throws Exception {
        try (Admin admin = admin("progress")) {
            OffsetAndMetadata progress = admin.listConsumerGroupOffsets(progressGroup,
                            new ListConsumerGroupOffsetsOptions().requireStable(true))
                    .partitionsToOffsetAndMetadata().get(config.sendTimeout().toMillis(), TimeUnit.MILLISECONDS)
                    .get(PROGRESS);
            return progress == null ? List.of() : PublishedRows.decode(progress.metadata());
        }
    }

    /** An admin client of the relay, whose every call gives up after the send timeout, as the relay's sends do. */
    private Admin admin(String purpose) {
        return Admin.create(kafka.with(Map.of(
                AdminClientConfig.CLIENT_ID_CONFIG, clientId + "-" + purpose,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) config.sendTimeout().toMillis(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) config.sendTimeout().toMillis())));
    }

    private void closeProducer(Duration timeout) {
        KafkaProducer<String, EventEnvelope<?>> current = producer;
        producer = null;
        if (current != null) {
            try {
                current.close(timeout);
            } catch (RuntimeException e) {
                LOG.debugf("Outbox producer did not close cleanly: %s", e);
            }
        }
    }

    private record PendingEvent(long rowId, EventEnvelope<?> envelope) {
    }

    private List<PendingEvent> pendingEvents(Connection connection) throws SQLException {
        List<PendingEvent> pending = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement("""
                SELECT id, event_id, event_type, source, record_key, event_time, correlation_id, payload
                FROM outbox_event WHERE published_at IS NULL AND failure IS NULL ORDER BY id LIMIT ?""")) {
            select.setInt(1, config.batchSize());
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    long rowId = rows.getLong("id");
                    try {
                        pending.add(new PendingEvent(rowId, envelope(rows)));
                    } catch (RuntimeException e) {
                        // An unreadable row would block every event behind it: set it aside, loudly.
                        LOG.errorf(e, "Outbox row %d cannot be published and is set aside", rowId);
                        markFailed(connection, rowId, e.toString());
                    }
                }
            }
        }
        return pending;
    }

    private static EventEnvelope<?> envelope(ResultSet row) throws SQLException {
        String ceType = row.getString("event_type");
        EventType type = EventType.fromCeType(ceType)
                .orElseThrow(() -> new EventFormatException("unknown event type '" + ceType + "'"));
        return new EventEnvelope<>(row.getString("event_id"), type, URI.create(row.getString("source")),
                row.getString("record_key"), row.getTimestamp("event_time").toInstant(),
                row.getString("correlation_id"),
                EventJson.read(row.getString("payload").getBytes(StandardCharsets.UTF_8), type.payloadClass()));
    }

    /**
     * Sends the rows in order in one Kafka transaction, with their ids as the relay's progress, and returns them once
     * it is committed. When Kafka refuses one for good, the transaction is aborted and that row set aside: the others
     * go in the next batch.
     */
    private List<Long> send(Connection connection, List<PendingEvent> pending) throws Exception {
        List<Long> pendingIds = pending.stream().map(PendingEvent::rowId).toList();
        int size = PublishedRows.fitting(pendingIds);
        List<PendingEvent> batch = pending.subList(0, size);
        List<Long> rowIds = pendingIds.subList(0, size);
        producer.beginTransaction();
        List<Future<RecordMetadata>> acks = new ArrayList<>(batch.size());
        for (PendingEvent event : batch) {
            Future<RecordMetadata> ack;
            try {
                ack = producer.send(new ProducerRecord<>(event.envelope().topic(), event.envelope().subject(),
                        event.envelope()));
            } catch (KafkaException e) {
                ack = java.util.concurrent.CompletableFuture.failedFuture(e);
            }
            acks.add(ack);
            if (ack.isDone() && failure(ack).isPresent()) {
                break;
            }
        }
        long deadline = System.nanoTime() + config.sendTimeout().toNanos();
        for (int i = 0; i < acks.size(); i++) {
            PendingEvent event = batch.get(i);
            try {
                acks.get(i).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (Exception e) {
                metrics.produced(event.envelope().type().ceType(), false);
                abortQuietly();
                Throwable failure = e instanceof ExecutionException ? e.getCause() : e;
                if (!refusedForGood(failure) && !toAnAgentThatIsGone(event, failure)) {
                    throw e;
                }
                setAside(connection, event, failure);
                return List.of();
            }
        }
        producer.sendOffsetsToTransaction(Map.of(PROGRESS, new OffsetAndMetadata(rowIds.get(rowIds.size() - 1),
                PublishedRows.encode(rowIds))), new ConsumerGroupMetadata(progressGroup));
        producer.commitTransaction();
        batch.forEach(event -> metrics.produced(event.envelope().type().ceType(), true));
        return rowIds;
    }

    private void abortQuietly() {
        try {
            producer.abortTransaction();
        } catch (RuntimeException e) {
            // a producer that cannot abort is closed; the next one fences what it left
            closeProducer(Duration.ZERO);
        }
    }

    /** What Kafka will refuse however often it is sent, as opposed to a broker that is away or busy. */
    private static boolean refusedForGood(Throwable failure) {
        return failure instanceof RecordTooLargeException || failure instanceof RecordBatchTooLargeException
                || failure instanceof InvalidRecordException || failure instanceof SerializationException;
    }

    /**
     * Whether a command could not go out because its agent's topic is gone: pivot-service deletes it with the cluster's
     * agent identity, and a command that outlives its cluster would hold up every event behind it otherwise. Kafka
     * says so only by not knowing the topic; a broker that is away says nothing, and the command waits.
     */
    private boolean toAnAgentThatIsGone(PendingEvent event, Throwable failure) {
        String topic = event.envelope().topic();
        if (!Topics.isAgentCommands(topic) || !(failure instanceof org.apache.kafka.common.errors.TimeoutException)) {
            return false;
        }
        try (Admin admin = admin("topics")) {
            // listed, not described: the Admin client retries describing an unknown topic until it times out
            return !admin.listTopics().names().get(config.sendTimeout().toMillis(), TimeUnit.MILLISECONDS)
                    .contains(topic);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException | java.util.concurrent.TimeoutException | RuntimeException e) {
            LOG.debugf("Cannot tell whether topic %s exists: %s", topic, e);
            return false;
        }
    }

    private void setAside(Connection connection, PendingEvent event, Throwable failure) throws SQLException {
        String reason = "Kafka refused it: " + failure;
        LOG.errorf("Outbox row %d (%s of %s) is set aside: %s", event.rowId(), event.envelope().type().ceType(),
                event.envelope().subject(), reason);
        markFailed(connection, event.rowId(), reason);
        Optional<Stage> reached = reachedBefore(event.envelope().type());
        if (reached.isPresent()) {
            Outbox.insert(connection, EventEnvelope.create(event.envelope().source(), event.envelope().correlationId(),
                    new ProvisioningFailed(event.envelope().subject(), reached.get(), REASON_EVENT_REFUSED,
                            "its " + event.envelope().type().payloadClass().getSimpleName()
                                    + " event could not be published: " + reason, Instant.now())));
        }
    }

    /**
     * The stage a cluster has reached when an event of this type cannot go out: the one before it announces. Events
     * that fail or delete a cluster, or report on it, change no stage by themselves.
     */
    private static Optional<Stage> reachedBefore(EventType type) {
        return Optional.ofNullable(switch (type) {
            case CLUSTER_REQUESTED_V1, SPECS_CREATED_V1 -> Stage.REQUESTED;
            case CONTROL_PLANE_READY_V1 -> Stage.SPECS_CREATED;
            case PIVOTED_V1 -> Stage.CONTROL_PLANE_READY;
            case ADDONS_INSTALLED_V1, AGENT_COMMAND_V1 -> Stage.PIVOTED;
            default -> null;
        });
    }

    private static Optional<Throwable> failure(Future<RecordMetadata> ack) {
        try {
            ack.get();
            return Optional.empty();
        } catch (ExecutionException e) {
            return Optional.of(e.getCause());
        } catch (Exception e) {
            return Optional.of(e);
        }
    }

    private static boolean tryRelayLock(Connection connection) throws SQLException {
        try (PreparedStatement lock = connection.prepareStatement("SELECT pg_try_advisory_xact_lock(?)")) {
            lock.setLong(1, RELAY_LOCK);
            try (ResultSet result = lock.executeQuery()) {
                result.next();
                return result.getBoolean(1);
            }
        }
    }

    private static int markPublished(Connection connection, List<Long> rowIds) throws SQLException {
        if (rowIds.isEmpty()) {
            return 0;
        }
        try (PreparedStatement update = connection.prepareStatement(
                "UPDATE outbox_event SET published_at = now() WHERE id = ANY (?) AND published_at IS NULL")) {
            Array ids = connection.createArrayOf("bigint", rowIds.toArray());
            update.setArray(1, ids);
            return update.executeUpdate();
        }
    }

    private static void markFailed(Connection connection, long rowId, String reason) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement(
                "UPDATE outbox_event SET failure = ? WHERE id = ?")) {
            update.setString(1, reason);
            update.setLong(2, rowId);
            update.executeUpdate();
        }
    }

    private void removePublishedBefore(Instant cutoff) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement outbox = connection.prepareStatement(
                     "DELETE FROM outbox_event WHERE published_at < ?");
             PreparedStatement inbox = connection.prepareStatement(
                     "DELETE FROM processed_event WHERE processed_at < ?")) {
            outbox.setTimestamp(1, Timestamp.from(cutoff));
            outbox.executeUpdate();
            // Kafka keeps a record for days at most: an event id older than the retention cannot come again.
            inbox.setTimestamp(1, Timestamp.from(cutoff));
            inbox.executeUpdate();
        }
    }

    private Map<String, Object> producerConfig() {
        long timeout = config.sendTimeout().toMillis();
        return kafka.with(Map.of(
                ProducerConfig.CLIENT_ID_CONFIG, clientId,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, timeout,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) timeout,
                ProducerConfig.LINGER_MS_CONFIG, 0,
                ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000));
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
