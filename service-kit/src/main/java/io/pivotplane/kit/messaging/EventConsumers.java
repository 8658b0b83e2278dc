package io.pivotplane.kit.messaging;

import io.pivotplane.kit.config.MessagingConfig;
import io.pivotplane.kit.persistence.Transactions;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Starts the service's subscriptions: each a set of topics, a handler, and as many consumer threads as
 * configured. Every consumer handles an event at most once (the inbox), publishes what it causes through the
 * outbox, dead-letters what it cannot handle, and goes on.
 */
@ApplicationScoped
public class EventConsumers {

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
        start(name, config.consumer().group(), topics, handler, null);
    }

    /** A subscription whose handler writes to the database in the inbox's own transaction: exactly once. */
    public void subscribeTransactional(String name, Collection<String> topics, TransactionalEventHandler handler) {
        start(name, config.consumer().group(), topics, null, handler);
    }

    private void start(String name, String group, Collection<String> topics, EventHandler handler,
                       TransactionalEventHandler transactionalHandler) {
        topics.forEach(topic -> metrics.deadLetters(group, topic));
        for (int i = 0; i < config.consumer().concurrency(); i++) {
            ConsumerLoop loop = new ConsumerLoop(name + "-" + i, group, List.copyOf(topics), handler,
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
