package io.pivotplane.devstack.simulator.cluster;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The pods of a cluster's Deployments and DaemonSets, kept in memory rather than as Pod objects (nothing the stack runs
 * reads pods; workload status is what it reads): what the ReplicaSet and DaemonSet controllers create (once admission
 * lets them: the pod's service account and priority class must exist), where the scheduler puts them, and whether the
 * kubelet can start them there. Rollouts follow the Deployment's strategy (Recreate, or RollingUpdate within max surge
 * and max unavailable) and the DaemonSet's (RollingUpdate within max unavailable, or OnDelete).
 *
 * <p>A pod runs once it is on a node where it can start: with host network, or on a node whose network is ready, and
 * with every Secret and ConfigMap (and key) it needs. A running pod keeps running (a later taint, a deleted Secret or a
 * node gone NotReady do not stop it, as on a real node) until its node goes or an untolerated NoExecute taint evicts it.
 * Not run by this class: it is driven by {@link ClusterInternals}' reconcile, on one thread at a time.
 */
final class Pods {

    /** A simulated pod. */
    static final class Pod {
        final String name;
        final String template;
        String node;
        boolean running;
        long readySince;

        Pod(String name, String template, String node) {
            this.name = name;
            this.template = template;
            this.node = node;
        }

        boolean available(long now, int minReadySeconds) {
            return running && now - readySince >= minReadySeconds * 1000L;
        }
    }

    /** Where pods can start: answers about the cluster as it is now. */
    interface Cluster {
        List<Node> nodes();

        boolean networkReady(String node);

        boolean serviceAccountExists(String namespace, String name);

        Optional<ServiceAccount> serviceAccount(String namespace, String name);

        boolean priorityClassExists(String name);

        /** Whether a Secret or ConfigMap exists, and has the key when one is given. */
        boolean exists(String kind, String namespace, String name, String key);
    }

    private final Map<String, List<Pod>> byOwner = new HashMap<>();
    /** Why an owner's pods cannot be created, as the ReplicaSet's ReplicaFailure condition says. */
    private final Map<String, String> failures = new HashMap<>();

    static String ownerKey(String kind, String namespace, String name) {
        return kind + "/" + namespace + "/" + name;
    }

    List<Pod> of(String owner) {
        return byOwner.getOrDefault(owner, List.of());
    }

    Optional<String> failure(String owner) {
        return Optional.ofNullable(failures.get(owner));
    }

    /** Pods whose owner is not in {@code owners} go (their Deployment or DaemonSet was deleted). */
    void retainOwners(Set<String> owners) {
        byOwner.keySet().retainAll(owners);
        failures.keySet().retainAll(owners);
    }

    /** Pods on {@code node}, of every owner. */
    int podsOn(String node) {
        int count = 0;
        for (List<Pod> pods : byOwner.values()) {
            for (Pod pod : pods) {
                if (node.equals(pod.node)) {
                    count++;
                }
            }
        }
        return count;
    }

    // --- Deployments ------------------------------------------------------------------------------------------------

