package io.pivotplane.pivot.service;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * What a Kubernetes controller's work queue does, for pivot-service's moves and deletions: each key is reconciled
 * when it is due, by one of a few threads, never twice at once (a key enqueued while it runs runs once more after
 * it). A reconcile does what can be done now and says when to look again, as CAPI's {@code RequeueAfter}: nothing
 * waits inside it, so no Kafka consumer ever holds its partition while a cluster boots.
 */
final class ReconcileLoop implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ReconcileLoop.class);

    private final String name;
    private final Function<String, Optional<Duration>> reconcile;
    private final ScheduledExecutorService executor;
    private final Map<String, Entry> entries = new HashMap<>();

    /** How one key stands: its next run, whether it runs now, and whether it must run again after. */
    private static final class Entry {
        ScheduledFuture<?> scheduled;
        Instant due;
        boolean running;
        boolean again;
    }

    /** @param reconcile does the work of a key; returns when to look at it again, or empty when it is finished */
    ReconcileLoop(String name, int workers, Function<String, Optional<Duration>> reconcile) {
        this.name = name;
        this.reconcile = reconcile;
        AtomicInteger threads = new AtomicInteger();
        ScheduledThreadPoolExecutor pool = new ScheduledThreadPoolExecutor(workers, runnable -> {
            Thread thread = new Thread(runnable, name + "-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        // at shutdown, what is only scheduled waits for the next start, which takes every unfinished key up again
        pool.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.executor = pool;
    }

    /** Reconciles the key after {@code delay}, or sooner if it was due sooner already. */
    synchronized void enqueue(String key, Duration delay) {
        if (executor.isShutdown()) {
            return;
        }
        Entry entry = entries.computeIfAbsent(key, k -> new Entry());
        if (entry.running) {
            entry.again = true;
            return;
        }
        Instant due = Instant.now().plus(delay);
        if (entry.scheduled != null && !entry.scheduled.isDone()) {
            if (!due.isBefore(entry.due)) {
                return;
            }
            entry.scheduled.cancel(false);
        }
        entry.due = due;
        entry.scheduled = executor.schedule(() -> run(key), Math.max(0, delay.toMillis()), TimeUnit.MILLISECONDS);
    }

    private void run(String key) {
        synchronized (this) {
            Entry entry = entries.get(key);
            if (entry == null || entry.running) {
                return;
            }
            entry.running = true;
            entry.scheduled = null;
        }
        Optional<Duration> next;
        try {
            next = reconcile.apply(key);
        } catch (RuntimeException | Error e) {
            LOG.errorf(e, "%s: reconciling %s failed unexpectedly; trying again", name, key);
            next = Optional.of(Duration.ofSeconds(5));
        }
        synchronized (this) {
            Entry entry = entries.get(key);
            entry.running = false;
            boolean again = entry.again;
            entry.again = false;
            if (again) {
                enqueue(key, Duration.ZERO);
            } else if (next.isPresent()) {
                enqueue(key, next.get());
            } else {
                entries.remove(key);
            }
        }
    }

    /** Keys waiting or running, for metrics and tests. */
    synchronized int size() {
        return entries.size();
    }

    /** Lets the reconciles that run finish (each ends at a recorded step) rather than interrupting their calls. */
    @Override
    public void close() {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
