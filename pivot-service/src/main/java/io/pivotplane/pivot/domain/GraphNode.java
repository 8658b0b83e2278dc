package io.pivotplane.pivot.domain;

import java.util.List;

/**
 * An object of a move's graph, by identity: its uid, the uids of its owners, and the cluster its
 * {@code cluster.x-k8s.io/cluster-name} label names (null without one).
 */
public record GraphNode(String apiVersion, String kind, String name, String uid, List<String> ownerUids,
                        String clusterNameLabel) {

    public GraphNode {
        ownerUids = List.copyOf(ownerUids);
    }
}
