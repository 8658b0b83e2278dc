package io.pivotplane.events;

import static io.pivotplane.events.Fields.required;

import java.time.Instant;

/**
 * A user asked to deprovision a cluster. {@code name} and {@code namespace} locate its CAPI objects; where they
 * live now (management or workload cluster) is for the service that moved them to know.
 */
public record ClusterDeletionRequested(String clusterId, String name, String namespace, Instant requestedAt)
        implements ClusterEvent {

    public ClusterDeletionRequested {
        required(clusterId, "clusterId");
        required(name, "name");
        required(namespace, "namespace");
        required(requestedAt, "requestedAt");
    }
}
