package io.pivotplane.kit.messaging;

import io.pivotplane.events.EventEnvelope;
import io.pivotplane.events.kafka.EventEnvelopeDeserializer;
import io.pivotplane.kit.config.MessagingConfig;
import io.pivotplane.kit.persistence.Transactions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * One consumer thread. Records of a partition are handled one after the other, in order; an offset is
 * committed only after its event was handled (or dead-lettered) and recorded, so a crash redelivers and the
 * inbox drops what was already done.
 */
final class ConsumerLoop {

    private static final Logger LOG = Logger.getLogger(ConsumerLoop.class);

    private final String name;
    private final String group;
    private final List<String> topics;
    private final Predicate<EventEnvelope<?>> needed;
    private final EventHandler handler;
    private final TransactionalEventHandler transactionalHandler;
    private final String bootstrapServers;
    private final MessagingConfig.Consumer config;
    private final Transactions transactions;
    private final ProcessedEvents processed;
    private final Outbox outbox;
    private final DeadLetters deadLetters;
    private final MessagingMetrics metrics;
    private final EventEnvelopeDeserializer deserializer = new EventEnvelopeDeserializer();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean running;
    private volatile KafkaConsumer<byte[], byte[]> consumer;
    private Thread thread;

    /**
     * @param needed the events to handle; the others are passed over, without a trace in the inbox
     * @param handler runs before the inbox's transaction (e.g. Kubernetes writes), or null
     * @param transactionalHandler runs inside it (database writes), or null
     */
    ConsumerLoop(String name, String group, List<String> topics, Predicate<EventEnvelope<?>> needed,
                 EventHandler handler,
                 TransactionalEventHandler transactionalHandler, String bootstrapServers,
                 MessagingConfig.Consumer config, Transactions transactions, ProcessedEvents processed,
                 Outbox outbox, DeadLetters deadLetters, MessagingMetrics metrics) {
        this.name = name;
        this.group = group;
        this.topics = topics;
        this.needed = needed;
        this.handler = handler;
        this.transactionalHandler = transactionalHandler;
        this.bootstrapServers = bootstrapServers;
        this.config = config;
        this.transactions = transactions;
        this.processed = processed;
        this.outbox = outbox;
        this.deadLetters = deadLetters;
        this.metrics = metrics;
    }

    String name() {
        return name;
    }

    boolean isRunning() {
        return running && thread != null && thread.isAlive();
    }

    void start() {
        consumer = newConsumer();
        running = true;
        thread = new Thread(this::run, "consumer-" + name);
        thread.start();
    }

    void stop() {
        running = false;
        stopped.countDown();
        KafkaConsumer<byte[], byte[]> current = consumer;
        if (current != null) {
            current.wakeup();
        }
    }

