package io.pivotplane.events;

import static io.pivotplane.events.Fields.listOrEmpty;
import static io.pivotplane.events.Fields.required;

import io.pivotplane.events.model.ObjectReference;
import java.time.Instant;
import java.util.List;

/** The cluster's CAPI objects exist in the management cluster, in {@code namespace}. */
public record SpecsCreated(String clusterId, String namespace, List<ObjectReference> objects, Instant createdAt)
        implements ClusterEvent {

    public SpecsCreated {
        required(clusterId, "clusterId");
        required(namespace, "namespace");
        objects = listOrEmpty(objects);
        required(createdAt, "createdAt");
    }
}
