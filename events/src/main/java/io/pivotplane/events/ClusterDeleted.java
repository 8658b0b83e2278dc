package io.pivotplane.events;

import static io.pivotplane.events.Fields.listOrEmpty;
import static io.pivotplane.events.Fields.required;

import io.pivotplane.events.model.ObjectReference;
import java.time.Instant;
import java.util.List;

/** Every CAPI object of the cluster is gone, from wherever it lived ({@code location}: management or workload). */
public record ClusterDeleted(String clusterId, String location, List<ObjectReference> deletedObjects, Instant deletedAt)
        implements ClusterEvent {

    public static final String MANAGEMENT = "management";
    public static final String WORKLOAD = "workload";

    public ClusterDeleted {
        required(clusterId, "clusterId");
        required(location, "location");
        deletedObjects = listOrEmpty(deletedObjects);
        required(deletedAt, "deletedAt");
    }
}
