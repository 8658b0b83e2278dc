package io.pivotplane.agent.helm;

import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives SIGINT and SIGTERM back to the JVM after Helm's library took them. The first {@code helm template} makes Go's
 * runtime, loaded into this process, install its own handlers for them (and keep the signals to itself): from then
 * on neither a pod's SIGTERM nor Ctrl-C would run the JVM's shutdown hooks, and the agent (or the local stack that runs
 * agents) would stop only when killed. Reinstalled once, they do what the JVM does: exit with 128 + the signal's
 * number, running the hooks. Go does not take them again.
 */
final class JvmSignals {

    private static final Logger LOG = LoggerFactory.getLogger(JvmSignals.class);
    private static final AtomicBoolean RECLAIMED = new AtomicBoolean();

    private JvmSignals() {
    }

    @SuppressWarnings("sunapi")
    static void reclaimAfterHelm() {
        if (!RECLAIMED.compareAndSet(false, true)) {
            return;
        }
        for (String name : new String[] {"INT", "TERM"}) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> System.exit(128 + signal.getNumber()));
            } catch (IllegalArgumentException e) {
                // the JVM runs with -Xrs, or the signal is the JVM's own: leave it as it is
                LOG.debug("SIG{} stays as it is: {}", name, e.getMessage());
            }
        }
    }
}
