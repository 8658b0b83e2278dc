package io.pivotplane.addon.service;

import io.pivotplane.addon.config.AddonConfig;
import io.pivotplane.addon.persistence.AddonPlans;
import io.pivotplane.addon.persistence.SpecChanges;
import io.pivotplane.events.EventEnvelope;
import io.pivotplane.kit.messaging.Outbox;
import io.pivotplane.kit.persistence.Transactions;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Looks every {@code sweep-interval} for add-on commands and spec changes whose answer is overdue and gives up on
 * them ({@link AddonService#expireUnanswered}, {@link SpecChangeRelay#expireUnanswered}), and for failed add-ons
 * whose back-off has passed
 * ({@link AddonService#sendDueRetries}); what that causes goes out through the outbox. Removes the
 * plans of clusters never requested after {@code profile-wait}. Replicas
 * may sweep at the same time: the plan's row lock and the timeout checked again under it make one of them act.
 */
@ApplicationScoped
public class UnansweredCommandSweep {

    private static final Logger LOG = Logger.getLogger(UnansweredCommandSweep.class);

    private final AddonService addons;
    private final AddonConfig config;
    private final Transactions transactions;
    private final Outbox outbox;
    private ScheduledExecutorService scheduler;

    private final SpecChangeRelay specChanges;

    public UnansweredCommandSweep(AddonService addons, SpecChangeRelay specChanges, AddonConfig config,
                                  Transactions transactions, Outbox outbox) {
        this.addons = addons;
        this.specChanges = specChanges;
        this.config = config;
        this.transactions = transactions;
        this.outbox = outbox;
    }

    void start(@Observes StartupEvent startup) {
        scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "unanswered-command-sweep");
            thread.setDaemon(true);
            return thread;
        });
        long every = config.sweepInterval().toMillis();
        scheduler.scheduleWithFixedDelay(this::sweep, every, every, TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent shutdown) {
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
    }

    void sweep() {
        try {
            Instant requestedBefore = Instant.now().minus(config.profileWait());
            for (String clusterId : transactions.inTransaction(tx ->
                    AddonPlans.removeWithoutProfileSince(tx, requestedBefore))) {
                LOG.warnf("Removed the add-on plan of %s: its cluster was never requested (no ClusterRequested"
                        + " within %s of its pivot or its agent's reports)", clusterId, config.profileWait());
            }
            Instant now = Instant.now();
            for (String clusterId : transactions.inTransaction(tx -> AddonPlans.unansweredAt(tx, now))) {
                act(clusterId, tx -> addons.expireUnanswered(tx, clusterId));
            }
            for (String clusterId : transactions.inTransaction(tx -> AddonPlans.retriesDueAt(tx, now))) {
                act(clusterId, tx -> addons.sendDueRetries(tx, clusterId));
            }
            for (String clusterId : transactions.inTransaction(tx -> SpecChanges.unansweredAt(tx, now))) {
                act(clusterId, tx -> specChanges.expireUnanswered(tx, clusterId));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // the next sweep tries again: nothing was committed for the cluster that failed
            LOG.warnf("Looking for unanswered add-on commands and retries due failed: %s", e.toString());
        }
    }

    private void act(String clusterId, Transactions.Work<List<EventEnvelope<?>>> step) throws Exception {
        boolean caused = transactions.inTransaction(tx -> {
            List<EventEnvelope<?>> events = step.run(tx);
            for (EventEnvelope<?> event : events) {
                outbox.append(tx, event);
            }
            return !events.isEmpty();
        });
        if (caused) {
            outbox.wakeUp();
        }
    }
}
