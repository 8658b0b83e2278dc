package io.pivotplane.devstack.simulator.cluster;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kubelets of a cluster's machines, and the node lifecycle controller: a booted machine's kubelet registers its
 * Node as kubeadm init/join configure it (labels, the taints kubeadm sets, the cloud provider's uninitialized taint,
 * the provider id it knows) and with its own version in {@code status.nodeInfo} (that of the machine's image, where a
 * machine names one), the API server's TaintNodesByCondition admission adds {@code not-ready:NoSchedule}; the
 * kubelet reports Ready only once a network plugin runs on its node, and the lifecycle controller then removes the
 * not-ready taint.
 */
final class Kubelets {

    private static final Logger LOG = LoggerFactory.getLogger(Kubelets.class);

    static final String CONTROL_PLANE_LABEL = "node-role.kubernetes.io/control-plane";
    static final String CONTROL_PLANE_TAINT = CONTROL_PLANE_LABEL;
    static final String NETWORK_NOT_READY = "container runtime network not ready: NetworkReady=false "
            + "reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized";
    /** The version of a kubelet whose machine names none. */
    static final String KUBELET_VERSION = "v1.31.4";
    /** The labels a kubelet may set itself with --node-labels in the kubernetes.io and k8s.io namespaces. */
    private static final Set<String> KUBELET_LABELS = Set.of("kubernetes.io/hostname", "topology.kubernetes.io/zone",
            "topology.kubernetes.io/region", "failure-domain.beta.kubernetes.io/zone",
            "failure-domain.beta.kubernetes.io/region", "beta.kubernetes.io/instance-type",
            "node.kubernetes.io/instance-type", "kubernetes.io/os", "kubernetes.io/arch", "beta.kubernetes.io/os",
            "beta.kubernetes.io/arch");

    /** A node a kubelet of ours runs: its network is ready from the start when the machine came with one. */
    private record Registration(boolean networkPreset) {
    }

    private final KubernetesClient client;
    private final Retries retries;
    private final Map<String, Registration> registered = new ConcurrentHashMap<>();
    /** Provider ids an infrastructure provider or a cloud controller set, by node, until they are on the Node. */
    private final Map<String, String> providerIds = new ConcurrentHashMap<>();
    /** Nodes whose kubelet posts no status any more. */
    private final Set<String> stopped = ConcurrentHashMap.newKeySet();

    Kubelets(KubernetesClient client, Retries retries) {
        this.client = client;
        this.retries = retries;
    }

    /**
     * kubeadm init/join and the kubelet start: the Node is created (or, when it exists, taken over as the kubelet
     * does). A kubelet whose {@code node-labels} name labels it may not set never starts, and never registers.
     */
    void register(String nodeName, boolean controlPlane, Map<String, Object> nodeRegistration,
                  Optional<String> providerId, Optional<String> version) {
        Map<String, String> kubeletArgs = kubeletExtraArgs(nodeRegistration);
        Map<String, String> nodeLabels = nodeLabels(kubeletArgs.get("node-labels"));
        List<String> forbidden = nodeLabels.keySet().stream().filter(Kubelets::forbiddenLabel).sorted().toList();
        if (!forbidden.isEmpty()) {
            LOG.warn("The kubelet of {} fails to start: unknown 'kubernetes.io' or 'k8s.io' labels specified with "
                    + "--node-labels: {}", nodeName, forbidden);
            return;
        }
        boolean externalCloud = "external".equals(kubeletArgs.get("cloud-provider"));
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("beta.kubernetes.io/arch", "amd64");
        labels.put("beta.kubernetes.io/os", "linux");
        labels.put("kubernetes.io/arch", "amd64");
        labels.put("kubernetes.io/hostname", nodeName);
        labels.put("kubernetes.io/os", "linux");
        labels.putAll(nodeLabels);
        if (controlPlane) {
            // kubeadm's mark-control-plane phase
            labels.put(CONTROL_PLANE_LABEL, "");
            labels.put("node.kubernetes.io/exclude-from-external-load-balancers", "");
        }
        List<Taint> taints = new ArrayList<>(kubeadmTaints(nodeRegistration, controlPlane));
        if (externalCloud) {
            taints.add(new Taint(Scheduling.NO_SCHEDULE, Scheduling.UNINITIALIZED_TAINT, null, "true"));
        }
        // the TaintNodesByCondition admission plugin taints every new node until it is Ready
        taints.add(new Taint(Scheduling.NO_SCHEDULE, Scheduling.NOT_READY_TAINT, null, null));
        String provider = providerId.orElse(kubeletArgs.get("provider-id"));
        Node node = node(nodeName, labels, taints, provider, externalCloud, false, version.orElse(KUBELET_VERSION));
        create(node);
        registered.put(nodeName, new Registration(false));
    }