    /** Brings the Deployment's pods one step towards its spec; true when anything changed. */
    boolean reconcile(Deployment deployment, PodTemplate template, Cluster cluster, long now) {
        String namespace = deployment.getMetadata().getNamespace();
        String owner = ownerKey("Deployment", namespace, deployment.getMetadata().getName());
        List<Pod> pods = byOwner.computeIfAbsent(owner, o -> new ArrayList<>());
        int minReady = Objects.requireNonNullElse(deployment.getSpec().getMinReadySeconds(), 0);
        int replicas = Objects.requireNonNullElse(deployment.getSpec().getReplicas(), 1);
        boolean changed = collect(pods, template.podTolerations(), cluster);
        String refused = admission(template, namespace, cluster);
        failures.remove(owner);
        if (refused != null) {
            failures.put(owner, "pods \"" + deployment.getMetadata().getName() + "-" + template.hash()
                    + "-\" is forbidden: " + refused);
        }
        boolean recreate = deployment.getSpec().getStrategy() != null
                && "Recreate".equals(deployment.getSpec().getStrategy().getType());
        boolean step;
        do {
            step = false;
            List<Pod> old = pods.stream().filter(p -> !p.template.equals(template.hash())).toList();
            List<Pod> current = pods.stream().filter(p -> p.template.equals(template.hash())).toList();
            if (recreate) {
                if (!old.isEmpty()) {
                    pods.removeAll(old);
                    step = true;
                } else if (current.size() < replicas && refused == null) {
                    pods.add(new Pod(podName(deployment.getMetadata().getName(), template), template.hash(), null));
                    step = true;
                }
            } else {
                int[] fenceposts = fenceposts(deployment, replicas);
                if (current.size() < replicas && pods.size() < replicas + fenceposts[0] && refused == null) {
                    pods.add(new Pod(podName(deployment.getMetadata().getName(), template), template.hash(), null));
                    step = true;
                }
                step |= place(pods, template, namespace, template.podTolerations(), cluster, now);
                long available = pods.stream().filter(p -> p.available(now, minReady)).count();
                for (Pod pod : old.stream().sorted(Comparator.comparing((Pod p) -> p.available(now, minReady)))
                        .toList()) {
                    if (!pod.available(now, minReady) || available - 1 >= replicas - fenceposts[1]) {
                        if (pod.available(now, minReady)) {
                            available--;
                        }
                        pods.remove(pod);
                        step = true;
                    }
                }
            }
            if (current.size() > replicas) {
                // scale down: pending before waiting before running, newest first
                Pod excess = current.stream().max(Comparator.comparing((Pod p) -> p.node == null)
                        .thenComparing(p -> !p.running).thenComparing(p -> p.readySince)).orElseThrow();
                pods.remove(excess);
                step = true;
            }
            step |= place(pods, template, namespace, template.podTolerations(), cluster, now);
            changed |= step;
        } while (step);
        return changed;
    }

    /** maxSurge (rounded up) and maxUnavailable (rounded down) of a rolling update, at least one of them non-zero. */
    static int[] fenceposts(Deployment deployment, int replicas) {
        IntOrString surge = null;
        IntOrString unavailable = null;
        if (deployment.getSpec().getStrategy() != null && deployment.getSpec().getStrategy().getRollingUpdate() != null) {
            surge = deployment.getSpec().getStrategy().getRollingUpdate().getMaxSurge();
            unavailable = deployment.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable();
        }
        int maxSurge = scaled(surge == null ? new IntOrString("25%") : surge, replicas, true);
        int maxUnavailable = scaled(unavailable == null ? new IntOrString("25%") : unavailable, replicas, false);
        if (maxSurge == 0 && maxUnavailable == 0) {
            maxUnavailable = 1;
        }
        return new int[] {maxSurge, Math.min(maxUnavailable, replicas)};
    }

    static int scaled(IntOrString value, int total, boolean roundUp) {
        if (value.getIntVal() != null) {
            return value.getIntVal();
        }
        String text = value.getStrVal();
        if (text == null || !text.endsWith("%")) {
            return 0;
        }
        double scaled = Integer.parseInt(text.substring(0, text.length() - 1)) * total / 100.0;
        return (int) (roundUp ? Math.ceil(scaled) : Math.floor(scaled));
    }

    // --- DaemonSets -------------------------------------------------------------------------------------------------

