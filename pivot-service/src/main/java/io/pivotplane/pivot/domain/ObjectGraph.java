package io.pivotplane.pivot.domain;

import io.pivotplane.capi.Capi;
import io.pivotplane.pivot.domain.MovePlan.PlannedObject;
import io.pivotplane.pivot.domain.MovePlan.Selection;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * clusterctl's object graph ({@code cmd/clusterctl/client/cluster/objectgraph.go} at v1.9.11) and the parts of its
 * mover that decide order and deletion ({@code mover.go}: {@code getMoveSequence}, {@code createTargetObject},
 * {@code buildOwnerChain}, {@code deleteSourceObject}), as one pure function from what discovery read to a
 * {@link MovePlan}. The graph is built in clusterctl's steps, each a method below: {@code addObjects} (nodes by
 * uid, a virtual node for an owner not read), {@code setSoftOwnership}, {@code setTenants},
 * {@code setShouldNotDelete}; then pivotplane's {@code selectCluster}, and clusterctl's owner checks, move sequence
 * and deletion rules.
 *
 * <h2>Selecting one cluster</h2>
 * clusterctl moves a whole namespace: every node with a tenant (a force-move-hierarchy root above it: a Cluster, a
 * ClusterClass, a ClusterResourceSet, an identity whose CRD is labelled) or force-moved. pivotplane moves one Cluster
 * at a time into that cluster itself, while the namespace (a project) holds many. The plan holds:
 * <ol type="a">
 *   <li>every node whose tenants include this Cluster: the cluster's own tree, through owner references and soft
 *       ownership;</li>
 *   <li>every node an object of the plan <em>uses by name</em> ({@link GraphObject#references()}: an
 *       {@code AzureCluster}'s {@code identityRef} to its {@code AzureClusterIdentity}, that identity's
 *       {@code clientSecret}, an {@code AWSCluster}'s cluster-scoped identity, a Cluster's ClusterClass, a
 *       ClusterResourceSetBinding's ClusterResourceSet), with everything that node owns or soft-owns, transitively,
 *       and what those use in turn. clusterctl need not follow these: moving the whole namespace, and the providers'
 *       global identities, takes them anyway;</li>
 *   <li>force-moved nodes (by their kind or their {@code move}/{@code move-hierarchy} label) that carry this
 *       cluster's {@code cluster.x-k8s.io/cluster-name} label, with their hierarchy when they are roots of one:
 *       a force-moved object says nothing else about which cluster it goes with.</li>
 * </ol>
 * A node that is a tenant of other Clusters only is in none of these: it is theirs, and stays.
 *
 * <h2>Deletion from the source</h2>
 * As {@code deleteSourceObject}: never a cluster-scoped node nor one of a hierarchy below one
 * ({@code isGlobal || isGlobalHierarchy}), nor one marked not to be deleted ({@code setShouldNotDelete}: here a
 * ClusterClass outside the namespace, or used by a Cluster that is not moved). pivotplane adds: never a node that is
 * in the plan only because it is used (b). Shared credentials and identities are copied into the workload cluster and
 * stay in the management cluster, because the platform team's next cluster is provisioned there with them; deleting
 * them with the first cluster that pivots would strand every other. What is this cluster's own (a, c) is deleted.
 *
 * <h2>Order and problems</h2>
 * {@code getMoveSequence}'s groups: a node goes once all its owners and soft owners that are in the plan are placed.
 * Where clusterctl would drop a node silently (its owner is not moved, so it never gets placed), or write an owner
 * reference without a uid ({@code buildOwnerChain} on a virtual owner), the plan reports a problem instead: every
 * owner of a planned node must be planned too, or the copy's owner reference dangles in the target and its garbage
 * collector deletes the copy. Ownership cycles and unresolved references are problems too. Nodes carrying
 * {@code clusterctl.cluster.x-k8s.io/block-move} are reported as blocking: {@code waitReadyForMove} waits for them.
 */
public final class ObjectGraph {

    /** {@code util/secret}'s purposes: the Secrets a Cluster soft-owns by the name {@code <cluster>-<purpose>}. */
    private static final Set<String> SECRET_PURPOSES = Set.of(
            "kubeconfig", "ca", "etcd", "sa", "proxy", "apiserver-etcd-client");

    /** Within a group clusterctl's order is a map's; a plan that is recorded and resumed needs one order. */
    private static final Comparator<Node> STABLE = Comparator.<Node, String>comparing(node -> node.identity.group())
            .thenComparing(node -> node.identity.kind())
            .thenComparing(node -> node.identity.namespace())
            .thenComparing(node -> node.identity.name());

    private final Map<String, DiscoveryType> types = new LinkedHashMap<>();
    private final Map<String, Node> uidToNode = new LinkedHashMap<>();
    private final Map<String, Node> observedByName = new LinkedHashMap<>();
    private final String namespace;
    private final String clusterName;
    private final Set<String> problems = new LinkedHashSet<>();

    private ObjectGraph(Collection<DiscoveryType> discoveryTypes, String namespace, String clusterName) {
        this.namespace = namespace;
        this.clusterName = clusterName;
        discoveryTypes.forEach(type -> types.put(type.groupKind(), type));
        // getDiscoveryTypes always adds them: without Secrets a cluster would move without its certificates
        for (DiscoveryType core : List.of(DiscoveryType.secret(), DiscoveryType.configMap())) {
            types.putIfAbsent(core.groupKind(), core);
        }
    }

    /**
     * @param types the kinds discovery read (Secret and ConfigMap are added when missing, as clusterctl always
     *     reads them); an object of another kind is ignored, as if it had not been read
     * @param objects what discovery read: the namespace's objects of those types, the cluster-scoped ones, the
     *     Secrets of the infrastructure providers' namespaces, and what the cluster's objects use by name
     */
    public static MovePlan plan(Collection<DiscoveryType> types, Collection<GraphObject> objects, String namespace,
                                String clusterName) {
        ObjectGraph graph = new ObjectGraph(types, namespace, clusterName);
        graph.addObjects(objects);
        graph.setSoftOwnership();
        graph.setTenants();
        graph.setShouldNotDelete();
        Node cluster = graph.movedCluster();
        if (cluster == null) {
            graph.problems.add("Cluster " + namespace + "/" + clusterName + " is not among the objects read: there"
                    + " is nothing to move");
            return new MovePlan(namespace, clusterName, List.of(), List.copyOf(graph.problems), List.of());
        }
        Map<Node, Selected> selected = graph.selectCluster(cluster);
        graph.checkOwnerReferences(selected);
        List<List<Node>> sequence = graph.getMoveSequence(selected);
        return graph.toPlan(cluster, selected, sequence);
    }

    /** clusterctl's {@code addObj} for each object: its node (observing a virtual one), then its owners'. */
    private void addObjects(Collection<GraphObject> objects) {
        for (GraphObject object : objects) {
            DiscoveryType type = types.get(groupKind(object.identity()));
            if (type == null) {
                continue;
            }
            Node node = objToNode(object, type);
            processOwnerReferences(object, node);
        }
        uidToNode.values().stream().filter(node -> !node.virtual())
                .forEach(node -> observedByName.put(nameKey(node.identity), node));
    }

    private Node objToNode(GraphObject object, DiscoveryType type) {
        Node node = uidToNode.computeIfAbsent(object.identity().uid(), uid -> new Node(object.identity()));
        node.observe(object);
        node.forceMove = object.labels().containsKey(Capi.MOVE_LABEL) || type.forceMove();
        node.forceMoveHierarchy = object.labels().containsKey(Capi.MOVE_HIERARCHY_LABEL) || type.forceMoveHierarchy();
        node.isGlobal = type.clusterScoped();
        node.blockingMove = object.annotationKeys().contains(Capi.BLOCK_MOVE_ANNOTATION);
        return node;
    }

    /** An owner not read (yet) becomes a virtual node: known by its reference, moved only if read later. */
    private void processOwnerReferences(GraphObject object, Node node) {
        for (GraphObject.Owner reference : object.owners()) {
            Node owner = uidToNode.computeIfAbsent(reference.uid(), uid -> new Node(new ObjectIdentity(
                    reference.apiVersion(), reference.kind(), "", reference.name(), reference.uid())));
            node.addOwner(owner, reference);
        }
    }

    /**
     * The relations that are not owner references: a Cluster soft-owns the Secrets without owners named after it
     * ({@code util/secret.ParseSecretName}), a ClusterClass the Clusters that use it, a Cluster the
     * ClusterResourceSetBinding that names it.
     */
    private void setSoftOwnership() {
        List<Node> clusters = observed(DiscoveryType.CLUSTER_GROUP, "Cluster");
        for (Node secret : observed("", "Secret")) {
            // Cluster API's own Secrets have an owner (the control plane, a bootstrap config); a user's may not
            if (!secret.owners.isEmpty()) {
                continue;
            }
            String secretCluster = parseSecretClusterName(secret.identity.name());
            for (Node cluster : clusters) {
                if (cluster.identity.name().equals(secretCluster)
                        && cluster.identity.namespace().equals(secret.identity.namespace())) {
                    secret.addSoftOwner(cluster);
                }
            }
        }
        for (Node clusterClass : observed(DiscoveryType.CLUSTER_GROUP, "ClusterClass")) {
            for (Node cluster : clusters) {
                boolean usesClass = cluster.object.references().stream().anyMatch(reference ->
                        "ClusterClass".equals(reference.kind())
                                && DiscoveryType.CLUSTER_GROUP.equals(ObjectIdentity.groupOf(reference.apiVersion()))
                                && clusterClass.identity.name().equals(reference.name())
                                && clusterClass.identity.namespace().equals(reference.namespace()));
                if (usesClass) {
                    cluster.addSoftOwner(clusterClass);
                }
            }
        }
        for (Node binding : observed(DiscoveryType.ADDONS_GROUP, "ClusterResourceSetBinding")) {
            String boundCluster = binding.object.bindingClusterName();
            for (Node cluster : clusters) {
                if (cluster.identity.name().equals(boundCluster)
                        && cluster.identity.namespace().equals(binding.identity.namespace())) {
                    binding.addSoftOwner(cluster);
                }
            }
        }
    }

    /**
     * {@code util/secret.ParseSecretName}: the name before the last dash when what follows is a purpose, else null.
     * As upstream, a {@code <cluster>-apiserver-etcd-client} Secret does not parse: its purpose holds dashes.
     */
    static String parseSecretClusterName(String secretName) {
        int separator = secretName.lastIndexOf('-');
        if (separator < 0 || !SECRET_PURPOSES.contains(secretName.substring(separator + 1))) {
            return null;
        }
        return secretName.substring(0, separator);
    }

    /** Each force-move-hierarchy root is a tenant of itself and of everything it owns or soft-owns, transitively. */
    private void setTenants() {
        for (Node node : uidToNode.values()) {
            if (node.forceMoveHierarchy) {
                setTenantHierarchy(node, node, node.isGlobal);
            }
        }
    }

    private static void setTenantHierarchy(Node node, Node tenant, boolean isGlobalHierarchy) {
        // clusterctl recurses without this check and never ends on an ownership cycle; reached again, a node's
        // dependents have this tenant already
        if (!node.tenants.add(tenant)) {
            return;
        }
        node.isGlobalHierarchy = node.isGlobalHierarchy || isGlobalHierarchy;
        for (Node dependent : node.dependents()) {
            setTenantHierarchy(dependent, tenant, isGlobalHierarchy);
        }
    }

    /**
     * What other objects still need is not deleted. clusterctl marks a ClusterClass outside the moved namespace, or
     * used by a Cluster outside it, with the templates it owns; with one cluster moving, every other Cluster stays.
     */
    private void setShouldNotDelete() {
        List<Node> clusters = observed(DiscoveryType.CLUSTER_GROUP, "Cluster");
        for (Node clusterClass : observed(DiscoveryType.CLUSTER_GROUP, "ClusterClass")) {
            if (!clusterClass.identity.namespace().equals(namespace)) {
                setShouldNotDeleteHierarchy(clusterClass, clusterClass.identity + " is outside namespace "
                        + namespace);
            }
            for (Node cluster : clusters) {
                if (cluster.softOwners.contains(clusterClass) && !isMovedCluster(cluster)) {
                    setShouldNotDeleteHierarchy(clusterClass, clusterClass.identity + " is used by " + cluster.identity
                            + ", which is not moved");
                }
            }
        }
    }

    /** Only along owner references, as clusterctl: a ClusterClass's templates, not the Clusters that use it. */
    private static void setShouldNotDeleteHierarchy(Node node, String reason) {
        if (node.shouldNotDelete != null) {
            return;
        }
        node.shouldNotDelete = reason;
        for (Node owned : node.owned) {
            setShouldNotDeleteHierarchy(owned, reason);
        }
    }

    private Node movedCluster() {
        return observed(DiscoveryType.CLUSTER_GROUP, "Cluster").stream().filter(this::isMovedCluster).findFirst()
                .orElse(null);
    }

    private boolean isMovedCluster(Node node) {
        return node.identity.namespace().equals(namespace) && node.identity.name().equals(clusterName);
    }

    /** pivotplane's adaptation of {@code getMoveNodes} to one cluster: see the class comment. */
    private Map<Node, Selected> selectCluster(Node cluster) {
        Map<Node, Selected> plan = new LinkedHashMap<>();
        for (Node node : uidToNode.values()) {
            if (!node.virtual() && node.tenants.contains(cluster)) {
                plan.put(node, new Selected(Selection.CLUSTER_TREE, node == cluster ? "the Cluster moved"
                        : "in " + cluster.identity + "'s tree (owner references and soft ownership)"));
            }
        }
        for (Node node : uidToNode.values()) {
            if (plan.containsKey(node) || node.virtual() || !(node.forceMove || node.forceMoveHierarchy)
                    || !labelledForCluster(node) || belongsToOtherClustersOnly(node, cluster)) {
                continue;
            }
            plan.put(node, new Selected(Selection.FORCE_MOVE, "force-moved and labelled "
                    + Capi.CLUSTER_NAME_LABEL + "=" + clusterName));
            if (node.forceMoveHierarchy) {
                for (Node below : hierarchyBelow(node, plan, cluster)) {
                    plan.put(below, new Selected(Selection.FORCE_MOVE, "below " + node.identity + ", force-moved and"
                            + " labelled " + Capi.CLUSTER_NAME_LABEL + "=" + clusterName));
                }
            }
        }
        Deque<Node> users = new ArrayDeque<>(plan.keySet());
        while (!users.isEmpty()) {
            Node user = users.poll();
            for (GraphObject.Reference reference : user.object.references()) {
                Node used = resolve(user, reference);
                if (used == null || plan.containsKey(used)) {
                    continue;
                }
                if (belongsToOtherClustersOnly(used, cluster)) {
                    problems.add(user.identity + " uses " + used.identity + " (" + reference.field() + "), which"
                            + " belongs to " + describe(clusterTenants(used)) + " and is not moved");
                    continue;
                }
                plan.put(used, new Selected(Selection.REFERENCED, "used by " + user.identity + " ("
                        + reference.field() + ")"));
                users.add(used);
                for (Node below : hierarchyBelow(used, plan, cluster)) {
                    plan.put(below, new Selected(Selection.REFERENCED, "below " + used.identity + ", used by "
                            + user.identity + " (" + reference.field() + ")"));
                    users.add(below);
                }
            }
        }
        return plan;
    }

    private boolean labelledForCluster(Node node) {
        // a namespaced object of another namespace is another cluster's of the same name
        return clusterName.equals(node.object.labels().get(Capi.CLUSTER_NAME_LABEL))
                && (node.identity.clusterScoped() || node.identity.namespace().equals(namespace));
    }

    /** What a node owns or soft-owns, transitively, that is not planned yet and is not another cluster's. */
    private List<Node> hierarchyBelow(Node root, Map<Node, Selected> plan, Node cluster) {
        List<Node> below = new ArrayList<>();
        Set<Node> seen = new HashSet<>(List.of(root));
        Deque<Node> pending = new ArrayDeque<>(root.dependents());
        while (!pending.isEmpty()) {
            Node node = pending.poll();
            if (!seen.add(node) || node.virtual() || plan.containsKey(node)
                    || belongsToOtherClustersOnly(node, cluster)) {
                continue;
            }
            below.add(node);
            pending.addAll(node.dependents());
        }
        return below;
    }

    private static boolean belongsToOtherClustersOnly(Node node, Node cluster) {
        List<Node> clusters = clusterTenants(node);
        return !clusters.isEmpty() && !clusters.contains(cluster);
    }

    private static List<Node> clusterTenants(Node node) {
        return node.tenants.stream().filter(ObjectGraph::isCluster).toList();
    }

    /** The node a reference names, or null after recording why it cannot be found. */
    private Node resolve(Node user, GraphObject.Reference reference) {
        DiscoveryType type = types.get(DiscoveryType.groupKind(reference.apiVersion(), reference.kind()));
        String why;
        if (type == null) {
            why = reference.kind() + " is not a kind discovery reads";
        } else if (!type.clusterScoped() && reference.namespace() == null) {
            why = "its namespace is not known";
        } else {
            String referenceNamespace = type.clusterScoped() ? "" : reference.namespace();
            Node used = observedByName.get(nameKey(type.groupKind(), referenceNamespace, reference.name()));
            if (used != null) {
                return used;
            }
            why = "it is not among the objects read";
        }
        problems.add(user.identity + " uses " + reference + ", which cannot be moved: " + why);
        return null;
    }

    /**
     * Every owner of a planned node must be planned: clusterctl's {@code buildOwnerChain} writes every owner
     * reference again with the owner's uid in the target, and an owner that is not there has none.
     */
    private void checkOwnerReferences(Map<Node, Selected> plan) {
        for (Node node : plan.keySet()) {
            for (Node owner : node.owners.keySet()) {
                if (!plan.containsKey(owner)) {
                    problems.add(node.identity + " is owned by " + owner.identity + ", which is not moved"
                            + notMovedBecause(owner));
                }
            }
        }
    }

    private String notMovedBecause(Node owner) {
        if (owner.virtual()) {
            return types.containsKey(groupKind(owner.identity))
                    ? " (it was not found)" : " (" + owner.identity.kind() + " is not a kind discovery reads)";
        }
        List<Node> clusters = clusterTenants(owner);
        return clusters.isEmpty() || isCluster(owner) ? "" : " (it belongs to " + describe(clusters) + ")";
    }

    /**
     * clusterctl's {@code getMoveSequence}: each group holds the nodes whose owners and soft owners in the plan are
     * all in earlier groups. Nodes never placed own one another in a cycle, or hang below such nodes.
     */
    private List<List<Node>> getMoveSequence(Map<Node, Selected> plan) {
        List<List<Node>> groups = new ArrayList<>();
        Set<Node> placed = new HashSet<>();
        while (true) {
            List<Node> group = new ArrayList<>();
            for (Node node : plan.keySet()) {
                if (!placed.contains(node) && placedOrNotPlanned(node.owners.keySet(), placed, plan)
                        && placedOrNotPlanned(node.softOwners, placed, plan)) {
                    group.add(node);
                }
            }
            if (group.isEmpty()) {
                break;
            }
            group.sort(STABLE);
            groups.add(group);
            placed.addAll(group);
        }
        List<String> unplaced = plan.keySet().stream().filter(node -> !placed.contains(node)).sorted(STABLE)
                .map(node -> node.identity.toString()).toList();
        if (!unplaced.isEmpty()) {
            problems.add("owner references form a cycle: " + String.join(", ", unplaced) + " cannot be ordered");
        }
        return groups;
    }

    private static boolean placedOrNotPlanned(Collection<Node> owners, Set<Node> placed, Map<Node, Selected> plan) {
        return owners.stream().allMatch(owner -> placed.contains(owner) || !plan.containsKey(owner));
    }

    private MovePlan toPlan(Node cluster, Map<Node, Selected> plan, List<List<Node>> sequence) {
        List<PlannedObject> objects = new ArrayList<>();
        List<ObjectIdentity> blocking = new ArrayList<>();
        for (int group = 0; group < sequence.size(); group++) {
            for (Node node : sequence.get(group)) {
                Selected selected = plan.get(node);
                List<GraphObject.Owner> owners = node.owners.entrySet().stream()
                        .filter(owner -> plan.containsKey(owner.getKey())).map(Map.Entry::getValue).toList();
                String keptBecause = keptInSourceBecause(node, selected);
                objects.add(new PlannedObject(node.identity, owners, group, selected.selection(), selected.why(),
                        keptBecause == null, keptBecause == null ? "moved with " + cluster.identity : keptBecause,
                        node.isGlobal || node.isGlobalHierarchy || selected.selection() == Selection.REFERENCED));
                if (node.blockingMove) {
                    blocking.add(node.identity);
                }
            }
        }
        return new MovePlan(namespace, clusterName, objects, List.copyOf(problems), blocking);
    }

    /** {@code deleteSourceObject}'s rules, and pivotplane's for what is only used: null when the node is deleted. */
    private static String keptInSourceBecause(Node node, Selected selected) {
        if (node.isGlobal) {
            return "cluster-scoped: copied, and kept in the source as clusterctl keeps global objects";
        }
        if (node.isGlobalHierarchy) {
            return "below " + describe(node.tenants.stream().filter(tenant -> tenant.isGlobal).toList())
                    + ": copied, and kept in the source as clusterctl keeps what hangs below a global object";
        }
        if (node.shouldNotDelete != null) {
            return node.shouldNotDelete;
        }
        if (selected.selection() == Selection.REFERENCED) {
            return "only used by the cluster's objects: shared credentials and identities are copied, and stay in"
                    + " the source for the clusters still provisioned there";
        }
        return null;
    }

    private List<Node> observed(String group, String kind) {
        return uidToNode.values().stream().filter(node -> !node.virtual() && node.identity.kind().equals(kind)
                && node.identity.group().equals(group)).toList();
    }

    private static boolean isCluster(Node node) {
        return node.identity.kind().equals("Cluster") && node.identity.group().equals(DiscoveryType.CLUSTER_GROUP);
    }

    private static String describe(List<Node> nodes) {
        return nodes.stream().map(node -> node.identity.toString()).collect(Collectors.joining(", "));
    }

    private static String groupKind(ObjectIdentity identity) {
        return DiscoveryType.groupKind(identity.apiVersion(), identity.kind());
    }

    private static String nameKey(ObjectIdentity identity) {
        return nameKey(groupKind(identity), identity.namespace(), identity.name());
    }

    private static String nameKey(String groupKind, String namespace, String name) {
        return groupKind + "|" + namespace + "|" + name;
    }

    private record Selected(Selection selection, String why) {
    }

    /** clusterctl's {@code node}: one object, or an owner known only by reference while it is virtual. */
    private static final class Node {

        ObjectIdentity identity;
        /** What discovery read; null while the node is virtual. */
        GraphObject object;
        final Map<Node, GraphObject.Owner> owners = new LinkedHashMap<>();
        final Set<Node> softOwners = new LinkedHashSet<>();
        final Set<Node> owned = new LinkedHashSet<>();
        final Set<Node> softOwned = new LinkedHashSet<>();
        final Set<Node> tenants = new LinkedHashSet<>();
        boolean forceMove;
        boolean forceMoveHierarchy;
        boolean isGlobal;
        boolean isGlobalHierarchy;
        boolean blockingMove;
        /** Why the node must stay in the source; null when it may be deleted. */
        String shouldNotDelete;

        Node(ObjectIdentity identity) {
            this.identity = identity;
        }

        boolean virtual() {
            return object == null;
        }

        void observe(GraphObject read) {
            identity = read.identity();
            object = read;
        }

        void addOwner(Node owner, GraphObject.Owner reference) {
            owners.put(owner, reference);
            owner.owned.add(this);
        }

        void addSoftOwner(Node owner) {
            softOwners.add(owner);
            owner.softOwned.add(this);
        }

        /** As its identity: how messages name it. */
        @Override
        public String toString() {
            return identity.toString();
        }

        Set<Node> dependents() {
            Set<Node> dependents = new LinkedHashSet<>(owned);
            dependents.addAll(softOwned);
            return dependents;
        }
    }
}
