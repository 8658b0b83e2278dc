package io.pivotplane.events;

import static io.pivotplane.events.Fields.listOrEmpty;
import static io.pivotplane.events.Fields.required;

import io.pivotplane.events.model.ObjectReference;
import java.time.Instant;
import java.util.List;

/**
 * Every CAPI object of the cluster is gone, from wherever it lived ({@code location}: management or workload), or,
 * {@link #FORCED}, the plane gave the cluster up: it deleted what the management cluster held of it and the agent's
 * access, but the workload cluster, which held the cluster's CAPI objects, was never reached, so its machines and what
 * runs on them may be left at the infrastructure provider.
 */
public record ClusterDeleted(String clusterId, String location, List<ObjectReference> deletedObjects, Instant deletedAt)
        implements ClusterEvent {

    public static final String MANAGEMENT = "management";
    public static final String WORKLOAD = "workload";
    public static final String FORCED = "forced";

    public ClusterDeleted {
        required(clusterId, "clusterId");
        required(location, "location");
        deletedObjects = listOrEmpty(deletedObjects);
        required(deletedAt, "deletedAt");
    }
}
