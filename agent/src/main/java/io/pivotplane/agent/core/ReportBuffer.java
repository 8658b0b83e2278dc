package io.pivotplane.agent.core;

import io.pivotplane.agent.messaging.ReportNotSentException;
import io.pivotplane.events.AgentReport;
import io.pivotplane.events.EventEnvelope;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's reports on their way to the plane, in the order they were made. A thread of its own hands them to the
 * channel, so that looking at the cluster, scaling it and repairing its add-ons never wait for Kafka. While the channel
 * cannot send (the plane's broker is away, the network is cut) the reports wait here, bounded, and in the cluster's
 * own API through a {@link ReportStore}, so that an agent restarted meanwhile still delivers them; when the channel is
 * back they go out in order, each with the event id it was made with, on which the plane de-duplicates one sent again
 * after an acknowledgement was lost. A report other than a heartbeat is stored before it is first sent; a heartbeat
 * only says "still here", costs no write while the channel works, and a waiting one gives way to the next.
 */
final class ReportBuffer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ReportBuffer.class);
    /** Reports that may wait: at the heartbeat interval, a day of heartbeats alone would not fill it (they replace). */
    static final int CAPACITY = 500;
    static final Duration FIRST_RETRY = Duration.ofSeconds(1);
    static final Duration LAST_RETRY = Duration.ofSeconds(30);

    private final String clusterName;
    private final ReportStore store;
    private final Consumer<EventEnvelope<AgentReport>> channel;
    private final ScheduledExecutorService sender;
    private final AtomicBoolean sendPending = new AtomicBoolean();
    /** Guarded by {@code this}. */
    private final Deque<EventEnvelope<AgentReport>> waiting = new ArrayDeque<>();
    /** Guarded by {@code this}: whether the store may hold reports that are no longer waiting. */
    private boolean storeHolds;
    /** Guarded by {@code this}: whether the last send failed, until one succeeds. */
    private boolean offline;
    private long dropped;
    private Duration retry = FIRST_RETRY;
    private volatile boolean running = true;

    /**
     * @param channel sends one report and returns once the plane's broker has it, or throws
     *     {@link ReportNotSentException}
     */
    ReportBuffer(String clusterName, ReportStore store, Consumer<EventEnvelope<AgentReport>> channel) {
        this.clusterName = clusterName;
        this.store = store;
        this.channel = channel;
        this.sender = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "agent-reports-" + clusterName);
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Takes up what an agent before this one left unsent, and starts sending. */
    void start() {
        List<EventEnvelope<AgentReport>> left = List.of();
        try {
            left = store.load();
        } catch (RuntimeException e) {
            LOG.warn("Agent of {} cannot read the reports it left unsent: {}", clusterName, e.toString());
        }
        synchronized (this) {
            waiting.addAll(left);
            storeHolds = !left.isEmpty();
        }
        if (!left.isEmpty()) {
            LOG.info("Agent of {} sends {} report(s) left unsent before it started", clusterName, left.size());
        }
        sendSoon(Duration.ZERO);
    }

    /** Queues a report to be sent after those before it; it never waits for the channel. */
    void add(EventEnvelope<AgentReport> report) {
        boolean store;
        synchronized (this) {
            if (isHeartbeat(report)) {
                waiting.removeIf(ReportBuffer::isHeartbeat);
            }
            if (waiting.size() >= CAPACITY) {
                dropOldest();
            }
            waiting.addLast(report);
            store = offline || !isHeartbeat(report);
        }
        if (store) {
            save();
        }
        sendSoon(Duration.ZERO);
    }

    /** How many reports wait to be sent. */
    synchronized int waiting() {
        return waiting.size();
    }

    /** How many reports were dropped because the buffer was full. */
    synchronized long dropped() {
        return dropped;
    }

    private void dropOldest() {
        EventEnvelope<AgentReport> victim = waiting.stream().filter(ReportBuffer::isHeartbeat).findFirst()
                .orElse(waiting.peekFirst());
        waiting.remove(victim);
        dropped++;
        LOG.error("Agent of {} holds {} unsent reports, its limit: it drops the oldest, a {} of {} ({} dropped so far)",
                clusterName, CAPACITY, victim.payload().kind(), victim.time(), dropped);
    }

    private void sendSoon(Duration delay) {
        if (running && sendPending.compareAndSet(false, true)) {
            try {
                sender.schedule(this::sendWaiting, delay.toMillis(), TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                // closing: what waits is stored by close()
                sendPending.set(false);
            }
        }
    }

    /** Sends the waiting reports in order until none is left or the channel fails; then tries again later. */
    private void sendWaiting() {
        sendPending.set(false);
        boolean sentAny = false;
        while (running) {
            EventEnvelope<AgentReport> next;
            synchronized (this) {
                next = waiting.peekFirst();
            }
            if (next == null) {
                break;
            }
            try {
                channel.accept(next);
            } catch (ReportNotSentException e) {
                boolean wasOnline;
                synchronized (this) {
                    wasOnline = !offline;
                    offline = true;
                }
                if (wasOnline) {
                    LOG.warn("Agent of {} cannot send its reports ({}); they wait, in this cluster too",
                            clusterName, e.getMessage());
                }
                if (wasOnline || sentAny) {
                    save();
                }
                Duration wait = retry;
                retry = retry.multipliedBy(2).compareTo(LAST_RETRY) > 0 ? LAST_RETRY : retry.multipliedBy(2);
                sendSoon(wait);
                return;
            } catch (RuntimeException e) {
                // not the channel being away but this report (it cannot be written): it would hold up all behind it
                LOG.error("Agent of {} passes over a {} report it cannot send", clusterName, next.payload().kind(), e);
            }
            boolean cameBack;
            synchronized (this) {
                waiting.removeFirstOccurrence(next);
                cameBack = offline;
                offline = false;
            }
            if (cameBack) {
                LOG.info("Agent of {} sends its reports again", clusterName);
            }
            retry = FIRST_RETRY;
            sentAny = true;
        }
        boolean clearStore;
        synchronized (this) {
            clearStore = storeHolds && sentAny;
        }
        if (clearStore) {
            save();
        }
    }

    /** Writes what waits to the store; a store that fails leaves the reports waiting in memory. */
    private void save() {
        List<EventEnvelope<AgentReport>> snapshot;
        synchronized (this) {
            snapshot = List.copyOf(waiting);
        }
        try {
            store.save(snapshot);
            synchronized (this) {
                storeHolds = !snapshot.isEmpty();
            }
        } catch (RuntimeException e) {
            LOG.warn("Agent of {} cannot keep its {} unsent report(s) in its cluster: {}", clusterName,
                    snapshot.size(), e.toString());
        }
    }

    private static boolean isHeartbeat(EventEnvelope<AgentReport> report) {
        return report.payload().kind() == AgentReport.Kind.HEARTBEAT;
    }

    /** Stops sending; what still waits is kept in the store for the next agent. */
    @Override
    public void close() {
        running = false;
        sender.shutdownNow();
        try {
            sender.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        boolean unsent;
        synchronized (this) {
            unsent = !waiting.isEmpty() || storeHolds;
        }
        if (unsent) {
            save();
        }
    }
}
