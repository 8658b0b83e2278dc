package io.pivotplane.events;

import static io.pivotplane.events.Fields.required;

import java.time.Instant;

/**
 * Provisioning stopped. {@code stage} is the last stage the cluster reached, {@code reason} a CamelCase
 * machine-readable cause, {@code message} what a person needs to act on it.
 */
public record ProvisioningFailed(String clusterId, Stage stage, String reason, String message, Instant failedAt)
        implements ClusterEvent {

    public ProvisioningFailed {
        required(clusterId, "clusterId");
        required(stage, "stage");
        required(reason, "reason");
        required(message, "message");
        required(failedAt, "failedAt");
    }
}