    /** A node that is up already, with its network: the management cluster's own. */
    void registerRunning(String nodeName, Map<String, String> labels) {
        Map<String, String> all = new LinkedHashMap<>(Map.of("beta.kubernetes.io/arch", "amd64",
                "beta.kubernetes.io/os", "linux", "kubernetes.io/arch", "amd64", "kubernetes.io/hostname", nodeName,
                "kubernetes.io/os", "linux"));
        all.putAll(labels);
        create(node(nodeName, all, List.of(), null, false, true, KUBELET_VERSION));
        registered.put(nodeName, new Registration(true));
    }

    private void create(Node node) {
        try {
            client.nodes().resource(node).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
                throw e;
            }
            LOG.debug("Node {} exists already: its kubelet takes it over", node.getMetadata().getName());
        }
    }

    /**
     * The node's machine stopped answering (powered off, its kernel hung, its network cut): its kubelet posts no more
     * status, and the node lifecycle controller, after its grace period, says so on the Node.
     */
    void stop(String nodeName) {
        stopped.add(nodeName);
    }

    void remove(String nodeName) {
        stopped.remove(nodeName);
        registered.remove(nodeName);
        providerIds.remove(nodeName);
        client.nodes().withName(nodeName).delete();
    }

    boolean networkPreset(String nodeName) {
        Registration registration = registered.get(nodeName);
        return registration != null && registration.networkPreset();
    }

    /** Sets the node's provider id once its Node exists (and has none: it never changes once set). */
    void providerId(String nodeName, String providerId) {
        providerIds.put(nodeName, providerId);
    }

    /**
     * The kubelets report each node's readiness (Ready once a network plugin runs there), the lifecycle controller
     * keeps the not-ready taint on every node that is not Ready, and provider ids set from outside reach their Nodes.
     */
    void reconcile(ClusterObjects objects, Predicate<String> networkReady) {
        for (GenericKubernetesResource object : objects.all(ClusterObjects.NODE)) {
            Node node = objects.copy(object, Node.class);
            String name = node.getMetadata().getName();
            try {
                if (stopped.contains(name)) {
                    node = markUnreachable(node);
                } else if (registered.containsKey(name)) {
                    node = reportReadiness(node, networkReady.test(name));
                }
                updateSpec(node);
            } catch (KubernetesClientException e) {
                retries.failed("node " + name, e);
            }
        }
    }

    private Node reportReadiness(Node node, boolean ready) {
        NodeCondition current = condition(node, "Ready").orElse(null);
        NodeCondition wanted = readyCondition(ready, current);
        if (current != null && Objects.equals(current.getStatus(), wanted.getStatus())
                && Objects.equals(current.getReason(), wanted.getReason())
                && Objects.equals(current.getMessage(), wanted.getMessage())) {
            return node;
        }
        List<NodeCondition> conditions = new ArrayList<>(Objects.requireNonNullElse(node.getStatus().getConditions(),
                List.of()));
        conditions.removeIf(c -> "Ready".equals(c.getType()));
        conditions.add(wanted);
        node.getStatus().setConditions(conditions);
        return client.nodes().resource(node).updateStatus();
    }

    /**
     * The node lifecycle controller's view of a node whose kubelet went silent: every condition Unknown
     * ({@code NodeStatusUnknown}, "Kubelet stopped posting node status."), which a MachineHealthCheck times.
     */
    private Node markUnreachable(Node node) {
        NodeCondition current = condition(node, "Ready").orElse(null);
        if (current != null && "Unknown".equals(current.getStatus())) {
            return node;
        }
        String now = now();
        List<NodeCondition> conditions = new ArrayList<>();
        for (NodeCondition condition : Objects.requireNonNullElse(node.getStatus().getConditions(),
                List.<NodeCondition>of())) {
            conditions.add(new NodeCondition(condition.getLastHeartbeatTime(), now, "Kubelet stopped posting node"
                    + " status.", "NodeStatusUnknown", "Unknown", condition.getType()));
        }
        if (current == null) {
            conditions.add(new NodeCondition(now, now, "Kubelet stopped posting node status.", "NodeStatusUnknown",
                    "Unknown", "Ready"));
        }
        node.getStatus().setConditions(conditions);
        return client.nodes().resource(node).updateStatus();
    }

    private void updateSpec(Node node) {
        boolean ready = condition(node, "Ready").map(c -> "True".equals(c.getStatus())).orElse(false);
        List<Taint> taints = new ArrayList<>(Objects.requireNonNullElse(node.getSpec().getTaints(), List.of()));
        boolean changed = false;
        boolean unreachable = stopped.contains(node.getMetadata().getName());
        if (unreachable && taints.stream().noneMatch(t -> Scheduling.UNREACHABLE_TAINT.equals(t.getKey()))) {
            // the lifecycle controller's taints: nothing new lands there, and what tolerates no unreachable node leaves
            taints.add(new Taint(Scheduling.NO_SCHEDULE, Scheduling.UNREACHABLE_TAINT, null, null));
            taints.add(new Taint(Scheduling.NO_EXECUTE, Scheduling.UNREACHABLE_TAINT, null, now()));
            changed = true;
        }
        boolean tainted = taints.stream().anyMatch(Kubelets::isNotReadyTaint);
        // an unreachable node gets the unreachable taints above, not "not ready"
        if (!unreachable && ready && tainted) {
            taints.removeIf(Kubelets::isNotReadyTaint);
            changed = true;
        } else if (!unreachable && !ready && !tainted) {
            taints.add(new Taint(Scheduling.NO_SCHEDULE, Scheduling.NOT_READY_TAINT, null, null));
            changed = true;
        }
        String providerId = providerIds.get(node.getMetadata().getName());
        if (providerId != null) {
            String current = node.getSpec().getProviderID();
            if (current == null || current.isEmpty()) {
                node.getSpec().setProviderID(providerId);
                changed = true;
            } else if (!current.equals(providerId)) {
                LOG.warn("Node {} keeps its provider id {}: a node's provider id never changes once set (not to {})",
                        node.getMetadata().getName(), current, providerId);
            }
            providerIds.remove(node.getMetadata().getName());
        }
        if (changed) {
            node.getSpec().setTaints(taints);
            client.nodes().resource(node).update();
        }
    }

    private static boolean isNotReadyTaint(Taint taint) {
        return Scheduling.NOT_READY_TAINT.equals(taint.getKey()) && Scheduling.NO_SCHEDULE.equals(taint.getEffect());
    }

    static Optional<NodeCondition> condition(Node node, String type) {
        if (node.getStatus() == null || node.getStatus().getConditions() == null) {
            return Optional.empty();
        }
        return node.getStatus().getConditions().stream().filter(c -> type.equals(c.getType())).findFirst();
    }

    private static NodeCondition readyCondition(boolean ready, NodeCondition previous) {
        String status = ready ? "True" : "False";
        String since = previous != null && status.equals(previous.getStatus()) ? previous.getLastTransitionTime()
                : now();
        return new NodeCondition(now(), since, ready ? "kubelet is posting ready status" : NETWORK_NOT_READY,
                ready ? "KubeletReady" : "KubeletNotReady", status, "Ready");
    }

    private static Node node(String name, Map<String, String> labels, List<Taint> taints, String providerId,
                             boolean externalCloud, boolean ready, String kubeletVersion) {
        String now = now();
        List<NodeAddress> addresses = new ArrayList<>();
        if (!externalCloud) {
            // with an external cloud provider, the cloud controller sets the addresses
            addresses.add(new NodeAddress(internalIp(name), "InternalIP"));
        }
        addresses.add(new NodeAddress(name, "Hostname"));
        Map<String, Quantity> capacity = Map.of("cpu", new Quantity("2"), "memory", new Quantity("4015852Ki"),
                "pods", new Quantity("110"), "ephemeral-storage", new Quantity("25623596Ki"));
        return new NodeBuilder().withNewMetadata().withName(name).withLabels(labels)
                .addToAnnotations("volumes.kubernetes.io/controller-managed-attach-detach", "true")
                .endMetadata()
                .withNewSpec().withTaints(taints).withProviderID(providerId).endSpec()
                .withNewStatus()
                .addNewCondition().withType("MemoryPressure").withStatus("False")
                .withReason("KubeletHasSufficientMemory").withMessage("kubelet has sufficient memory available")
                .withLastHeartbeatTime(now).withLastTransitionTime(now).endCondition()
                .addNewCondition().withType("DiskPressure").withStatus("False")
                .withReason("KubeletHasNoDiskPressure").withMessage("kubelet has no disk pressure")
                .withLastHeartbeatTime(now).withLastTransitionTime(now).endCondition()
                .addNewCondition().withType("PIDPressure").withStatus("False")
                .withReason("KubeletHasSufficientPID").withMessage("kubelet has sufficient PID available")
                .withLastHeartbeatTime(now).withLastTransitionTime(now).endCondition()
                .addToConditions(readyCondition(ready, null))
                .withAddresses(addresses)
                .withCapacity(capacity).withAllocatable(capacity)
                .withNewDaemonEndpoints().withNewKubeletEndpoint().withPort(10250).endKubeletEndpoint()
                .endDaemonEndpoints()
                .withNewNodeInfo().withArchitecture("amd64").withOperatingSystem("linux")
                .withKubeletVersion(kubeletVersion).withKubeProxyVersion(kubeletVersion)
                .withContainerRuntimeVersion("containerd://1.7.24").withOsImage("Ubuntu 24.04.1 LTS")
                .withKernelVersion("6.8.0-51-generic").withMachineID(name).withSystemUUID(name).withBootID(name)
                .endNodeInfo()
                .endStatus().build();
    }

    private static String internalIp(String name) {
        int hash = name.hashCode();
        return "10." + ((hash >>> 16) & 0xff) + "." + ((hash >>> 8) & 0xff) + "." + Math.max(1, hash & 0xfe);
    }

    /**
     * kubeadm's taints: {@code nodeRegistration.taints} when given (an empty list meaning none), else the
     * control-plane taint on control-plane nodes ({@code SetNodeRegistrationDynamicDefaults}).
     */
    static List<Taint> kubeadmTaints(Map<String, Object> nodeRegistration, boolean controlPlane) {
        Object given = nodeRegistration == null ? null : nodeRegistration.get("taints");
        if (given instanceof List<?> list) {
            List<Taint> taints = new ArrayList<>();
            for (Object item : list) {
                if (item instanceof Map<?, ?> taint) {
                    taints.add(new Taint(string(taint.get("effect")), string(taint.get("key")), null,
                            string(taint.get("value"))));
                }
            }
            return taints;
        }
        return controlPlane ? List.of(new Taint(Scheduling.NO_SCHEDULE, CONTROL_PLANE_TAINT, null, null)) : List.of();
    }

    /** {@code kubeletExtraArgs}: a map in v1beta1, a list of name/value pairs in v1beta2. */
    static Map<String, String> kubeletExtraArgs(Map<String, Object> nodeRegistration) {
        Object args = nodeRegistration == null ? null : nodeRegistration.get("kubeletExtraArgs");
        Map<String, String> result = new LinkedHashMap<>();
        if (args instanceof Map<?, ?> map) {
            map.forEach((name, value) -> result.put(String.valueOf(name), String.valueOf(value)));
        } else if (args instanceof List<?> list) {
            for (Object item : list) {
                if (item instanceof Map<?, ?> arg && arg.get("name") != null) {
                    result.put(String.valueOf(arg.get("name")), string(arg.get("value")));
                }
            }
        }
        return result;
    }

    private static Map<String, String> nodeLabels(String flag) {
        Map<String, String> labels = new LinkedHashMap<>();
        if (flag == null || flag.isBlank()) {
            return labels;
        }
        for (String pair : flag.split(",")) {
            String[] keyValue = pair.strip().split("=", 2);
            if (!keyValue[0].isEmpty()) {
                labels.put(keyValue[0], keyValue.length > 1 ? keyValue[1] : "");
            }
        }
        return labels;
    }

    /** The kubelet's check of --node-labels ({@code k8s.io/kubelet/pkg/apis.IsKubeletLabel}). */
    static boolean forbiddenLabel(String key) {
        int slash = key.indexOf('/');
        String namespace = slash < 0 ? "" : key.substring(0, slash);
        boolean kubernetes = namespace.equals("kubernetes.io") || namespace.endsWith(".kubernetes.io")
                || namespace.equals("k8s.io") || namespace.endsWith(".k8s.io");
        if (!kubernetes || KUBELET_LABELS.contains(key)) {
            return false;
        }
        for (String allowed : new TreeSet<>(List.of("kubelet.kubernetes.io", "node.kubernetes.io"))) {
            if (namespace.equals(allowed) || namespace.endsWith("." + allowed)) {
                return false;
            }
        }
        return true;
    }

    private static String string(Object value) {
        return value == null ? null : String.valueOf(value);
    }

    private static String now() {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    }
}
