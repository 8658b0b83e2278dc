package io.pivotplane.pivot.domain;

import io.pivotplane.capi.Capi;
import java.util.Objects;
import java.util.Set;

/**
 * A kind that discovery reads for a move, as clusterctl's {@code getDiscoveryTypes} makes one of each CRD it
 * installed, at the CRD's storage version ({@code cmd/clusterctl/client/cluster/objectgraph.go}), plus Secret and
 * ConfigMap. An object's type is found by group and kind, as clusterctl's {@code getKindAPIString} does, so an
 * object read at another version of its kind still finds it.
 *
 * @param forceMove every object of the kind moves whatever owns it (the CRD's {@code move} label)
 * @param forceMoveHierarchy every object of the kind moves with what it owns (the CRD's {@code move-hierarchy} label)
 */
public record DiscoveryType(String apiVersion, String kind, String plural, boolean clusterScoped, boolean forceMove,
                            boolean forceMoveHierarchy) {

    static final String CLUSTER_GROUP = "cluster.x-k8s.io";
    static final String ADDONS_GROUP = "addons.cluster.x-k8s.io";

    /**
     * clusterctl's kinds that are always roots of what moves with them, whatever their CRD's labels: a Cluster
     * takes its machines, a ClusterClass its templates, a ClusterResourceSet its resources and bindings.
     */
    private static final Set<String> ALWAYS_MOVE_HIERARCHY = Set.of(
            CLUSTER_GROUP + "/Cluster", CLUSTER_GROUP + "/ClusterClass", ADDONS_GROUP + "/ClusterResourceSet");

    public DiscoveryType {
        Objects.requireNonNull(apiVersion, "apiVersion");
        Objects.requireNonNull(kind, "kind");
    }

    /**
     * The type of a CRD, with clusterctl's rules: a {@code move-hierarchy} label (or being one of Cluster,
     * ClusterClass, ClusterResourceSet) makes the kind force-move-hierarchy, which implies force-move; a
     * {@code move} label makes it force-move.
     *
     * @param crdLabelKeys the keys of the CRD's labels (their values do not matter to clusterctl)
     */
    public static DiscoveryType ofCustomResource(String group, String storageVersion, String kind, String plural,
                                                 boolean clusterScoped, Set<String> crdLabelKeys) {
        boolean forceMoveHierarchy = ALWAYS_MOVE_HIERARCHY.contains(group + "/" + kind)
                || crdLabelKeys.contains(Capi.MOVE_HIERARCHY_LABEL);
        boolean forceMove = forceMoveHierarchy || crdLabelKeys.contains(Capi.MOVE_LABEL);
        return new DiscoveryType(group + "/" + storageVersion, kind, plural, clusterScoped, forceMove,
                forceMoveHierarchy);
    }

    /** clusterctl reads Secrets too: the cluster's certificates and kubeconfig, and credentials. */
    public static DiscoveryType secret() {
        return new DiscoveryType("v1", "Secret", "secrets", false, false, false);
    }

    public static DiscoveryType configMap() {
        return new DiscoveryType("v1", "ConfigMap", "configmaps", false, false, false);
    }

    public String group() {
        return ObjectIdentity.groupOf(apiVersion);
    }

    /** What an object of this type is looked up by: its group and kind. */
    String groupKind() {
        return groupKind(apiVersion, kind);
    }

    static String groupKind(String apiVersion, String kind) {
        return ObjectIdentity.groupOf(apiVersion) + "/" + kind;
    }
}
