package io.pivotplane.devstack.simulator.capi;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * controller-runtime's work queue, for the controllers of one cluster: a key is reconciled by one controller at a
 * time, a change during its reconcile makes it run once more afterwards, a failure runs it again after a growing
 * back-off, a requested delay after that delay.
 */
final class WorkQueue {

    private static final Logger LOG = LoggerFactory.getLogger(WorkQueue.class);
    private static final Duration FIRST_RETRY = Duration.ofMillis(100);
    private static final Duration LAST_RETRY = Duration.ofSeconds(5);

    private record Item(Controller controller, Key key) {
    }

    private final String cluster;
    private final ScheduledExecutorService scheduler;
    private final Predicate<Controller> active;
    private final Set<Item> running = new HashSet<>();
    private final Set<Item> dirty = new HashSet<>();
    private final Map<Item, Integer> failures = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /** @param active whether a controller may act now (its provider runs) */
    WorkQueue(String cluster, ScheduledExecutorService scheduler, Predicate<Controller> active) {
        this.cluster = cluster;
        this.scheduler = scheduler;
        this.active = active;
    }

    void add(Controller controller, Key key, Duration delay) {
        if (closed) {
            return;
        }
        Item item = new Item(controller, key);
        try {
            if (delay.isZero()) {
                scheduler.execute(() -> run(item));
            } else {
                scheduler.schedule(() -> run(item), delay.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (RejectedExecutionException e) {
            // the simulator is shutting down
        }
    }

    private void run(Item item) {
        if (closed) {
            return;
        }
        synchronized (running) {
            if (!running.add(item)) {
                dirty.add(item);
                return;
            }
        }
        Optional<Duration> again = Optional.empty();
        try {
            if (active.test(item.controller())) {
                again = item.controller().reconcile(item.key());
            }
            failures.remove(item);
        } catch (RuntimeException e) {
            if (!closed) {
                int failed = failures.merge(item, 1, Integer::sum);
                again = Optional.of(backOff(failed));
                // as a controller's log shows it: conflicts are routine, other errors (credentials…) worth reading
                boolean conflict = e instanceof KubernetesClientException k && k.getCode() == 409;
                if (!conflict && (failed == 1 || failed % 20 == 0)) {
                    LOG.info("[{}] {} of {} failed ({} times), retrying: {}", cluster, item.controller(), item.key(),
                            failed, describe(e));
                } else {
                    LOG.debug("[{}] {} of {} failed ({} times), retrying: {}", cluster, item.controller(), item.key(),
                            failed, describe(e));
                }
            }
        } finally {
            boolean rerun;
            synchronized (running) {
                running.remove(item);
                rerun = dirty.remove(item);
            }
            if (rerun) {
                add(item.controller(), item.key(), Duration.ZERO);
            }
        }
        again.ifPresent(delay -> add(item.controller(), item.key(), delay));
    }

    private static Duration backOff(int failures) {
        long millis = FIRST_RETRY.toMillis() << Math.min(failures - 1, 10);
        return Duration.ofMillis(Math.min(millis, LAST_RETRY.toMillis()));
    }

    private static String describe(RuntimeException e) {
        if (e instanceof KubernetesClientException k) {
            return k.getCode() + " " + k.getMessage();
        }
        return e.toString();
    }

    void close() {
        closed = true;
    }
}
