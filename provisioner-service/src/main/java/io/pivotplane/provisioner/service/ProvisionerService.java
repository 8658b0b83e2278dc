package io.pivotplane.provisioner.service;

import io.pivotplane.capi.Capi;
import io.pivotplane.events.ClusterDeletionRequested;
import io.pivotplane.events.ClusterEvent;
import io.pivotplane.events.ControlPlaneReady;
import io.pivotplane.events.EventEnvelope;
import io.pivotplane.events.ProvisioningFailed;
import io.pivotplane.events.SpecsCreated;
import io.pivotplane.events.Stage;
import io.pivotplane.events.model.SecretReference;
import io.pivotplane.kit.config.MessagingConfig;
import io.pivotplane.kit.messaging.Outbox;
import io.pivotplane.kit.messaging.PermanentEventException;
import io.pivotplane.kit.persistence.Transactions;
import io.pivotplane.provisioner.config.ProvisionerConfig;
import io.pivotplane.provisioner.k8s.ControlPlaneInformers;
import io.pivotplane.provisioner.persistence.ControlPlaneWatch;
import io.pivotplane.provisioner.persistence.ControlPlaneWatches;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * Step 3: waits, without polling, for CAPI to bring up the first control-plane node of each cluster, and says
 * so once with {@code ControlPlaneReady}, or with {@code ProvisioningFailed} when it takes too long.
 */
@ApplicationScoped
public class ProvisionerService {

    public static final String REASON_TIMEOUT = "ControlPlaneTimeout";

    private static final Logger LOG = Logger.getLogger(ProvisionerService.class);

    private final ControlPlaneInformers informers;
    private final Transactions transactions;
    private final Outbox outbox;
    private final ProvisionerConfig config;
    private final URI source;
    private final Map<String, ControlPlaneWatch> waiting = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "control-plane-timeouts");
        thread.setDaemon(true);
        return thread;
    });

    public ProvisionerService(ControlPlaneInformers informers, Transactions transactions, Outbox outbox,
                              ProvisionerConfig config, MessagingConfig messaging) {
        this.informers = informers;
        this.transactions = transactions;
        this.outbox = outbox;
        this.config = config;
        this.source = messaging.eventSource();
    }

    /** Resumes the watches a previous run left, then follows the management cluster. */
    public void start() throws Exception {
        transactions.inTransaction(ControlPlaneWatches::waiting).forEach(this::follow);
        informers.start(this::evaluate);
        waiting.keySet().forEach(this::evaluate);
        LOG.infof("Following %d cluster(s) waiting for their first control-plane node", waiting.size());
    }

    public void watch(EventEnvelope<?> event, SpecsCreated created) throws Exception {
        String clusterName = created.objects().stream()
                .filter(o -> Capi.CLUSTER.equals(o.kind()))
                .map(o -> o.name())
                .findFirst()
                .orElseThrow(() -> new PermanentEventException("SpecsCreated of " + created.clusterId()
                        + " names no Cluster"));
        requireKnown(created, clusterName);
        ControlPlaneWatch watch = new ControlPlaneWatch(created.clusterId(), created.namespace(), clusterName,
                event.correlationId(), Instant.now().plus(config.controlPlaneTimeout()));
        if (transactions.inTransaction(connection -> ControlPlaneWatches.register(connection, watch))) {
            follow(watch);
            evaluate(watch.key());
        }
    }

    /**
     * Awaits only a Cluster that exists and belongs to the event's cluster: an event for anything else (forged,
     * replayed from another installation, or outrun by the cluster's deletion) would be watched until it timed out
     * and then fail a cluster that is not there.
     */
    private void requireKnown(SpecsCreated created, String clusterName) {
        String key = created.namespace() + "/" + clusterName;
        String owner = informers.clusterIdOf(created.namespace(), clusterName)
                .orElseThrow(() -> new PermanentEventException("SpecsCreated of " + created.clusterId()
                        + " names the Cluster " + key + ", which is not in the management cluster"));
        if (!owner.equals(created.clusterId())) {
            throw new PermanentEventException("SpecsCreated of " + created.clusterId() + " names the Cluster " + key
                    + ", which belongs to cluster '" + owner + "'");
        }
    }

    /** A cluster being deleted is no longer awaited: its control plane will not come, and that is no failure. */
    public void stopWatching(EventEnvelope<?> event, ClusterDeletionRequested deletion) throws Exception {
        ControlPlaneWatch cancelled = new ControlPlaneWatch(deletion.clusterId(), deletion.namespace(), deletion.name(),
                event.correlationId(), Instant.now());
        if (transactions.inTransaction(connection -> ControlPlaneWatches.cancel(connection, cancelled))) {
            waiting.values().removeIf(watch -> watch.clusterId().equals(deletion.clusterId()));
            LOG.infof("%s/%s is being deleted: no longer awaited", deletion.namespace(), deletion.name());
        }
    }

    private void follow(ControlPlaneWatch watch) {
        waiting.put(watch.key(), watch);
        long delay = Math.max(0, Duration.between(Instant.now(), watch.deadline()).toMillis());
        timers.schedule(() -> timeOut(watch), delay, TimeUnit.MILLISECONDS);
    }

    private void evaluate(String key) {
        ControlPlaneWatch watch = waiting.get(key);
        if (watch == null) {
            return;
        }
        ControlPlaneInformers.Signals signals = informers.signals(watch.namespace(), watch.clusterName());
        if (!signals.ready()) {
            return;
        }
        finish(watch, ControlPlaneWatches.READY, new ControlPlaneReady(watch.clusterId(),
                signals.apiEndpoint().orElseThrow(), new SecretReference(watch.namespace(),
                Capi.kubeconfigSecretName(watch.clusterName()), Capi.KUBECONFIG_KEY), Instant.now()));
    }

    private void timeOut(ControlPlaneWatch watch) {
        if (!waiting.containsKey(watch.key())) {
            return;
        }
        ControlPlaneInformers.Signals signals = informers.signals(watch.namespace(), watch.clusterName());
        finish(watch, ControlPlaneWatches.TIMED_OUT, new ProvisioningFailed(watch.clusterId(),
                Stage.CONTROL_PLANE_READY, REASON_TIMEOUT, "the first control-plane node of " + watch.key()
                + " was not up within " + config.controlPlaneTimeout() + "; still missing: "
                + String.join(", ", signals.missing()), Instant.now()));
    }

    /** Publishes the outcome once, even when several replicas or threads get here together. */
    private void finish(ControlPlaneWatch watch, String state, ClusterEvent outcome) {
        MDC.put("clusterId", watch.clusterId());
        try {
            EventEnvelope<?> event = EventEnvelope.create(source, watch.correlationId(), outcome);
            boolean first = outbox.appendIf(connection -> ControlPlaneWatches.finish(connection, watch.clusterId(),
                    state), event);
            waiting.remove(watch.key());
            if (first) {
                LOG.infof("%s: %s", watch.key(), state.equals(ControlPlaneWatches.READY)
                        ? "first control-plane node is up" : "timed out");
            }
        } catch (Exception e) {
            // the watch stays; the next informer event or the timer tries again
            LOG.errorf("Cannot record the outcome of %s yet: %s", watch.key(), e.toString());
        } finally {
            MDC.remove("clusterId");
        }
    }

    void stop(@Observes ShutdownEvent shutdown) {
        timers.shutdownNow();
    }
}
