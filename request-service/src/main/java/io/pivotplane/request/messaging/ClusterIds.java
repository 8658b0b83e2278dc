package io.pivotplane.request.messaging;

import io.pivotplane.kit.messaging.PermanentEventException;
import java.util.UUID;

/** The cluster an event names, as request-service keys its clusters. */
final class ClusterIds {

    private ClusterIds() {
    }

    /** @throws PermanentEventException when the id is not a UUID: no cluster of request-service has it */
    static UUID parse(String clusterId) {
        try {
            return UUID.fromString(clusterId);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new PermanentEventException("cluster id '" + clusterId + "' is not a UUID");
        }
    }
}