    /** Brings the DaemonSet's pods one step towards its spec; true when anything changed. */
    boolean reconcile(DaemonSet daemonSet, PodTemplate template, Cluster cluster, long now) {
        String namespace = daemonSet.getMetadata().getNamespace();
        String owner = ownerKey("DaemonSet", namespace, daemonSet.getMetadata().getName());
        List<Pod> pods = byOwner.computeIfAbsent(owner, o -> new ArrayList<>());
        List<io.fabric8.kubernetes.api.model.Toleration> tolerations = template.daemonTolerations();
        boolean changed = collect(pods, tolerations, cluster);
        String refused = admission(template, namespace, cluster);
        failures.remove(owner);
        if (refused != null) {
            failures.put(owner, "pods \"" + daemonSet.getMetadata().getName() + "-\" is forbidden: " + refused);
        }
        for (Node node : cluster.nodes()) {
            String name = node.getMetadata().getName();
            boolean[] should = shouldRun(template, tolerations, node);
            List<Pod> onNode = pods.stream().filter(p -> name.equals(p.node)).toList();
            if (should[0] && onNode.isEmpty() && refused == null) {
                pods.add(new Pod(podName(daemonSet.getMetadata().getName(), null), template.hash(), name));
                changed = true;
            } else if (!should[1] && !onNode.isEmpty()) {
                pods.removeAll(onNode);
                changed = true;
            }
        }
        changed |= place(pods, template, namespace, tolerations, cluster, now);
        boolean onDelete = daemonSet.getSpec().getUpdateStrategy() != null
                && "OnDelete".equals(daemonSet.getSpec().getUpdateStrategy().getType());
        if (!onDelete && refused == null) {
            int minReady = Objects.requireNonNullElse(daemonSet.getSpec().getMinReadySeconds(), 0);
            IntOrString maxUnavailableValue = daemonSet.getSpec().getUpdateStrategy() == null
                    || daemonSet.getSpec().getUpdateStrategy().getRollingUpdate() == null
                    || daemonSet.getSpec().getUpdateStrategy().getRollingUpdate().getMaxUnavailable() == null
                    ? new IntOrString(1) : daemonSet.getSpec().getUpdateStrategy().getRollingUpdate().getMaxUnavailable();
            int maxUnavailable = Math.max(1, scaled(maxUnavailableValue, pods.size(), true));
            for (Pod old : pods.stream().filter(p -> !p.template.equals(template.hash())).toList()) {
                long unavailable = pods.stream().filter(p -> !p.available(now, minReady)).count();
                if (!old.available(now, minReady) || unavailable < maxUnavailable) {
                    pods.remove(old);
                    pods.add(new Pod(podName(daemonSet.getMetadata().getName(), null), template.hash(), old.node));
                    changed = true;
                    place(pods, template, namespace, tolerations, cluster, now);
                }
            }
        }
        return changed;
    }

    /**
     * The DaemonSet controller's {@code NodeShouldRunDaemonPod}: whether a pod should run on the node (name, selector,
     * affinity, no untolerated NoSchedule/NoExecute taint) and whether one there should keep running (only an
     * untolerated NoExecute taint stops it).
     */
    static boolean[] shouldRun(PodTemplate template, List<io.fabric8.kubernetes.api.model.Toleration> tolerations,
                               Node node) {
        boolean fitsName = template.nodeName().map(n -> n.equals(node.getMetadata().getName())).orElse(true);
        boolean fitsAffinity = Scheduling.matchesNode(template.nodeSelector(), template.requiredNodeAffinity(), node);
        if (!fitsName || !fitsAffinity) {
            return new boolean[] {false, false};
        }
        List<Taint> taints = Objects.requireNonNullElse(node.getSpec().getTaints(), List.of());
        if (!Scheduling.untolerated(taints, tolerations).isEmpty()) {
            return new boolean[] {false,
                    Scheduling.untolerated(taints, tolerations, Set.of(Scheduling.NO_EXECUTE)).isEmpty()};
        }
        return new boolean[] {true, true};
    }

    // --- shared -----------------------------------------------------------------------------------------------------

    /** Why the API server would refuse the owner's pods, or null: their account or priority class does not exist. */
    private static String admission(PodTemplate template, String namespace, Cluster cluster) {
        String account = template.serviceAccount();
        if (!cluster.serviceAccountExists(namespace, account)) {
            return "error looking up service account " + namespace + "/" + account + ": serviceaccount \"" + account
                    + "\" not found";
        }
        Optional<String> priorityClass = template.priorityClass();
        if (priorityClass.isPresent() && !cluster.priorityClassExists(priorityClass.get())) {
            return "no PriorityClass with name " + priorityClass.get() + " was found";
        }
        return null;
    }

