package io.pivotplane.capi;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.pivotplane.events.model.ClusterSpec;
import java.util.List;

/** Renders the Cluster API objects of one infrastructure. Pure: the same input gives the same objects. */
public interface ClusterRenderer {

    /** The provider id of requests, e.g. {@code vsphere}. */
    String provider();

    /**
     * The objects of the cluster in the namespace of its project, owners before what refers to them, each
     * labelled with {@link Capi#CLUSTER_NAME_LABEL} and {@link Capi#CLUSTER_ID_LABEL}.
     */
    List<GenericKubernetesResource> render(String clusterId, ClusterSpec spec, RenderPhase phase);
}
