package io.pivotplane.pivot.persistence;

import java.time.Instant;

/**
 * One move of a cluster's CAPI objects, as recorded.
 *
 * @param stepStartedAt when the step after {@code step} began: a step that waits is measured from here
 * @param attempts failed attempts at that step that may succeed when tried again
 * @param waitingFor what that step waits for, for operators
 */
public record Move(String clusterId, Direction direction, String namespace, String clusterName, String correlationId,
                   String apiEndpoint, MoveStep step, String failure, Instant stepStartedAt, int attempts,
                   String waitingFor) {

    /** A move about to start. */
    public static Move starting(String clusterId, Direction direction, String namespace, String clusterName,
                                String correlationId, String apiEndpoint) {
        return new Move(clusterId, direction, namespace, clusterName, correlationId, apiEndpoint, MoveStep.STARTED,
                null, Instant.now(), 0, null);
    }

    public String key() {
        return clusterId + "/" + direction;
    }
}
