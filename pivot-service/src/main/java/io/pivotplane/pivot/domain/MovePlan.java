package io.pivotplane.pivot.domain;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * What moving one cluster takes: the objects in the order to create them in the target, clusterctl's move groups
 * ({@code getMoveSequence} in {@code cmd/clusterctl/client/cluster/mover.go}), and what to do with each in the
 * source afterwards. A plan with {@link #problems()} must not be carried out; one with {@link #blocking()} objects
 * may be once they no longer carry the block-move annotation.
 *
 * @param objects in creation order: group after group
 * @param problems why the plan cannot be carried out as it is, one sentence each
 * @param blocking the planned objects that carry {@code clusterctl.cluster.x-k8s.io/block-move}
 */
public record MovePlan(String namespace, String clusterName, List<PlannedObject> objects, List<String> problems,
                       List<ObjectIdentity> blocking) {

    /** Why an object is in the plan; it decides, with clusterctl's rules, whether it leaves the source. */
    public enum Selection {
        /** The cluster's own tree: the Cluster and what it owns or soft-owns, transitively (clusterctl's tenants). */
        CLUSTER_TREE,
        /** Force-moved (by its kind or its labels) and labelled with the cluster's name. */
        FORCE_MOVE,
        /** Used by name by an object of the plan, or below such an object: copied, never deleted from the source. */
        REFERENCED
    }

    /**
     * One object of the plan.
     *
     * @param owners the owner references to write on the copy, with their source uids: the caller replaces each
     *     with the uid the owner got in the target, as clusterctl's {@code buildOwnerChain} does
     * @param group clusterctl's move group, from 0: an object comes after all its owners and soft owners
     * @param why in words, for logs and messages
     * @param deletion why the object is, or is not, deleted from the source
     * @param keepIfExists when the target has the object already, leave it as it is instead of updating it, as
     *     clusterctl's {@code createTargetObject} does for global objects and what hangs below them
     */
    public record PlannedObject(ObjectIdentity identity, List<GraphObject.Owner> owners, int group,
                                Selection selection, String why, boolean deleteFromSource, String deletion,
                                boolean keepIfExists) {

        public PlannedObject {
            Objects.requireNonNull(identity, "identity");
            owners = List.copyOf(owners);
            Objects.requireNonNull(selection, "selection");
        }
    }

    public MovePlan {
        objects = List.copyOf(objects);
        problems = List.copyOf(problems);
        blocking = List.copyOf(blocking);
    }

    /** Clusterctl's move groups: the objects of a group may be created in any order once the previous group is. */
    public List<List<PlannedObject>> groups() {
        List<List<PlannedObject>> groups = new ArrayList<>();
        for (PlannedObject object : objects) {
            while (groups.size() <= object.group()) {
                groups.add(new ArrayList<>());
            }
            groups.get(object.group()).add(object);
        }
        return groups.stream().map(List::copyOf).toList();
    }

    /** The objects to delete from the source once all are created, group by group from the last, as clusterctl does. */
    public List<PlannedObject> deletionOrder() {
        List<List<PlannedObject>> groups = new ArrayList<>(groups());
        Collections.reverse(groups);
        return groups.stream().flatMap(List::stream).filter(PlannedObject::deleteFromSource).toList();
    }
}
