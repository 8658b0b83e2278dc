package io.pivotplane.events;

import static io.pivotplane.events.Fields.required;

import java.time.Instant;

/**
 * A user asked to deprovision a cluster. {@code name} and {@code namespace} locate its CAPI objects; where they
 * live now (management or workload cluster) is for the service that moved them to know. {@code force}: a project
 * admin asked to tear the cluster down from the management cluster with what it holds, when a pivoted cluster cannot
 * be moved back (its API server or its agent gone): what lives only in the workload cluster is given up.
 */
public record ClusterDeletionRequested(String clusterId, String name, String namespace, Instant requestedAt,
                                       boolean force) implements ClusterEvent {

    public ClusterDeletionRequested(String clusterId, String name, String namespace, Instant requestedAt) {
        this(clusterId, name, namespace, requestedAt, false);
    }

    public ClusterDeletionRequested {
        required(clusterId, "clusterId");
        required(name, "name");
        required(namespace, "namespace");
        required(requestedAt, "requestedAt");
    }
}
