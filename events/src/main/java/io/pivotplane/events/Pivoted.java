package io.pivotplane.events;

import static io.pivotplane.events.Fields.listOrEmpty;
import static io.pivotplane.events.Fields.required;

import io.pivotplane.events.model.ObjectReference;
import java.time.Instant;
import java.util.List;

/** The cluster's CAPI objects moved into the workload cluster, which now manages itself. */
public record Pivoted(String clusterId, String apiEndpoint, List<ObjectReference> movedObjects, Instant pivotedAt)
        implements ClusterEvent {

    public Pivoted {
        required(clusterId, "clusterId");
        required(apiEndpoint, "apiEndpoint");
        movedObjects = listOrEmpty(movedObjects);
        required(pivotedAt, "pivotedAt");
    }
}
