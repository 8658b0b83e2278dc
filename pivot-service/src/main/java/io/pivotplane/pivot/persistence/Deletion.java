package io.pivotplane.pivot.persistence;

import io.pivotplane.events.model.ObjectReference;
import java.time.Instant;
import java.util.List;

/**
 * One cluster's deprovisioning, as recorded.
 *
 * @param stepStartedAt when the current state, or the current phase of a teardown, began
 * @param deletedObjects what the teardown deleted so far, in order
 * @param forced a project admin asked to tear the cluster down without moving a pivoted cluster back
 */
public record Deletion(String clusterId, String namespace, String clusterName, String correlationId, State state,
                       String phase, Instant stepStartedAt, String waitingFor, List<ObjectReference> deletedObjects,
                       boolean forced) {

    public enum State {
        /** Asked for; waits for a running move to end. */
        REQUESTED,
        /** Written by versions whose agents deleted their own cluster; carried on as REQUESTED. */
        COMMANDED,
        /** A pivoted cluster is being moved back into the management cluster, to be torn down there. */
        RETURNING,
        /** Being torn down in the management cluster, in the order Cluster API needs. */
        TEARING_DOWN,
        DONE,
        FAILED;

        public boolean ended() {
            return this == DONE || this == FAILED;
        }
    }

    public Deletion {
        deletedObjects = List.copyOf(deletedObjects);
    }

    public static Deletion requested(String clusterId, String namespace, String clusterName, String correlationId) {
        return requested(clusterId, namespace, clusterName, correlationId, false);
    }

    public static Deletion requested(String clusterId, String namespace, String clusterName, String correlationId,
                                     boolean forced) {
        return new Deletion(clusterId, namespace, clusterName, correlationId, State.REQUESTED, null, Instant.now(),
                null, List.of(), forced);
    }
}
