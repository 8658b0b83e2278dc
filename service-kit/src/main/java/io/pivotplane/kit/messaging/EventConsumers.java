package io.pivotplane.kit.messaging;

import io.pivotplane.events.EventEnvelope;
import io.pivotplane.kit.config.MessagingConfig;
import io.pivotplane.kit.persistence.Transactions;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Starts the service's subscriptions: each a set of topics, a handler, and as many consumer threads as
 * configured. Every consumer handles an event at most once (the inbox), publishes what it causes through the
 * outbox, dead-letters what it cannot handle, and goes on.
 */
@ApplicationScoped
public class EventConsumers {

    private static final Predicate<EventEnvelope<?>> ALL = event -> true;

    private final MessagingConfig config;
    private final String bootstrapServers;
    private final Transactions transactions;
    private final ProcessedEvents processed;
    private final Outbox outbox;
    private final DeadLetters deadLetters;
    private final MessagingMetrics metrics;
    private final List<ConsumerLoop> loops = new CopyOnWriteArrayList<>();

    public EventConsumers(MessagingConfig config,
                          @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers,
                          Transactions transactions, ProcessedEvents processed, Outbox outbox,
                          DeadLetters deadLetters, MessagingMetrics metrics) {
        this.metrics = metrics;
        this.config = config;
        this.bootstrapServers = bootstrapServers;
        this.transactions = transactions;
        this.processed = processed;
        this.outbox = outbox;
        this.deadLetters = deadLetters;
    }

    /**
     * A subscription whose handler writes to Kubernetes (or elsewhere outside the database): it runs before the
     * inbox's transaction and must be safe to repeat.
     *
     * @param name what the subscription is for, in logs and thread names, e.g. {@code requested}
     */
    public void subscribe(String name, Collection<String> topics, EventHandler handler) {
        subscribe(name, topics, ALL, handler);
    }

    /**
     * As {@link #subscribe(String, Collection, EventHandler)}, for a subscription that needs only some of its topics'
     * events: the others are read and passed over without an inbox row, a transaction or an offset commit of their
     * own. The agents' heartbeats, one per cluster every few seconds, would otherwise each cost every subscriber of
     * the agents' reports a database write.
     */
    public void subscribe(String name, Collection<String> topics, Predicate<EventEnvelope<?>> needed,
                          EventHandler handler) {
        start(name, config.consumer().group(), topics, needed, handler, null);
    }

    /** A subscription whose handler writes to the database in the inbox's own transaction: exactly once. */
    public void subscribeTransactional(String name, Collection<String> topics, TransactionalEventHandler handler) {
        subscribeTransactional(name, topics, ALL, handler);
    }

    /** As {@link #subscribeTransactional(String, Collection, TransactionalEventHandler)}, passing over what it does not need. */
    public void subscribeTransactional(String name, Collection<String> topics, Predicate<EventEnvelope<?>> needed,
                                       TransactionalEventHandler handler) {
        start(name, config.consumer().group(), topics, needed, null, handler);
    }

    private void start(String name, String group, Collection<String> topics, Predicate<EventEnvelope<?>> needed,
                       EventHandler handler, TransactionalEventHandler transactionalHandler) {
        topics.forEach(topic -> metrics.deadLetters(group, topic));
        for (int i = 0; i < config.consumer().concurrency(); i++) {
            ConsumerLoop loop = new ConsumerLoop(name + "-" + i, group, List.copyOf(topics), needed, handler,
                    transactionalHandler, bootstrapServers, config.consumer(), transactions, processed, outbox,
                    deadLetters, metrics);
            loops.add(loop);
            loop.start();
        }
    }

    /** Whether every consumer thread has joined its group and runs. */
    public boolean allRunning() {
        return loops.stream().allMatch(ConsumerLoop::isRunning);
    }

    public List<String> notRunning() {
        return loops.stream().filter(loop -> !loop.isRunning()).map(ConsumerLoop::name).toList();
    }

    void stop(@Observes ShutdownEvent shutdown) {
        loops.forEach(ConsumerLoop::stop);
        loops.forEach(ConsumerLoop::join);
    }
}