    /**
     * Pods whose node is gone are deleted (the pod garbage collector); running pods on a node with an untolerated
     * NoExecute taint are evicted (the taint manager).
     */
    private static boolean collect(List<Pod> pods, List<io.fabric8.kubernetes.api.model.Toleration> tolerations,
                                   Cluster cluster) {
        Map<String, Node> nodes = new HashMap<>();
        cluster.nodes().forEach(node -> nodes.put(node.getMetadata().getName(), node));
        return pods.removeIf(pod -> {
            if (pod.node == null) {
                return false;
            }
            Node node = nodes.get(pod.node);
            return node == null || !Scheduling.untolerated(Objects.requireNonNullElse(node.getSpec().getTaints(),
                    List.of()), tolerations, Set.of(Scheduling.NO_EXECUTE)).isEmpty();
        });
    }

    /** The scheduler binds pending pods, the kubelet starts bound ones that can start; true when anything changed. */
    private boolean place(List<Pod> pods, PodTemplate template, String namespace,
                          List<io.fabric8.kubernetes.api.model.Toleration> tolerations, Cluster cluster, long now) {
        boolean changed = false;
        for (Pod pod : pods) {
            if (pod.node == null) {
                Optional<Node> node = schedule(template, tolerations, cluster);
                if (node.isPresent()) {
                    pod.node = node.get().getMetadata().getName();
                    changed = true;
                }
            }
            if (pod.node != null && !pod.running && missing(template, namespace, pod.node, cluster).isEmpty()) {
                pod.running = true;
                pod.readySince = now;
                changed = true;
            }
        }
        return changed;
    }

    /** The feasible node with the fewest pods, by name among equals; empty while none fits. */
    private Optional<Node> schedule(PodTemplate template, List<io.fabric8.kubernetes.api.model.Toleration> tolerations,
                                    Cluster cluster) {
        return cluster.nodes().stream()
                .filter(node -> template.nodeName().map(n -> n.equals(node.getMetadata().getName())).orElse(true))
                .filter(node -> Scheduling.matchesNode(template.nodeSelector(), template.requiredNodeAffinity(), node))
                .filter(node -> Scheduling.untolerated(Scheduling.taints(node), tolerations).isEmpty())
                .min(Comparator.comparingInt((Node node) -> podsOn(node.getMetadata().getName()))
                        .thenComparing(node -> node.getMetadata().getName()));
    }

    /**
     * What keeps the kubelet from starting the pod on the node, as its events would say it; empty when nothing: its
     * network (host network, or a network plugin ready on the node) and every Secret and ConfigMap it mounts or reads,
     * including the cluster CA its service-account token volume projects from {@code kube-root-ca.crt}.
     */
    static List<String> missing(PodTemplate template, String namespace, String node, Cluster cluster) {
        List<String> missing = new ArrayList<>();
        if (!template.hostNetwork() && !cluster.networkReady(node)) {
            missing.add("network is not ready: container runtime network not ready");
        }
        List<PodTemplate.Reference> references = new ArrayList<>(template.references());
        if (mountsServiceAccountToken(template, namespace, cluster)) {
            references.add(new PodTemplate.Reference("ConfigMap", NamespaceDefaults.ROOT_CA_CONFIG_MAP, "ca.crt",
                    false));
        }
        for (PodTemplate.Reference reference : references) {
            if (!reference.optional() && !cluster.exists(reference.kind(), namespace, reference.name(),
                    reference.key())) {
                missing.add(reference.kind().toLowerCase() + " \"" + reference.name() + "\""
                        + (reference.key() == null ? "" : " key \"" + reference.key() + "\"") + " not found");
            }
        }
        return missing;
    }

    /** The ServiceAccount admission plugin's rule: the pod's setting, else its account's, else mounted. */
    private static boolean mountsServiceAccountToken(PodTemplate template, String namespace, Cluster cluster) {
        if (template.automountServiceAccountToken() != null) {
            return template.automountServiceAccountToken();
        }
        return cluster.serviceAccount(namespace, template.serviceAccount())
                .map(account -> !Boolean.FALSE.equals(account.getAutomountServiceAccountToken())).orElse(true);
    }

    private static String podName(String owner, PodTemplate template) {
        String suffix = Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36 * 36 * 36, 36 * 36 * 36 * 36 * 36),
                36);
        return template == null ? owner + "-" + suffix : owner + "-" + template.hash() + "-" + suffix;
    }
}
