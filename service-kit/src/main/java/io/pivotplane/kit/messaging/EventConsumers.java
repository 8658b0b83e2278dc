package io.pivotplane.kit.messaging;

import io.pivotplane.events.EventEnvelope;
import io.pivotplane.events.Topics;
import io.pivotplane.events.kafka.AgentMacs;
import io.pivotplane.events.kafka.EventEnvelopeDeserializer;
import io.pivotplane.kit.config.MessagingConfig;
import io.pivotplane.kit.persistence.Transactions;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * What every subscription of a service does with a record its SmallRye Kafka channel delivers: handle the event at
 * most once (the inbox), publish what it causes through the outbox, dead-letter what it cannot handle, and go on.
 * A service declares each channel with {@code @Incoming("<channel>") @Blocking} (its topics and concurrency in
 * {@code mp.messaging.incoming.<channel>.*}), registers the channel's handler here at startup, and passes every
 * record to {@link #process}. The offset is acknowledged only once {@code process} returns, that is once the event
 * was handled or dead-lettered and recorded; a crash delivers it again and the inbox drops what was already done.
 */
@ApplicationScoped
public class EventConsumers {

    private static final Logger LOG = Logger.getLogger(EventConsumers.class);
    private static final Predicate<EventEnvelope<?>> ALL = event -> true;

    private record Subscription(String channel, String group, Predicate<EventEnvelope<?>> needed,
                                EventHandler handler, TransactionalEventHandler transactionalHandler) {
    }

    private final MessagingConfig.Consumer config;
    private final Transactions transactions;
    private final ProcessedEvents processed;
    private final Outbox outbox;
    private final DeadLetters deadLetters;
    private final MessagingMetrics metrics;
    private final AgentKeys agentKeys;
    private final EventEnvelopeDeserializer deserializer = new EventEnvelopeDeserializer();
    private final Map<String, Subscription> subscriptions = new ConcurrentHashMap<>();
    private final Map<String, CountDownLatch> registered = new ConcurrentHashMap<>();

    public EventConsumers(MessagingConfig config, Transactions transactions, ProcessedEvents processed, Outbox outbox,
                          DeadLetters deadLetters, MessagingMetrics metrics, AgentKeys agentKeys) {
        this.agentKeys = agentKeys;
        this.config = config.consumer();
        this.transactions = transactions;
        this.processed = processed;
        this.outbox = outbox;
        this.deadLetters = deadLetters;
        this.metrics = metrics;
    }

    /**
     * A subscription whose handler writes to Kubernetes (or elsewhere outside the database): it runs before the
     * inbox's transaction and must be safe to repeat.
     *
     * @param channel the SmallRye channel whose records it handles, e.g. {@code specs-created}
     */
    public void subscribe(String channel, EventHandler handler) {
        subscribe(channel, ALL, handler);
    }

    /**
     * As {@link #subscribe(String, EventHandler)}, for a subscription that needs only some of its topics' events: the
     * others are passed over without an inbox row or a transaction. The agents' heartbeats, one per cluster every few
     * seconds, would otherwise each cost every subscriber of the agents' reports a database write.
     */
    public void subscribe(String channel, Predicate<EventEnvelope<?>> needed, EventHandler handler) {
        register(new Subscription(channel, config.group(), needed, handler, null));
    }

    /** A subscription whose handler writes to the database in the inbox's own transaction: exactly once. */
    public void subscribeTransactional(String channel, TransactionalEventHandler handler) {
        subscribeTransactional(channel, ALL, handler);
    }

    /** As {@link #subscribeTransactional(String, TransactionalEventHandler)}, passing over what it does not need. */
    public void subscribeTransactional(String channel, Predicate<EventEnvelope<?>> needed,
                                       TransactionalEventHandler handler) {
        register(new Subscription(channel, config.group(), needed, null, handler));
    }

    private void register(Subscription subscription) {
        // the series exist at 0 from the start, so that an alert on them can fire from the first dead letter
        for (String topic : topics(subscription.channel())) {
            metrics.deadLetters(subscription.group(), topic);
        }
        subscriptions.put(subscription.channel(), subscription);
        latch(subscription.channel()).countDown();
    }

    private static List<String> topics(String channel) {
        Config config = ConfigProvider.getConfig();
        String prefix = "mp.messaging.incoming." + channel + ".";
        return config.getOptionalValue(prefix + "topics", String.class)
                .or(() -> config.getOptionalValue(prefix + "topic", String.class))
                .map(topics -> List.of(topics.split("\\s*,\\s*")))
                .orElse(List.of(channel));
    }

    private CountDownLatch latch(String channel) {
        return registered.computeIfAbsent(channel, c -> new CountDownLatch(1));
    }

    /**
     * Returns only when the record was handled or dead-lettered, and recorded as such, or passed over as not needed.
     * Nothing escapes but an interruption: a failure outside the handler's own (the inbox unreachable, a bug) is
     * retried on the same record after a pause, so that the channel never stops and no record is skipped.
     */
    public void process(String channel, ConsumerRecord<byte[], byte[]> record) throws InterruptedException {
        Subscription subscription = awaitSubscription(channel);
        Duration pause = config.retryBackoff();
        while (true) {
            try {
                handle(subscription, record);
                return;
            } catch (InterruptedException e) {
                throw e;
            } catch (Throwable e) {
                metrics.handlingRetried(subscription.group(), channel);
                LOG.errorf(e, "Handling %s/%d@%d failed outside its handler; trying it again in %s", record.topic(),
                        record.partition(), record.offset(), pause);
                Thread.sleep(pause.toMillis());
                pause = min(pause.multipliedBy(2), Duration.ofSeconds(30));
            }
        }
    }

    /** The channel may deliver before the service registered its handler: its records wait for it. */
    private Subscription awaitSubscription(String channel) throws InterruptedException {
        Subscription subscription = subscriptions.get(channel);
        while (subscription == null) {
            if (!latch(channel).await(30, TimeUnit.SECONDS)) {
                LOG.warnf("Records of channel %s wait for its subscription, which is not registered yet", channel);
            }
            subscription = subscriptions.get(channel);
        }
        return subscription;
    }

    private void handle(Subscription subscription, ConsumerRecord<byte[], byte[]> record) throws Exception {
        String group = subscription.group();
        if (record.value() == null) {
            deadLetter(group, record, null, "a record without a value (a tombstone) is not an event");
            return;
        }
        if (Topics.AGENT_REPORTS.equals(record.topic()) && !agentKeys.fromItsAgent(record)) {
            deadLetter(group, record, null, "a report not signed by the agent of cluster '"
                    + AgentMacs.subject(record.headers()) + "' (sent by another agent, or forged)");
            return;
        }
        EventEnvelope<?> event;
        try {
            event = deserializer.deserialize(record.topic(), record.headers(), record.value());
        } catch (RuntimeException e) {
            deadLetter(group, record, null, "unreadable event: " + e.getMessage());
            return;
        }
        if (!subscription.needed().test(event)) {
            metrics.consumed(group, event, MessagingMetrics.Outcome.PASSED_OVER);
            return;
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
                        return;
                    }
                    break;
                } catch (InterruptedException e) {
                    throw e;
                } catch (Exception e) {
                    // the inbox is unreachable: hold the record until it is back
                    LOG.errorf("Cannot reach the inbox for %s (%s); retrying", event.id(), e.toString());
                    Thread.sleep(config.retryBackoff().toMillis());
                }
            }
            handleWithRetries(subscription, record, event);
        } finally {
            MDC.remove("clusterId");
            MDC.remove("correlationId");
            MDC.remove("eventId");
        }
    }

    private void handleWithRetries(Subscription subscription, ConsumerRecord<byte[], byte[]> record,
                                   EventEnvelope<?> event) throws Exception {
        String group = subscription.group();
        Duration backoff = config.retryBackoff();
        for (int attempt = 1; ; attempt++) {
            try {
                List<EventEnvelope<?>> caused = new ArrayList<>(subscription.handler() == null ? List.of()
                        : subscription.handler().handle(event));
                boolean first = transactions.inTransaction(connection -> {
                    if (!processed.add(connection, group, event.id(), null)) {
                        return false;
                    }
                    if (subscription.transactionalHandler() != null) {
                        caused.addAll(subscription.transactionalHandler().handle(event, connection));
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
                deadLetter(group, record, event, e.getMessage());
                return;
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                if (unreachable(e)) {
                    // the database or an API server is away: the event is not at fault, so it waits, uncounted
                    LOG.warnf("Handling %s waits for what it needs, unreachable now: %s", event.type().ceType(),
                            e.toString());
                    Thread.sleep(backoff.toMillis());
                    backoff = min(backoff.multipliedBy(2), Duration.ofSeconds(30));
                    attempt--;
                    continue;
                }
                if (attempt >= config.maxAttempts()) {
                    deadLetter(group, record, event, "failed " + attempt + " times, last: " + e);
                    return;
                }
                LOG.warnf("Handling %s failed (attempt %d of %d), retrying in %s: %s", event.type().ceType(),
                        attempt, config.maxAttempts(), backoff, e.toString());
                Thread.sleep(backoff.toMillis());
                backoff = backoff.multipliedBy(2);
            }
        }
    }

    private void deadLetter(String group, ConsumerRecord<byte[], byte[]> record, EventEnvelope<?> event,
                            String reason) throws InterruptedException {
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
                // nothing is dropped: the record stays unacknowledged until the dead letter is safe in Kafka
                LOG.errorf("Cannot dead-letter %s/%d@%d yet (%s); retrying", record.topic(), record.partition(),
                        record.offset(), e.toString());
                Thread.sleep(backoff.toMillis());
                backoff = min(backoff.multipliedBy(2), Duration.ofSeconds(30));
            }
        }
    }

    /**
     * Whether a failure says a dependency cannot be reached (a connection refused or lost, PostgreSQL's class 08),
     * rather than that the event cannot be handled.
     */
    static boolean unreachable(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof java.net.ConnectException || cause instanceof java.net.NoRouteToHostException
                    || cause instanceof java.sql.SQLTransientConnectionException
                    || cause instanceof java.sql.SQLNonTransientConnectionException
                    || (cause instanceof java.sql.SQLException sql && sql.getSQLState() != null
                            && sql.getSQLState().startsWith("08"))) {
                return true;
            }
        }
        return false;
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
