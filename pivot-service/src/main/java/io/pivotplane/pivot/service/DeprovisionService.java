package io.pivotplane.pivot.service;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.pivotplane.capi.k8s.Teardown;
import io.pivotplane.events.AgentCommand;
import io.pivotplane.events.AgentReport;
import io.pivotplane.events.ClusterDeleted;
import io.pivotplane.events.ClusterDeletionRequested;
import io.pivotplane.events.EventEnvelope;
import io.pivotplane.events.ProvisioningFailed;
import io.pivotplane.events.Stage;
import io.pivotplane.events.model.Condition;
import io.pivotplane.events.model.ObjectReference;
import io.pivotplane.kit.config.MessagingConfig;
import io.pivotplane.kit.messaging.Outbox;
import io.pivotplane.pivot.config.PivotConfig;
import io.pivotplane.pivot.persistence.Deletion;
import io.pivotplane.pivot.persistence.DeletionStore;
import io.pivotplane.pivot.persistence.Move;
import io.pivotplane.pivot.persistence.MoveStep;
import io.pivotplane.pivot.persistence.MoveStore;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Deprovisions clusters where their CAPI objects live, which pivot-service knows because it moved them: before
 * the pivot, in the management cluster, in the order Cluster API tears a cluster down; after it, by the cluster's
 * own agent, told with a {@code DELETE_CLUSTER} command. A deletion asked for while a move runs waits for the move
 * to end. Each outcome ({@code ClusterDeleted}, or {@code ProvisioningFailed} at stage {@code Deleting}) is
 * published once, in the transaction that records it.
 */
@ApplicationScoped
public class DeprovisionService {

    public static final String REASON_INCOMPLETE = "DeletionIncomplete";
    private static final Logger LOG = Logger.getLogger(DeprovisionService.class);

    private final KubernetesClient management;
    private final DeletionStore deletions;
    private final MoveStore moves;
    private final Outbox outbox;
    private final PivotConfig config;
    private final MessagingConfig messaging;

    public DeprovisionService(KubernetesClient management, DeletionStore deletions, MoveStore moves,
                              Outbox outbox, PivotConfig config, MessagingConfig messaging) {
        this.management = management;
        this.deletions = deletions;
        this.moves = moves;
        this.outbox = outbox;
        this.config = config;
        this.messaging = messaging;
    }

    public void requested(EventEnvelope<?> event, ClusterDeletionRequested request) throws Exception {
        Deletion deletion = deletions.request(new Deletion(request.clusterId(), request.namespace(), request.name(),
                event.correlationId(), Deletion.State.REQUESTED, null));
        if (deletion.state() != Deletion.State.REQUESTED) {
            LOG.infof("The deletion of %s/%s is %s already", deletion.namespace(), deletion.clusterName(),
                    deletion.state());
            return;
        }
        Optional<Move> move = moves.find(request.clusterId());
        if (move.isPresent() && move.get().step() == MoveStep.DONE) {
            commandAgent(event, deletion);
        } else if (move.isPresent() && move.get().step() != MoveStep.FAILED) {
            LOG.infof("The deletion of %s/%s waits for its move to end", deletion.namespace(), deletion.clusterName());
        } else {
            tearDownInManagement(event, deletion);
        }
    }

    /** Whether the cluster is to be deleted, so that no move starts for it. */
    public boolean deletionRequested(String clusterId) throws Exception {
        return deletions.find(clusterId).isPresent();
    }

    /** A move ended: a deletion that waited for it goes on where the objects now are. */
    public void moveEnded(EventEnvelope<?> cause, String clusterId, boolean pivoted) throws Exception {
        Optional<Deletion> deletion = deletions.find(clusterId);
        if (deletion.isEmpty() || deletion.get().state() != Deletion.State.REQUESTED) {
            return;
        }
        if (pivoted) {
            commandAgent(cause, deletion.get());
        } else {
            tearDownInManagement(cause, deletion.get());
        }
    }

    public void agentReported(EventEnvelope<?> event, AgentReport report) throws Exception {
        if (report.kind() == AgentReport.Kind.DELETED) {
            outbox.appendIf(connection -> deletions.done(connection, report.clusterId(), report.commandId()),
                    EventEnvelope.causedBy(event, messaging.eventSource(), new ClusterDeleted(report.clusterId(),
                            ClusterDeleted.WORKLOAD, report.objects(), Instant.now())));
        } else if (report.kind() == AgentReport.Kind.DELETION_FAILED) {
            String why = report.conditions().stream().map(Condition::message).filter(m -> m != null)
                    .findFirst().orElse("the agent could not delete its cluster");
            outbox.appendIf(connection -> deletions.failed(connection, report.clusterId(), report.commandId(), why),
                    EventEnvelope.causedBy(event, messaging.eventSource(), new ProvisioningFailed(report.clusterId(),
                            Stage.DELETING, REASON_INCOMPLETE, why, Instant.now())));
        }
    }

    private void commandAgent(EventEnvelope<?> cause, Deletion deletion) throws Exception {
        // derived from the cause, so that a redelivered cause sends the same command, which the agent repeats harmlessly
        String commandId = "delete-" + cause.id();
        LOG.infof("The agent of %s/%s deletes its own cluster (command %s)", deletion.namespace(),
                deletion.clusterName(), commandId);
        outbox.appendIf(connection -> deletions.commanded(connection, deletion.clusterId(), commandId),
                EventEnvelope.causedBy(cause, messaging.eventSource(), new AgentCommand(deletion.clusterId(),
                        commandId, AgentCommand.Kind.DELETE_CLUSTER, null, Instant.now())));
    }

    private void tearDownInManagement(EventEnvelope<?> cause, Deletion deletion) throws Exception {
        List<ObjectReference> deleted;
        try {
            deleted = Teardown.run(management, deletion.namespace(), deletion.clusterName(),
                    config.deletionStepTimeout());
        } catch (Teardown.TeardownIncompleteException e) {
            LOG.errorf("The deletion of %s/%s did not finish: %s", deletion.namespace(), deletion.clusterName(),
                    e.getMessage());
            outbox.appendIf(connection -> deletions.failed(connection, deletion.clusterId(), null, e.getMessage()),
                    EventEnvelope.causedBy(cause, messaging.eventSource(), new ProvisioningFailed(deletion.clusterId(),
                            Stage.DELETING, REASON_INCOMPLETE, e.getMessage() + "; deleting it again carries on",
                            Instant.now())));
            return;
        }
        LOG.infof("%s/%s deleted from the management cluster: %d objects", deletion.namespace(),
                deletion.clusterName(), deleted.size());
        outbox.appendIf(connection -> deletions.done(connection, deletion.clusterId(), null),
                EventEnvelope.causedBy(cause, messaging.eventSource(), new ClusterDeleted(deletion.clusterId(),
                        ClusterDeleted.MANAGEMENT, deleted, Instant.now())));
    }

}
