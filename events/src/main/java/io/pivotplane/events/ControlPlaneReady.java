package io.pivotplane.events;

import static io.pivotplane.events.Fields.required;

import io.pivotplane.events.model.SecretReference;
import java.time.Instant;

/** The first control-plane node is initialized and the workload cluster's kubeconfig Secret exists. */
public record ControlPlaneReady(String clusterId, String apiEndpoint, SecretReference kubeconfigSecret, Instant readyAt)
        implements ClusterEvent {

    public ControlPlaneReady {
        required(clusterId, "clusterId");
        required(apiEndpoint, "apiEndpoint");
        required(kubeconfigSecret, "kubeconfigSecret");
        required(readyAt, "readyAt");
    }
}
