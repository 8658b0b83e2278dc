package io.pivotplane.provisioner.persistence;

import java.time.Instant;

/** A cluster whose first control-plane node is awaited. */
public record ControlPlaneWatch(String clusterId, String namespace, String clusterName, String correlationId,
                                Instant deadline) {

    public String key() {
        return namespace + "/" + clusterName;
    }
}
