package io.pivotplane.events;

import static io.pivotplane.events.Fields.required;

import io.pivotplane.events.model.ClusterSpec;
import java.time.Instant;

/**
 * A change to a running cluster (pools scaled, added or removed, control plane scaled, Kubernetes upgraded, health
 * checks changed): {@code spec} is the whole desired spec of {@code generation}, the cluster's spec counter (its
 * request is 0), so that a late or repeated change is told from the newest. {@code summary} says what changed, for
 * people. The plane carries it to the cluster's agent, which applies it to the CAPI objects of its own cluster.
 */
public record ClusterChangeRequested(String clusterId, long generation, ClusterSpec spec, String summary,
                                     Instant requestedAt) implements ClusterEvent {

    public ClusterChangeRequested {
        required(clusterId, "clusterId");
        required(spec, "spec");
        required(requestedAt, "requestedAt");
        if (generation < 1) {
            throw new IllegalArgumentException("generation of a changed spec must be at least 1, is " + generation);
        }
    }
}
