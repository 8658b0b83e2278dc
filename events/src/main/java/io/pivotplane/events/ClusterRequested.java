package io.pivotplane.events;

import static io.pivotplane.events.Fields.required;

import io.pivotplane.events.model.ClusterSpec;
import java.time.Instant;

/** A user asked for a cluster; the request passed validation and is stored. */
public record ClusterRequested(String clusterId, ClusterSpec spec, Instant requestedAt) implements ClusterEvent {

    public ClusterRequested {
        required(clusterId, "clusterId");
        required(spec, "spec");
        required(requestedAt, "requestedAt");
    }
}
