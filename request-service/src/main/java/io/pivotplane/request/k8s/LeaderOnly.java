package io.pivotplane.request.k8s;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Runs work on one replica at a time: the one holding a {@code coordination.k8s.io} Lease, as controllers elect
 * their leader. A replica that loses the lease stops the work and stands for election again; one that stops
 * releases the lease, so another takes over at once rather than after the lease runs out.
 */
final class LeaderOnly implements AutoCloseable {

    /** How long a lease holds, how long its holder keeps trying to renew it, how often others try to take it. */
    record Timing(Duration leaseDuration, Duration renewDeadline, Duration retryPeriod) {
        static final Timing CONTROLLERS = new Timing(Duration.ofSeconds(15), Duration.ofSeconds(10),
                Duration.ofSeconds(2));
    }

    private static final Logger LOG = Logger.getLogger(LeaderOnly.class);

    private final KubernetesClient client;
    private final String namespace;
    private final String lease;
    private final String identity;
    private final Timing timing;
    private final Runnable startWork;
    private final Runnable stopWork;
    private volatile boolean closed;
    private volatile boolean leading;
    private volatile CompletableFuture<?> election;

    LeaderOnly(KubernetesClient client, String namespace, String lease, String identity, Timing timing,
               Runnable startWork, Runnable stopWork) {
        this.client = client;
        this.namespace = namespace;
        this.lease = lease;
        this.identity = identity;
        this.timing = timing;
        this.startWork = startWork;
        this.stopWork = stopWork;
    }

    synchronized void start() {
        if (closed) {
            return;
        }
        election = client.leaderElector().withConfig(new LeaderElectionConfigBuilder()
                .withName(lease)
                .withLock(new LeaseLock(namespace, lease, identity))
                .withLeaseDuration(timing.leaseDuration())
                .withRenewDeadline(timing.renewDeadline())
                .withRetryPeriod(timing.retryPeriod())
                .withReleaseOnCancel(true)
                .withLeaderCallbacks(new LeaderCallbacks(this::started, this::stopped,
                        leader -> LOG.infof("Lease %s/%s is held by %s", namespace, lease, leader)))
                .build()).build().start();
        election.whenComplete((done, failure) -> {
            if (!closed) {
                // lost the lease, or could not reach the API server: stand again after a pause
                CompletableFuture.delayedExecutor(timing.retryPeriod().toMillis(), TimeUnit.MILLISECONDS)
                        .execute(this::start);
            }
        });
    }

    boolean isLeading() {
        return leading;
    }

    private void started() {
        leading = true;
        LOG.infof("%s leads (lease %s/%s)", identity, namespace, lease);
        startWork.run();
    }

    private void stopped() {
        if (leading) {
            leading = false;
            LOG.infof("%s no longer leads (lease %s/%s)", identity, namespace, lease);
            stopWork.run();
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (election != null) {
            election.cancel(true);
        }
        stopped();
    }
}
