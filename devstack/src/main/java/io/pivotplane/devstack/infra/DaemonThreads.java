package io.pivotplane.devstack.infra;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicLong;

/** Threads that do not keep the JVM alive, numbered after a name: {@code <name>-1}, {@code <name>-2}, … */
public final class DaemonThreads {

    private DaemonThreads() {
    }

    public static ThreadFactory named(String name) {
        AtomicLong threads = new AtomicLong();
        return runnable -> {
            Thread thread = new Thread(runnable, name + "-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
