package io.pivotplane.events.model;

import static io.pivotplane.events.Fields.required;

/** A Kubernetes object by its coordinates, e.g. {@code cluster.x-k8s.io/v1beta1 Cluster team-a/edge-42}. */
public record ObjectReference(String apiVersion, String kind, String namespace, String name) {

    public ObjectReference {
        required(apiVersion, "apiVersion");
        required(kind, "kind");
        required(name, "name");
    }
}
