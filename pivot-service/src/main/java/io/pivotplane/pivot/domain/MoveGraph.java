package io.pivotplane.pivot.domain;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What {@code clusterctl move} computes from the objects of a namespace: which of them belong to a cluster
 * (the cluster-name label, its name, and everything they own, transitively), and the order to create them in,
 * owners before what they own.
 */
public final class MoveGraph {

    /** Kinds first in creation order when ownership does not decide it, as clusterctl's move order does. */
    private static final List<String> KIND_ORDER = List.of("Cluster", "Secret", "ConfigMap");

    private MoveGraph() {
    }

    /**
     * @param candidates every object of the namespace of the moved types
     * @param belongs whether an object belongs to the cluster by itself (label or name)
     * @return the objects to move, owners first
     */
    public static List<GraphNode> plan(Collection<GraphNode> candidates, java.util.function.Predicate<GraphNode> belongs) {
        Map<String, GraphNode> byUid = new LinkedHashMap<>();
        candidates.forEach(node -> byUid.put(node.uid(), node));
        Map<String, List<GraphNode>> ownedBy = new HashMap<>();
        for (GraphNode node : byUid.values()) {
            for (String owner : node.ownerUids()) {
                ownedBy.computeIfAbsent(owner, uid -> new ArrayList<>()).add(node);
            }
        }
        Set<String> selected = new HashSet<>();
        Deque<GraphNode> pending = new ArrayDeque<>();
        byUid.values().stream().filter(belongs).forEach(pending::add);
        while (!pending.isEmpty()) {
            GraphNode node = pending.pop();
            if (selected.add(node.uid())) {
                pending.addAll(ownedBy.getOrDefault(node.uid(), List.of()));
            }
        }
        return order(selected.stream().map(byUid::get).toList());
    }

    /** Owners first (Kahn's algorithm); among objects free to go, by kind and name, so the order is stable. */
    static List<GraphNode> order(List<GraphNode> nodes) {
        Set<String> inGraph = new HashSet<>();
        nodes.forEach(node -> inGraph.add(node.uid()));
        Map<String, Integer> unresolvedOwners = new HashMap<>();
        Map<String, List<GraphNode>> children = new HashMap<>();
        for (GraphNode node : nodes) {
            int owners = 0;
            for (String owner : node.ownerUids()) {
                if (inGraph.contains(owner)) {
                    owners++;
                    children.computeIfAbsent(owner, uid -> new ArrayList<>()).add(node);
                }
            }
            unresolvedOwners.put(node.uid(), owners);
        }
        Comparator<GraphNode> stable = Comparator.comparingInt(MoveGraph::kindRank)
                .thenComparing(GraphNode::kind).thenComparing(GraphNode::name);
        java.util.PriorityQueue<GraphNode> ready = new java.util.PriorityQueue<>(stable);
        nodes.stream().filter(node -> unresolvedOwners.get(node.uid()) == 0).forEach(ready::add);
        List<GraphNode> ordered = new ArrayList<>(nodes.size());
        while (!ready.isEmpty()) {
            GraphNode node = ready.poll();
            ordered.add(node);
            for (GraphNode child : children.getOrDefault(node.uid(), List.of())) {
                if (unresolvedOwners.merge(child.uid(), -1, Integer::sum) == 0) {
                    ready.add(child);
                }
            }
        }
        if (ordered.size() != nodes.size()) {
            List<String> cyclic = nodes.stream().filter(node -> !ordered.contains(node))
                    .map(node -> node.kind() + "/" + node.name()).toList();
            throw new IllegalArgumentException("ownerReferences form a cycle among " + cyclic);
        }
        return ordered;
    }

    private static int kindRank(GraphNode node) {
        int rank = KIND_ORDER.indexOf(node.kind());
        return rank < 0 ? KIND_ORDER.size() : rank;
    }
}
