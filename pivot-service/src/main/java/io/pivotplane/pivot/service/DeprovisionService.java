package io.pivotplane.pivot.service;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.pivotplane.events.ClusterDeleted;
import io.pivotplane.pivot.domain.AgentIdentities;
import io.pivotplane.events.ClusterDeletionRequested;
import io.pivotplane.events.EventEnvelope;
import io.pivotplane.events.ProvisioningFailed;
import io.pivotplane.events.Stage;
import io.pivotplane.kit.config.MessagingConfig;
import io.pivotplane.kit.messaging.Outbox;
import io.pivotplane.pivot.config.PivotConfig;
import io.pivotplane.pivot.k8s.MoverAccess;
import io.pivotplane.pivot.k8s.Teardown;
import io.pivotplane.pivot.persistence.Deletion;
import io.pivotplane.pivot.persistence.DeletionStore;
import io.pivotplane.pivot.persistence.Direction;
import io.pivotplane.pivot.persistence.Move;
import io.pivotplane.pivot.persistence.MoveStep;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * Deprovisions clusters from the management cluster, in the order Cluster API tears a cluster down. A pivoted
 * cluster is first moved back there (the reverse pivot, as upstream's self-hosted clusters are deleted): torn down
 * from inside, it would lose the controllers doing the work with its last control-plane machine, halfway, and
 * leave its cloud resources behind. A deletion asked for while a move runs waits for the move to end. Like moves,
 * deletions are reconciled, never waited for in a consumer; each outcome ({@code ClusterDeleted}, or
 * {@code ProvisioningFailed} at stage {@code Deleting}) is published once, in the transaction that records it.
 */
@ApplicationScoped
public class DeprovisionService {

    public static final String REASON_INCOMPLETE = "DeletionIncomplete";
    private static final Logger LOG = Logger.getLogger(DeprovisionService.class);
    private static final Duration LEASE = Duration.ofMinutes(2);

    private final KubernetesClient management;
    private final DeletionStore deletions;
    private final PivotService moves;
    private final Outbox outbox;
    private final PivotConfig config;
    private final MessagingConfig messaging;
    private final AgentIdentities agentIdentities;
    private final String replica;
    private final ReconcileLoop loop;

    public DeprovisionService(KubernetesClient management, DeletionStore deletions, PivotService moves,
                              Outbox outbox, PivotConfig config, MessagingConfig messaging,
                              AgentIdentities agentIdentities) {
        this.agentIdentities = agentIdentities;
        this.management = management;
        this.deletions = deletions;
        this.moves = moves;
        this.outbox = outbox;
        this.config = config;
        this.replica = config.replicaId().filter(id -> !id.isBlank())
                .orElseGet(() -> "pivot-service-" + UUID.randomUUID());
        this.messaging = messaging;
        this.loop = new ReconcileLoop("deletions", config.reconcileWorkers(), this::reconcile);
    }

    void start(@Observes StartupEvent startup) throws Exception {
        moves.onMoveEnded(move -> loop.enqueue(move.clusterId(), Duration.ZERO));
        deletions.unfinished().forEach(deletion -> loop.enqueue(deletion.clusterId(), Duration.ZERO));
    }

    void stop(@Observes ShutdownEvent shutdown) {
        loop.close();
    }

    public void requested(EventEnvelope<?> event, ClusterDeletionRequested request) throws Exception {
        Deletion deletion = deletions.request(Deletion.requested(request.clusterId(), request.namespace(),
                request.name(), event.correlationId(), request.force()));
        if (deletion.state().ended()) {
            LOG.infof("The deletion of %s/%s is %s already", deletion.namespace(), deletion.clusterName(),
                    deletion.state());
            return;
        }
        loop.enqueue(deletion.clusterId(), Duration.ZERO);
    }

    /** Whether the cluster is to be deleted, so that no move starts for it. */
    public boolean deletionRequested(String clusterId) throws Exception {
        return deletions.find(clusterId).isPresent();
    }

    private Optional<Duration> reconcile(String clusterId) {
        MDC.put("clusterId", clusterId);
        try {
            if (deletions.find(clusterId).isEmpty()) {
                // a move ended for a cluster nobody asked to delete
                return Optional.empty();
            }
            if (!deletions.claim(clusterId, replica, LEASE)) {
                return Optional.of(config.pollInterval());
            }
            try {
                return advance(clusterId);
            } finally {
                deletions.release(clusterId, replica);
            }
        } catch (Exception e) {
            LOG.errorf("The deletion of %s could not be advanced: %s", clusterId, e.toString());
            return Optional.of(config.pollInterval());
        } finally {
            MDC.remove("clusterId");
        }
    }

    private Optional<Duration> advance(String clusterId) throws Exception {
        while (true) {
            Deletion deletion = deletions.find(clusterId).orElseThrow();
            switch (deletion.state()) {
                case DONE, FAILED -> {
                    return Optional.empty();
                }
                case REQUESTED, COMMANDED -> {
                    Optional<Move> pivot = moves.find(clusterId, Direction.PIVOT);
                    if (pivot.isPresent() && !pivot.get().step().ended()) {
                        LOG.infof("The deletion of %s/%s waits for its move to end", deletion.namespace(),
                                deletion.clusterName());
                        return Optional.empty();
                    }
                    boolean pivoted = pivot.isPresent() && pivot.get().step() == MoveStep.DONE;
                    if (pivoted && deletion.forced()) {
                        LOG.warnf("The deletion of %s/%s is forced: the cluster is not moved back, what is left of it"
                                + " in the management cluster is torn down", deletion.namespace(),
                                deletion.clusterName());
                        deletions.advance(clusterId, deletion.state(), Deletion.State.TEARING_DOWN);
                        continue;
                    }
                    if (pivoted && management.secrets().inNamespace(deletion.namespace())
                            .withName(MoverAccess.kubeconfigSecretName(clusterId)).get() == null) {
                        fail(deletion, "pivot-service has no way into the workload cluster to move it back (Secret "
                                + deletion.namespace() + "/" + MoverAccess.kubeconfigSecretName(clusterId)
                                + " is missing: the cluster was pivoted by a version that kept none); move it back"
                                + " with clusterctl move from the workload cluster's kubeconfig, then delete it again");
                        return Optional.empty();
                    }
                    if (pivoted) {
                        moves.reversePivot(pivot.get(), deletion.correlationId());
                    }
                    deletions.advance(clusterId, deletion.state(),
                            pivoted ? Deletion.State.RETURNING : Deletion.State.TEARING_DOWN);
                }
                case RETURNING -> {
                    Move reverse = moves.find(clusterId, Direction.REVERSE_PIVOT).orElseThrow();
                    if (reverse.step() == MoveStep.FAILED && deletion.forced()) {
                        LOG.warnf("%s/%s could not be moved back (%s); the deletion is forced: what is left of it in"
                                + " the management cluster is torn down", deletion.namespace(), deletion.clusterName(),
                                reverse.failure());
                        deletions.advance(clusterId, Deletion.State.RETURNING, Deletion.State.TEARING_DOWN);
                        continue;
                    }
                    if (reverse.step() == MoveStep.FAILED) {
                        fail(deletion, "the cluster could not be moved back into the management cluster to be"
                                + " deleted there: " + reverse.failure());
                        return Optional.empty();
                    }
                    if (reverse.step() != MoveStep.DONE) {
                        // the move's end wakes this deletion up
                        return Optional.empty();
                    }
                    deletions.advance(clusterId, Deletion.State.RETURNING, Deletion.State.TEARING_DOWN);
                }
                case TEARING_DOWN -> {
                    return tearDown(deletion);
                }
            }
        }
    }

    private Optional<Duration> tearDown(Deletion deletion) throws Exception {
        Teardown.Progress progress = Teardown.step(management, deletion.namespace(), deletion.clusterName());
        if (!progress.done()) {
            boolean samePhase = progress.phase().name().equals(deletion.phase());
            Duration waited = samePhase ? Duration.between(deletion.stepStartedAt(), Instant.now()) : Duration.ZERO;
            if (waited.compareTo(config.deletionStepTimeout()) > 0) {
                fail(deletion, deletion.namespace() + "/" + deletion.clusterName() + ": still waiting after "
                        + config.deletionStepTimeout() + " for " + progress.waitingFor()
                        + "; deleting it again carries on");
                return Optional.empty();
            }
            deletions.progress(deletion.clusterId(), progress.phase().name(), progress.waitingFor(),
                    progress.deletedNow());
            return Optional.of(config.pollInterval());
        }
        deletions.progress(deletion.clusterId(), progress.phase().name(), null, progress.deletedNow());
        management.secrets().inNamespace(deletion.namespace())
                .withName(MoverAccess.kubeconfigSecretName(deletion.clusterId())).delete();
        // nothing of the cluster is left for its agent to act on: neither it nor anyone with its Secret signs in again
        agentIdentities.revoke(deletion.clusterId());
        Deletion finished = deletions.find(deletion.clusterId()).orElseThrow();
        // forced, and the cluster never came back: what it held of itself, and its machines, are given up
        boolean givenUp = deletion.forced() && moves.find(deletion.clusterId(), Direction.PIVOT)
                .filter(pivot -> pivot.step() == MoveStep.DONE).isPresent()
                && moves.find(deletion.clusterId(), Direction.REVERSE_PIVOT)
                .filter(reverse -> reverse.step() == MoveStep.DONE).isEmpty();
        if (givenUp) {
            LOG.warnf("%s/%s was given up: its workload cluster was not reached, so its machines and what runs on"
                    + " them may be left at the infrastructure provider", deletion.namespace(), deletion.clusterName());
        }
        outbox.appendIf(connection -> deletions.done(connection, deletion.clusterId()),
                EventEnvelope.create(messaging.eventSource(), deletion.correlationId(), new ClusterDeleted(
                        deletion.clusterId(), givenUp ? ClusterDeleted.FORCED : ClusterDeleted.MANAGEMENT,
                        finished.deletedObjects(), Instant.now())));
        LOG.infof("%s/%s deleted from the management cluster: %d objects", deletion.namespace(),
                deletion.clusterName(), finished.deletedObjects().size());
        return Optional.empty();
    }

    private void fail(Deletion deletion, String message) throws Exception {
        LOG.errorf("The deletion of %s/%s did not finish: %s", deletion.namespace(), deletion.clusterName(), message);
        outbox.appendIf(connection -> deletions.failed(connection, deletion.clusterId(), message),
                EventEnvelope.create(messaging.eventSource(), deletion.correlationId(), new ProvisioningFailed(
                        deletion.clusterId(), Stage.DELETING, REASON_INCOMPLETE, message, Instant.now())));
    }

    /** Deletions being worked on or waiting, for tests. */
    public int active() {
        return loop == null ? 0 : loop.size();
    }
}
