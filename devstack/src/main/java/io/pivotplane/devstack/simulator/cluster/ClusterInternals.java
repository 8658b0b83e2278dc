package io.pivotplane.devstack.simulator.cluster;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionConditionBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSetStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.pivotplane.devstack.infra.MultiClusterApiServer;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a Kubernetes cluster itself does, as far as the simulated Cluster API controllers need it: kubelets that
 * register their Nodes (NotReady until a CNI runs; tainted uninitialised until a cloud-controller-manager gives
 * them their provider id when the kubelet runs with {@code cloud-provider: external}), the scheduler's effect on
 * Deployment and DaemonSet status, CRDs becoming Established, cert-manager issuing Certificates.
 *
 * <p>A minimal stand-in with the entry points of the cluster-internals work (branch {@code simulator}), which
 * replaces it: only what the CAPI simulator's tests need, read back by the controllers from the API as a real
 * controller would.
 */
public final class ClusterInternals implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterInternals.class);
    static final String NOT_READY_TAINT = "node.kubernetes.io/not-ready";
    static final String UNINITIALIZED_TAINT = "node.cloudprovider.kubernetes.io/uninitialized";
    static final String CONTROL_PLANE_ROLE = "node-role.kubernetes.io/control-plane";
    static final String CNI_CONFIG_DIRECTORY = "/etc/cni/net.d";
    /** The in-tree / CCM name of each cloud, by the infrastructure provider's id. */
    private static final Map<String, String> CLOUD_PROVIDER_NAMES = Map.of(
            "aws", "aws", "azure", "azure", "gcp", "gce", "vsphere", "vsphere");
    private static final Set<String> WATCHED_KINDS = Set.of("CustomResourceDefinition", "Node", "Deployment",
            "DaemonSet", "Secret", "Certificate");
    private static final io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext CERTIFICATES =
            new io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext.Builder().withGroup("cert-manager.io")
                    .withVersion("v1").withKind("Certificate").withPlural("certificates").withNamespaced(true).build();

    private final KubernetesClient client;
    private final ScheduledExecutorService scheduler;
    /** Provider id and infrastructure provider of each node's VM, as the cloud reports them. */
    private final Map<String, String[]> machines = new ConcurrentHashMap<>();
    private final AtomicBoolean syncPending = new AtomicBoolean();
    private volatile ScheduledFuture<?> sweep;
    private volatile io.fabric8.kubernetes.client.informers.SharedIndexInformer<CustomResourceDefinition> crdInformer;
    private volatile boolean closed;

    private ClusterInternals(KubernetesClient client, ScheduledExecutorService scheduler) {
        this.client = client;
        this.scheduler = scheduler;
    }

    public static ClusterInternals startInWorkload(MultiClusterApiServer.ClusterApi api,
                                                   ScheduledExecutorService scheduler) {
        ClusterInternals internals = new ClusterInternals(api.client(), scheduler);
        api.addChangeListener((before, after) -> {
            GenericKubernetesResource object = after != null ? after : before;
            if ("CustomResourceDefinition".equals(object.getKind()) && after != null) {
                if (!String.valueOf(after.getAdditionalProperties().get("status")).contains("type=Established")) {
                    internals.establishSoon(object.getMetadata().getName());
                }
            } else if (WATCHED_KINDS.contains(object.getKind())) {
                internals.syncSoon();
            }
        });
        return internals;
    }

    /**
     * The management cluster: an existing single-node cluster (kind, say) whose node is Ready with its CNI
     * (kindnet), where Deployments become available.
     */
    public static ClusterInternals startInManagement(KubernetesClient management, ScheduledExecutorService scheduler) {
        ClusterInternals internals = new ClusterInternals(management, scheduler);
        internals.registerNode("management-control-plane", true, Map.of("taints", List.of()), Optional.empty());
        internals.createIfMissing(new DaemonSetBuilder().withNewMetadata().withName("kindnet").withNamespace("kube-system")
                .endMetadata().withNewSpec().withNewTemplate().withNewSpec().withHostNetwork(true)
                .addNewToleration().withOperator("Exists").endToleration()
                .addNewContainer().withName("kindnet-cni").withImage("docker.io/kindest/kindnetd:v20230511-dc714da8")
                .endContainer()
                .addNewVolume().withName("cni-cfg").withNewHostPath().withPath(CNI_CONFIG_DIRECTORY).endHostPath()
                .endVolume()
                .endSpec().endTemplate().endSpec().build());
        internals.crdInformer = management.apiextensions().v1().customResourceDefinitions().inform(
                new io.fabric8.kubernetes.client.informers.ResourceEventHandler<>() {
                    @Override
                    public void onAdd(CustomResourceDefinition crd) {
                        if (!established(crd)) {
                            internals.establishSoon(crd.getMetadata().getName());
                        }
                    }

                    @Override
                    public void onUpdate(CustomResourceDefinition before, CustomResourceDefinition crd) {
                        onAdd(crd);
                    }

                    @Override
                    public void onDelete(CustomResourceDefinition crd, boolean unknown) {
                    }
                }, 0);
        internals.sweep = scheduler.scheduleWithFixedDelay(internals::syncQuietly, 0, 200, TimeUnit.MILLISECONDS);
        return internals;
    }

    /**
     * kubelet registration of a booted machine; nodeRegistration = kubeadm NodeRegistrationOptions of its bootstrap
     * config (name, taints, kubeletExtraArgs…); providerId only if the kubelet itself sets it (kubelet arg
     * {@code provider-id}, or an in-tree cloud provider such as {@code gce}).
     */
    public void registerNode(String nodeName, boolean controlPlane, Map<String, Object> nodeRegistration,
                             Optional<String> providerId) {
        List<Taint> taints = new ArrayList<>();
        Object registered = nodeRegistration.get("taints");
        if (registered instanceof List<?> list) {
            for (Object taint : list) {
                if (taint instanceof Map<?, ?> t) {
                    taints.add(new TaintBuilder().withKey(String.valueOf(t.get("key")))
                            .withValue(t.get("value") == null ? null : String.valueOf(t.get("value")))
                            .withEffect(String.valueOf(t.get("effect"))).build());
                }
            }
        } else if (controlPlane) {
            // kubeadm's default for a control-plane node
            taints.add(new TaintBuilder().withKey(CONTROL_PLANE_ROLE).withEffect("NoSchedule").build());
        }
        Object args = nodeRegistration.get("kubeletExtraArgs");
        if (args instanceof Map<?, ?> kubeletArgs && "external".equals(kubeletArgs.get("cloud-provider"))
                && providerId.isEmpty()) {
            taints.add(new TaintBuilder().withKey(UNINITIALIZED_TAINT).withValue("true").withEffect("NoSchedule").build());
        }
        taints.add(new TaintBuilder().withKey(NOT_READY_TAINT).withEffect("NoSchedule").build());
        NodeBuilder node = new NodeBuilder().withNewMetadata().withName(nodeName)
                .addToLabels("kubernetes.io/hostname", nodeName).addToLabels("kubernetes.io/os", "linux")
                .endMetadata()
                .withNewSpec().withTaints(taints).withProviderID(providerId.orElse(null)).endSpec()
                .withNewStatus().withConditions(ready(false)).endStatus();
        if (controlPlane) {
            node.editMetadata().addToLabels(CONTROL_PLANE_ROLE, "").endMetadata();
        }
        createIfMissing(node.build());
        syncSoon();
    }

    public void removeNode(String nodeName) {
        machines.remove(nodeName);
        client.nodes().withName(nodeName).delete();
    }

    /** e.g. CAPMAAS sets the Node's providerID itself */
    public void setProviderId(String nodeName, String providerId) {
        client.nodes().withName(nodeName).edit(node -> {
            node.getSpec().setProviderID(providerId);
            return node;
        });
    }

    /**
     * tell the cluster which provider id the node's VM has, so a running cloud-controller-manager of that cloud can
     * initialise it
     */
    public void machineProviderId(String nodeName, String providerId, String infrastructureProvider) {
        machines.put(nodeName, new String[] {providerId, infrastructureProvider});
        syncSoon();
    }

    private void syncSoon() {
        if (!closed && syncPending.compareAndSet(false, true)) {
            scheduler.execute(() -> {
                syncPending.set(false);
                syncQuietly();
            });
        }
    }

    private void syncQuietly() {
        if (closed) {
            return;
        }
        try {
            sync();
        } catch (RuntimeException e) {
            if (!closed) {
                LOG.debug("cluster internals could not sync: {}", e.toString());
                scheduler.schedule(this::syncSoon, 500, TimeUnit.MILLISECONDS);
            }
        }
    }

    private void sync() {
        List<DaemonSet> daemonSets = client.apps().daemonSets().inAnyNamespace().list().getItems();
        List<Deployment> deployments = client.apps().deployments().inAnyNamespace().list().getItems();
        boolean cni = daemonSets.stream().anyMatch(ds -> mountsHostPath(ds.getSpec().getTemplate().getSpec()));
        Set<String> clouds = new HashSet<>();
        daemonSets.forEach(ds -> clouds.addAll(cloudControllerManagers(ds.getSpec().getTemplate().getSpec())));
        deployments.forEach(d -> clouds.addAll(cloudControllerManagers(d.getSpec().getTemplate().getSpec())));
        List<Node> nodes = new ArrayList<>();
        for (Node node : client.nodes().list().getItems()) {
            nodes.add(kubeletAndCloud(node, cni, clouds));
        }
        for (Deployment deployment : deployments) {
            schedule(deployment, nodes);
        }
        for (DaemonSet daemonSet : daemonSets) {
            schedule(daemonSet, nodes);
        }
        issueCertificates();
    }

    /** cert-manager, once its Deployments are available: every Certificate gets its TLS Secret. */
    private void issueCertificates() {
        List<Deployment> certManager = client.apps().deployments().inAnyNamespace()
                .withLabel("clusterctl.cluster.x-k8s.io/core", "cert-manager").list().getItems();
        boolean runs = !certManager.isEmpty() && certManager.stream().allMatch(d -> d.getStatus() != null
                && d.getStatus().getAvailableReplicas() != null && d.getStatus().getAvailableReplicas() > 0);
        if (!runs) {
            return;
        }
        for (GenericKubernetesResource certificate : client.genericKubernetesResources(CERTIFICATES).inAnyNamespace()
                .list().getItems()) {
            Object spec = certificate.getAdditionalProperties().get("spec");
            Object secretName = spec instanceof Map<?, ?> m ? m.get("secretName") : null;
            String namespace = certificate.getMetadata().getNamespace();
            if (secretName == null || client.secrets().inNamespace(namespace).withName(secretName.toString()).get() != null) {
                continue;
            }
            String pem = "-----BEGIN CERTIFICATE-----\nsimulated " + namespace + "/" + certificate.getMetadata().getName()
                    + "\n-----END CERTIFICATE-----\n";
            createIfMissing(new io.fabric8.kubernetes.api.model.SecretBuilder().withNewMetadata()
                    .withName(secretName.toString()).withNamespace(namespace)
                    .addToAnnotations("cert-manager.io/certificate-name", certificate.getMetadata().getName())
                    .endMetadata().withType("kubernetes.io/tls")
                    .addToStringData("tls.crt", pem).addToStringData("ca.crt", pem)
                    .addToStringData("tls.key", "-----BEGIN RSA PRIVATE KEY-----\nsimulated\n-----END RSA PRIVATE KEY-----\n")
                    .build());
        }
    }

    /** The API server establishes a new CRD's names. */
    private void establishSoon(String name) {
        if (closed) {
            return;
        }
        scheduler.execute(() -> {
            try {
                establish(name);
            } catch (RuntimeException e) {
                if (!closed) {
                    scheduler.schedule(() -> establishSoon(name), 200, TimeUnit.MILLISECONDS);
                }
            }
        });
    }

    private static boolean established(CustomResourceDefinition crd) {
        return crd.getStatus() != null && crd.getStatus().getConditions() != null
                && crd.getStatus().getConditions().stream()
                .anyMatch(c -> "Established".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    private void establish(String name) {
        CustomResourceDefinition crd = client.apiextensions().v1().customResourceDefinitions().withName(name).get();
        if (crd != null) {
            if (!established(crd)) {
                String now = now();
                crd.setStatus(new CustomResourceDefinitionStatusBuilder()
                        .withAcceptedNames(crd.getSpec().getNames())
                        .withStoredVersions(crd.getSpec().getVersions().stream().filter(v -> Boolean.TRUE.equals(v.getStorage()))
                                .map(v -> v.getName()).toList())
                        .withConditions(
                                new CustomResourceDefinitionConditionBuilder().withType("NamesAccepted").withStatus("True")
                                        .withReason("NoConflicts").withLastTransitionTime(now).build(),
                                new CustomResourceDefinitionConditionBuilder().withType("Established").withStatus("True")
                                        .withReason("InitialNamesAccepted").withLastTransitionTime(now).build())
                        .build());
                client.apiextensions().v1().customResourceDefinitions().resource(crd).updateStatus();
            }
        }
    }

    /** Ready once a CNI runs; a CCM of the node's cloud initialises it with its VM's provider id. */
    private Node kubeletAndCloud(Node node, boolean cni, Set<String> clouds) {
        List<Taint> taints = new ArrayList<>(Objects.requireNonNullElse(node.getSpec().getTaints(), List.of()));
        String providerId = node.getSpec().getProviderID();
        String[] machine = machines.get(node.getMetadata().getName());
        if (machine != null && clouds.contains(CLOUD_PROVIDER_NAMES.getOrDefault(machine[1], "-"))
                && taints.stream().anyMatch(t -> UNINITIALIZED_TAINT.equals(t.getKey()))) {
            providerId = machine[0];
            taints.removeIf(t -> UNINITIALIZED_TAINT.equals(t.getKey()));
        }
        taints.removeIf(t -> NOT_READY_TAINT.equals(t.getKey()));
        if (!cni) {
            taints.add(new TaintBuilder().withKey(NOT_READY_TAINT).withEffect("NoSchedule").build());
        }
        boolean wasReady = isReady(node);
        if (wasReady == cni && Objects.equals(providerId, node.getSpec().getProviderID())
                && sameTaints(taints, node.getSpec().getTaints())) {
            return node;
        }
        String newProviderId = providerId;
        try {
            Node updated = client.nodes().withName(node.getMetadata().getName()).edit(n -> {
                n.getSpec().setTaints(taints);
                n.getSpec().setProviderID(newProviderId);
                return n;
            });
            if (wasReady != cni) {
                updated.getStatus().setConditions(List.of(ready(cni)));
                updated = client.nodes().resource(updated).updateStatus();
            }
            return updated;
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                return node;
            }
            throw e;
        }
    }

    private static boolean sameTaints(List<Taint> a, List<Taint> b) {
        List<String> left = a.stream().map(t -> t.getKey() + "=" + t.getValue() + ":" + t.getEffect()).sorted().toList();
        List<String> right = Objects.requireNonNullElse(b, List.<Taint>of()).stream()
                .map(t -> t.getKey() + "=" + t.getValue() + ":" + t.getEffect()).sorted().toList();
        return left.equals(right);
    }

    private void schedule(Deployment deployment, List<Node> nodes) {
        PodSpec pod = deployment.getSpec().getTemplate().getSpec();
        int replicas = Objects.requireNonNullElse(deployment.getSpec().getReplicas(), 1);
        boolean schedulable = nodes.stream().anyMatch(node -> isReady(node) && tolerates(pod, node))
                && secretsExist(deployment.getMetadata().getNamespace(), pod);
        int available = schedulable ? replicas : 0;
        DeploymentStatus current = deployment.getStatus();
        if (current != null && Objects.equals(current.getAvailableReplicas(), available)
                && Objects.equals(current.getReplicas(), replicas)) {
            return;
        }
        deployment.setStatus(new DeploymentStatusBuilder().withReplicas(replicas).withUpdatedReplicas(replicas)
                .withReadyReplicas(available).withAvailableReplicas(available)
                .withUnavailableReplicas(replicas - available)
                .withObservedGeneration(deployment.getMetadata().getGeneration())
                .withConditions(new DeploymentConditionBuilder().withType("Available")
                        .withStatus(available >= replicas ? "True" : "False")
                        .withReason(available >= replicas ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable")
                        .withLastTransitionTime(now()).build())
                .build());
        client.apps().deployments().resource(deployment).updateStatus();
    }

    private void schedule(DaemonSet daemonSet, List<Node> nodes) {
        int desired = nodes.size();
        var current = daemonSet.getStatus();
        if (current != null && Objects.equals(current.getDesiredNumberScheduled(), desired)
                && Objects.equals(current.getNumberReady(), desired)) {
            return;
        }
        daemonSet.setStatus(new DaemonSetStatusBuilder().withDesiredNumberScheduled(desired)
                .withCurrentNumberScheduled(desired).withNumberReady(desired).withNumberAvailable(desired)
                .withUpdatedNumberScheduled(desired).withNumberMisscheduled(0)
                .withObservedGeneration(daemonSet.getMetadata().getGeneration()).build());
        client.apps().daemonSets().resource(daemonSet).updateStatus();
    }

    private boolean secretsExist(String namespace, PodSpec pod) {
        for (Volume volume : Objects.requireNonNullElse(pod.getVolumes(), List.<Volume>of())) {
            if (volume.getSecret() != null && !Boolean.TRUE.equals(volume.getSecret().getOptional())
                    && client.secrets().inNamespace(namespace).withName(volume.getSecret().getSecretName()).get() == null) {
                return false;
            }
        }
        return true;
    }

    private static boolean tolerates(PodSpec pod, Node node) {
        List<Toleration> tolerations = Objects.requireNonNullElse(pod.getTolerations(), List.of());
        for (Taint taint : Objects.requireNonNullElse(node.getSpec().getTaints(), List.<Taint>of())) {
            if ("PreferNoSchedule".equals(taint.getEffect())) {
                continue;
            }
            boolean tolerated = tolerations.stream().anyMatch(t ->
                    (t.getEffect() == null || t.getEffect().isEmpty() || t.getEffect().equals(taint.getEffect()))
                            && ("Exists".equals(t.getOperator())
                            ? t.getKey() == null || t.getKey().isEmpty() || t.getKey().equals(taint.getKey())
                            : Objects.equals(t.getKey(), taint.getKey())
                            && Objects.equals(Objects.requireNonNullElse(t.getValue(), ""),
                            Objects.requireNonNullElse(taint.getValue(), ""))));
            if (!tolerated) {
                return false;
            }
        }
        return true;
    }

    private static boolean mountsHostPath(PodSpec pod) {
        return Objects.requireNonNullElse(pod.getVolumes(), List.<Volume>of()).stream()
                .anyMatch(v -> v.getHostPath() != null && v.getHostPath().getPath() != null
                        && v.getHostPath().getPath().startsWith(CNI_CONFIG_DIRECTORY));
    }

    private static Set<String> cloudControllerManagers(PodSpec pod) {
        Set<String> clouds = new HashSet<>();
        for (Container container : Objects.requireNonNullElse(pod.getContainers(), List.<Container>of())) {
            List<String> words = new ArrayList<>(Objects.requireNonNullElse(container.getCommand(), List.of()));
            words.addAll(Objects.requireNonNullElse(container.getArgs(), List.of()));
            for (String word : words) {
                if (word.startsWith("--cloud-provider=") && !word.endsWith("=external")) {
                    clouds.add(word.substring("--cloud-provider=".length()));
                }
            }
        }
        return clouds;
    }

    private static boolean isReady(Node node) {
        return node.getStatus() != null && node.getStatus().getConditions() != null
                && node.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    private static NodeCondition ready(boolean ready) {
        String now = now();
        return new NodeConditionBuilder().withType("Ready").withStatus(ready ? "True" : "False")
                .withReason(ready ? "KubeletReady" : "KubeletNotReady")
                .withMessage(ready ? "kubelet is posting ready status"
                        : "container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady"
                        + " message:Network plugin returns error: cni plugin not initialized")
                .withLastHeartbeatTime(now).withLastTransitionTime(now).build();
    }

    private static String now() {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    }

    private <T extends io.fabric8.kubernetes.api.model.HasMetadata> void createIfMissing(T object) {
        try {
            client.resource(object).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        if (crdInformer != null) {
            crdInformer.close();
        }
        ScheduledFuture<?> running = sweep;
        if (running != null) {
            running.cancel(false);
        }
    }
}
