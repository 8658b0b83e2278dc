package io.pivotplane.devstack.infra;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs its tasks one at a time and in order, on the threads of a pool shared with other serial executors: what
 * many simulated clusters need each for themselves, without a thread each.
 */
public final class SerialExecutor implements Executor {

    private final Executor pool;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean draining = new AtomicBoolean();

    public SerialExecutor(Executor pool) {
        this.pool = pool;
    }

    @Override
    public void execute(Runnable task) {
        tasks.add(task);
        drainSoon();
    }

    private void drainSoon() {
        if (draining.compareAndSet(false, true)) {
            try {
                pool.execute(this::drain);
            } catch (RejectedExecutionException e) {
                // the pool is shut down: so is everything that would run here
                draining.set(false);
            }
        }
    }

    private void drain() {
        try {
            Runnable task;
            while ((task = tasks.poll()) != null && !Thread.currentThread().isInterrupted()) {
                task.run();
            }
        } finally {
            draining.set(false);
        }
        if (!tasks.isEmpty() && !Thread.currentThread().isInterrupted()) {
            drainSoon();
        }
    }
}