    void join() {
        try {
            if (thread != null) {
                thread.join(Duration.ofSeconds(30).toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Consumes until stopped. A consumer that fails outside the handling of a record (a commit refused after its
     * group moved on, a bug) is closed and replaced after a pause, as a Deployment restarts a container: its
     * uncommitted records come again, and the inbox drops those already done.
     */
    private void run() {
        while (running) {
            try {
                consume(consumer);
                return;
            } catch (WakeupException e) {
                if (!running) {
                    return;
                }
                LOG.errorf(e, "Consumer %s woken up while running; restarting it", name);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException | Error e) {
                if (!running) {
                    return;
                }
                LOG.errorf(e, "Consumer %s of group %s failed; a new one takes over in %s", name, group,
                        config.retryBackoff());
            } finally {
                closeQuietly(consumer);
            }
            try {
                if (stopped.await(config.retryBackoff().toMillis(), TimeUnit.MILLISECONDS)) {
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            metrics.consumerRestarted(group, name);
            consumer = newConsumer();
            if (!running) {
                closeQuietly(consumer);
            }
        }
    }

    private void consume(KafkaConsumer<byte[], byte[]> kafka) throws InterruptedException {
        kafka.subscribe(topics);
        LOG.infof("Consumer %s of group %s reads %s", name, group, topics);
        while (running) {
            ConsumerRecords<byte[], byte[]> records = kafka.poll(Duration.ofSeconds(1));
            for (TopicPartition partition : records.partitions()) {
                // records passed over need no commit each: read again after a crash, they are passed over again
                long passedOverUpTo = -1;
                for (ConsumerRecord<byte[], byte[]> record : records.records(partition)) {
                    if (!running) {
                        return;
                    }
                    if (handle(record)) {
                        kafka.commitSync(Map.of(partition, new OffsetAndMetadata(record.offset() + 1)));
                        passedOverUpTo = -1;
                    } else {
                        passedOverUpTo = record.offset() + 1;
                    }
                }
                if (passedOverUpTo >= 0) {
                    kafka.commitSync(Map.of(partition, new OffsetAndMetadata(passedOverUpTo)));
                }
            }
        }
    }

    private void closeQuietly(KafkaConsumer<byte[], byte[]> kafka) {
        try {
            kafka.close(Duration.ofSeconds(5));
        } catch (RuntimeException e) {
            LOG.warnf("Consumer %s did not close cleanly: %s", name, e.toString());
        }
    }

    /**
     * Returns only when the record was handled or dead-lettered, and recorded as such (true), or passed over as not
     * needed (false).
     */
    private boolean handle(ConsumerRecord<byte[], byte[]> record) throws InterruptedException {
        if (record.value() == null) {
            deadLetter(record, null, "a record without a value (a tombstone) is not an event");
            return true;
        }
        EventEnvelope<?> event;
        try {
            event = deserializer.deserialize(record.topic(), record.headers(), record.value());
        } catch (RuntimeException e) {
            deadLetter(record, null, "unreadable event: " + e.getMessage());
            return true;
        }
        if (!needed.test(event)) {
            metrics.consumed(group, event, MessagingMetrics.Outcome.PASSED_OVER);
            return false;
        }
        MDC.put("clusterId", event.subject());
        MDC.put("correlationId", event.correlationId());
        MDC.put("eventId", event.id());
        try {
            while (true) {
                try {
                    if (transactions.inTransaction(connection -> processed.contains(connection, group, event.id()))) {
                        LOG.debugf("Skipping %s %s: already handled", event.type().ceType(), event.id());
                        metrics.consumed(group, event, MessagingMetrics.Outcome.DUPLICATE);
                        return true;
                    }
                    handleWithRetries(record, event);
                    return true;
                } catch (InterruptedException e) {
                    throw e;
                } catch (Exception e) {
                    // the inbox is unreachable: hold the offset until it is back
                    LOG.errorf("Cannot reach the inbox for %s (%s); retrying", event.id(), e.toString());
                    Thread.sleep(config.retryBackoff().toMillis());
                }
            }
        } finally {
            MDC.remove("clusterId");
            MDC.remove("correlationId");
            MDC.remove("eventId");
        }
    }

    private void handleWithRetries(ConsumerRecord<byte[], byte[]> record, EventEnvelope<?> event) throws Exception {
        Duration backoff = config.retryBackoff();
        for (int attempt = 1; ; attempt++) {
            try {
                List<EventEnvelope<?>> caused = new ArrayList<>(handler == null ? List.of() : handler.handle(event));
                boolean first = transactions.inTransaction(connection -> {
                    if (!processed.add(connection, group, event.id(), null)) {
                        return false;
                    }
                    if (transactionalHandler != null) {
                        caused.addAll(transactionalHandler.handle(event, connection));
                    }
                    for (EventEnvelope<?> next : caused) {
                        outbox.append(connection, next);
                    }
                    return true;
                });
                if (first && !caused.isEmpty()) {
                    outbox.wakeUp();
                }
                metrics.consumed(group, event, first ? MessagingMetrics.Outcome.HANDLED
                        : MessagingMetrics.Outcome.DUPLICATE);
                return;
            } catch (PermanentEventException e) {
                deadLetter(record, event, e.getMessage());
                return;
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                if (attempt >= config.maxAttempts()) {
                    deadLetter(record, event, "failed " + attempt + " times, last: " + e);
                    return;
                }
                LOG.warnf("Handling %s failed (attempt %d of %d), retrying in %s: %s", event.type().ceType(),
                        attempt, config.maxAttempts(), backoff, e.toString());
                Thread.sleep(backoff.toMillis());
                backoff = backoff.multipliedBy(2);
            }
        }
    }

    private void deadLetter(ConsumerRecord<byte[], byte[]> record, EventEnvelope<?> event, String reason)
            throws InterruptedException {
        Duration backoff = config.retryBackoff();
        while (true) {
            try {
                deadLetters.send(record, group, reason);
                if (event != null) {
                    transactions.inTransaction(connection -> processed.add(connection, group, event.id(), reason));
                }
                metrics.deadLettered(group, record.topic());
                metrics.consumed(group, event, MessagingMetrics.Outcome.DEAD_LETTERED);
                return;
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                // nothing is dropped: the offset stays until the dead letter is safe in Kafka
                LOG.errorf("Cannot dead-letter %s/%d@%d yet (%s); retrying", record.topic(), record.partition(),
                        record.offset(), e.toString());
                Thread.sleep(backoff.toMillis());
                backoff = backoff.multipliedBy(2).compareTo(Duration.ofSeconds(30)) > 0
                        ? Duration.ofSeconds(30) : backoff.multipliedBy(2);
            }
        }
    }

    private KafkaConsumer<byte[], byte[]> newConsumer() {
        return new KafkaConsumer<>(consumerConfig(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private Map<String, Object> consumerConfig() {
        Map<String, Object> properties = new HashMap<>();
        properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        properties.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        properties.put(ConsumerConfig.CLIENT_ID_CONFIG, group + "-" + name);
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        properties.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, config.maxPollRecords());
        // the outbox relays publish in transactions: what one aborted was never published
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return properties;
    }
}
