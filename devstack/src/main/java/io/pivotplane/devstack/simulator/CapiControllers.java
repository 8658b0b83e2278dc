package io.pivotplane.devstack.simulator;

import static io.pivotplane.capi.ObjectMaps.at;
import static io.pivotplane.capi.ObjectMaps.integer;
import static io.pivotplane.capi.ObjectMaps.isTrue;
import static io.pivotplane.capi.ObjectMaps.map;
import static io.pivotplane.capi.ObjectMaps.string;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.pivotplane.capi.Capi;
import io.pivotplane.capi.CapiCrds;
import io.pivotplane.capi.k8s.Kubeconfigs;
import io.pivotplane.devstack.infra.MultiClusterApiServer;
import java.net.HttpURLConnection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stands in for the Cluster API controllers, the kubeadm providers and the cloud in one Kubernetes API server
 * (the management cluster's, or a workload cluster's after its pivot), the way CAPI's in-memory provider does:
 * it creates the {@code Machine}s of each {@code KubeadmControlPlane} and {@code MachineDeployment}, provisions
 * them after a delay, starts the workload cluster's API server with its first control-plane node, and keeps
 * the v1beta1 status of every object true. A paused {@code Cluster} is left alone, as CAPI does.
 */
public final class CapiControllers implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CapiControllers.class);
    private static final Duration RETRY = Duration.ofSeconds(1);

    private final String name;
    private final KubernetesClient client;
    private final SimulatorSettings settings;
    private final WorkloadApiServers workloads;
    private final ScheduledExecutorService scheduler;
    private final List<SharedIndexInformer<GenericKubernetesResource>> informers = new ArrayList<>();
    /** When each object (by uid) is due to be ready: the simulated cloud's clock. */
    private final Map<String, Instant> readyAt = new ConcurrentHashMap<>();
    private final Set<String> reconciling = new HashSet<>();
    private final Set<String> dirty = new HashSet<>();
    /** Clusters (namespace/name) with a deleted object, whose dependents the garbage collector looks at. */
    private final Set<String> collectGarbage = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    public CapiControllers(String name, KubernetesClient client, SimulatorSettings settings,
                           WorkloadApiServers workloads, ScheduledExecutorService scheduler) {
        this.name = name;
        this.client = client;
        this.settings = settings;
        this.workloads = workloads;
        this.scheduler = scheduler;
    }

    /** The kinds whose changes make a cluster's reconcile run, as apiVersion and kind. */
    private static final List<List<String>> RECONCILED_KINDS = List.of(
            List.of(Capi.CORE_API_VERSION, Capi.CLUSTER),
            List.of(Capi.CONTROL_PLANE_API_VERSION, Capi.KUBEADM_CONTROL_PLANE),
            List.of(Capi.CORE_API_VERSION, Capi.MACHINE_DEPLOYMENT),
            List.of(Capi.CORE_API_VERSION, Capi.MACHINE_SET),
            List.of(Capi.CORE_API_VERSION, Capi.MACHINE));

    /** Starts reconciling on the events of informers, as a controller in a real cluster does. */
    public CapiControllers start() {
        for (List<String> kind : RECONCILED_KINDS) {
            informers.add(client.genericKubernetesResources(kind.get(0), kind.get(1)).inAnyNamespace()
                    .inform(new Enqueue(), 0));
        }
        return this;
    }

    /**
     * Starts reconciling on the changes a simulated cluster's store reports in this JVM: the same events as
     * {@link #start()}'s informers, without five watch connections per simulated cluster.
     */
    public CapiControllers startListening(MultiClusterApiServer.ClusterApi api) {
        Enqueue enqueue = new Enqueue();
        api.addChangeListener((before, after) -> {
            GenericKubernetesResource object = after != null ? after : before;
            if (!RECONCILED_KINDS.contains(List.of(object.getApiVersion(), object.getKind()))) {
                return;
            }
            if (after == null) {
                enqueue.onDelete(before, false);
            } else {
                enqueue.onAdd(after);
            }
        });
        return this;
    }

    /** Runs every informer event through one reconcile of the cluster the object belongs to. */
    private final class Enqueue implements ResourceEventHandler<GenericKubernetesResource> {

        @Override
        public void onAdd(GenericKubernetesResource object) {
            clusterKey(object).ifPresent(key -> enqueue(key, Duration.ZERO));
        }

        @Override
        public void onUpdate(GenericKubernetesResource before, GenericKubernetesResource object) {
            onAdd(object);
        }

        @Override
        public void onDelete(GenericKubernetesResource object, boolean deletedFinalStateUnknown) {
            clusterKey(object).ifPresent(key -> {
                collectGarbage.add(key);
                enqueue(key, Duration.ZERO);
            });
        }
    }

    private static Optional<String> clusterKey(GenericKubernetesResource object) {
        String namespace = object.getMetadata().getNamespace();
        if (Capi.CLUSTER.equals(object.getKind())) {
            return Optional.of(namespace + "/" + object.getMetadata().getName());
        }
        Map<String, String> labels = object.getMetadata().getLabels();
        return Optional.ofNullable(labels == null ? null : labels.get(Capi.CLUSTER_NAME_LABEL))
                .map(cluster -> namespace + "/" + cluster);
    }

    private void enqueue(String key, Duration delay) {
        if (closed) {
            return;
        }
        scheduler.schedule(() -> run(key), Math.max(0, delay.toMillis()), TimeUnit.MILLISECONDS);
    }

    /** One reconcile per cluster at a time; events during it cause one more run after it. */
    private void run(String key) {
        synchronized (reconciling) {
            if (!reconciling.add(key)) {
                dirty.add(key);
                return;
            }
        }
        try {
            String[] parts = key.split("/", 2);
            if (collectGarbage.remove(key)) {
                collectGarbage(parts[0], parts[1]);
            }
            reconcile(parts[0], parts[1]);
        } catch (RuntimeException e) {
            if (!closed) {
                LOG.debug("[{}] reconcile of {} failed, retrying: {}", name, key, e.toString());
                enqueue(key, RETRY);
            }
        } finally {
            boolean again;
            synchronized (reconciling) {
                reconciling.remove(key);
                again = dirty.remove(key);
            }
            if (again) {
                enqueue(key, Duration.ZERO);
            }
        }
    }

    /**
     * Kubernetes' garbage collector, which fabric8's API server does not have: an object of the cluster whose
     * owners are all gone is deleted, until nothing more goes (a MachineSet takes its Machines, a Machine its
     * KubeadmConfig, a Cluster its infrastructure and desired-spec ConfigMap).
     */
    private void collectGarbage(String namespace, String clusterName) {
        boolean deletedAny;
        do {
            List<HasMetadata> objects = new ArrayList<>();
            for (CapiCrds.StoredKind kind : CapiCrds.storedKinds()) {
                if (kind.namespaced()) {
                    objects.addAll(list(kind.apiVersion(), kind.kind(), namespace, Capi.CLUSTER_NAME_LABEL, clusterName));
                }
            }
            objects.addAll(client.secrets().inNamespace(namespace).withLabel(Capi.CLUSTER_NAME_LABEL, clusterName)
                    .list().getItems());
            objects.addAll(client.configMaps().inNamespace(namespace).withLabel(Capi.CLUSTER_NAME_LABEL, clusterName)
                    .list().getItems());
            Set<String> uids = new HashSet<>();
            objects.forEach(o -> uids.add(o.getMetadata().getUid()));
            deletedAny = false;
            for (HasMetadata object : objects) {
                List<OwnerReference> owners = object.getMetadata().getOwnerReferences();
                if (owners != null && !owners.isEmpty() && owners.stream().noneMatch(o -> uids.contains(o.getUid()))) {
                    client.resource(object).delete();
                    readyAt.remove(object.getMetadata().getUid());
                    LOG.info("[{}] garbage-collected {} {}/{}", name, object.getKind(), namespace,
                            object.getMetadata().getName());
                    deletedAny = true;
                }
            }
        } while (deletedAny);
    }

    private void reconcile(String namespace, String clusterName) {
        GenericKubernetesResource cluster = get(Capi.CORE_API_VERSION, Capi.CLUSTER, namespace, clusterName);
        if (cluster == null || isTrue(cluster, "spec", "paused")) {
            return;
        }
        String key = namespace + "/" + clusterName;
        GenericKubernetesResource infrastructure = referenced(cluster, "infrastructureRef");
        boolean infrastructureReady = infrastructure != null && reconcileInfrastructure(cluster, infrastructure, key);
        GenericKubernetesResource controlPlane = referenced(cluster, "controlPlaneRef");
        ControlPlane cp = controlPlane == null ? ControlPlane.NONE
                : reconcileControlPlane(cluster, controlPlane, infrastructureReady, key);
        for (GenericKubernetesResource deployment : list(Capi.CORE_API_VERSION, Capi.MACHINE_DEPLOYMENT, namespace,
                Capi.CLUSTER_NAME_LABEL, clusterName)) {
            reconcileMachineDeployment(cluster, deployment, infrastructureReady && cp.initialized(), cp.workload(),
                    key);
        }
        boolean initialized = cp.initialized()
                || io.pivotplane.capi.ObjectMaps.conditionTrue(cluster, Capi.CONDITION_CONTROL_PLANE_INITIALIZED);
        setStatus(cluster, map(
                "conditions", conditions(cluster, map(
                        Capi.CONDITION_READY, infrastructureReady && cp.ready(),
                        Capi.CONDITION_CONTROL_PLANE_INITIALIZED, initialized,
                        Capi.CONDITION_CONTROL_PLANE_READY, cp.ready(),
                        Capi.CONDITION_INFRASTRUCTURE_READY, infrastructureReady)),
                "controlPlaneReady", cp.ready(),
                "infrastructureReady", infrastructureReady,
                "observedGeneration", cluster.getMetadata().getGeneration(),
                "phase", infrastructureReady ? Capi.PHASE_PROVISIONED : Capi.PHASE_PROVISIONING));
    }

    private boolean reconcileInfrastructure(GenericKubernetesResource cluster, GenericKubernetesResource infra,
                                            String key) {
        ensureOwnedBy(infra, cluster, false);
        if (isTrue(infra, "status", "ready")) {
            return true;
        }
        if (!due(infra, settings.infrastructureDelay(), key)) {
            return false;
        }
        setStatus(infra, map("ready", true, "conditions", conditions(infra, map(Capi.CONDITION_READY, true))));
        return true;
    }

    private record ControlPlane(boolean initialized, boolean ready, KubernetesClient workload) {
        static final ControlPlane NONE = new ControlPlane(false, false, null);
    }

    private ControlPlane reconcileControlPlane(GenericKubernetesResource cluster, GenericKubernetesResource kcp,
                                               boolean infrastructureReady, String key) {
        ensureOwnedBy(kcp, cluster, true);
        String namespace = kcp.getMetadata().getNamespace();
        String clusterName = cluster.getMetadata().getName();
        int desired = integer(kcp, 1, "spec", "replicas");
        List<GenericKubernetesResource> machines = list(Capi.CORE_API_VERSION, Capi.MACHINE, namespace,
                Capi.CONTROL_PLANE_NAME_LABEL, kcp.getMetadata().getName());
        if (infrastructureReady) {
            Map<String, String> labels = map3(Capi.CLUSTER_NAME_LABEL, clusterName, Capi.CONTROL_PLANE_LABEL, "",
                    Capi.CONTROL_PLANE_NAME_LABEL, kcp.getMetadata().getName());
            Map<?, ?> template = (Map<?, ?>) at(kcp, "spec", "machineTemplate", "infrastructureRef").orElse(Map.of());
            machines = scale(machines, desired, kcp, labels, template, string(kcp, "spec", "version").orElse(null));
        }
        KubernetesClient workload = null;
        int running = 0;
        for (GenericKubernetesResource machine : oldestFirst(machines)) {
            if (workload == null && due(machine, settings.machineDelay(), key)) {
                workload = workloadApi(cluster, kcp);
            }
            if (provision(machine, workload, key)) {
                running++;
            }
        }
        boolean initialized = running > 0 || isTrue(kcp, "status", "initialized");
        setStatus(kcp, map(
                "conditions", conditions(kcp, map(Capi.CONDITION_READY, running == desired,
                        Capi.CONDITION_AVAILABLE, initialized)),
                "initialized", initialized,
                "observedGeneration", kcp.getMetadata().getGeneration(),
                "ready", running > 0,
                "readyReplicas", running,
                "replicas", machines.size(),
                "selector", Capi.CLUSTER_NAME_LABEL + "=" + clusterName + "," + Capi.CONTROL_PLANE_NAME_LABEL + "="
                        + kcp.getMetadata().getName(),
                "unavailableReplicas", machines.size() - running,
                "updatedReplicas", machines.size(),
                "version", string(kcp, "spec", "version").orElse(null)));
        return new ControlPlane(initialized, running > 0, workload != null ? workload : existingWorkloadApi(cluster));
    }

    private void reconcileMachineDeployment(GenericKubernetesResource cluster, GenericKubernetesResource deployment,
                                            boolean workersAllowed, KubernetesClient workload, String key) {
        ensureOwnedBy(deployment, cluster, false);
        String namespace = deployment.getMetadata().getNamespace();
        String clusterName = cluster.getMetadata().getName();
        String deploymentName = deployment.getMetadata().getName();
        int desired = integer(deployment, 1, "spec", "replicas");
        GenericKubernetesResource set = machineSet(deployment, desired);
        List<GenericKubernetesResource> machines = list(Capi.CORE_API_VERSION, Capi.MACHINE, namespace,
                Capi.SET_NAME_LABEL, set.getMetadata().getName());
        if (workersAllowed) {
            Map<String, String> labels = map3(Capi.CLUSTER_NAME_LABEL, clusterName,
                    Capi.DEPLOYMENT_NAME_LABEL, deploymentName, Capi.SET_NAME_LABEL, set.getMetadata().getName());
            Map<?, ?> template = (Map<?, ?>) at(deployment, "spec", "template", "spec", "infrastructureRef")
                    .orElse(Map.of());
            machines = scale(machines, desired, set, labels, template,
                    string(deployment, "spec", "template", "spec", "version").orElse(null));
        }
        int running = 0;
        for (GenericKubernetesResource machine : machines) {
            if (provision(machine, workersAllowed ? workload : null, key)) {
                running++;
            }
        }
        setStatus(set, map(
                "availableReplicas", running,
                "fullyLabeledReplicas", machines.size(),
                "observedGeneration", set.getMetadata().getGeneration(),
                "readyReplicas", running,
                "replicas", machines.size()));
        setStatus(deployment, map(
                "availableReplicas", running,
                "observedGeneration", deployment.getMetadata().getGeneration(),
                "phase", running == desired ? "Running" : (machines.size() < desired ? "ScalingUp" : "ScalingDown"),
                "readyReplicas", running,
                "replicas", machines.size(),
                "unavailableReplicas", machines.size() - running,
                "updatedReplicas", machines.size()));
    }

    /** The MachineSet of a MachineDeployment, created or resized; one per deployment, as no rollout happens. */
    private GenericKubernetesResource machineSet(GenericKubernetesResource deployment, int replicas) {
        String namespace = deployment.getMetadata().getNamespace();
        String name = deployment.getMetadata().getName() + "-ms";
        GenericKubernetesResource set = get(Capi.CORE_API_VERSION, Capi.MACHINE_SET, namespace, name);
        if (set == null) {
            GenericKubernetesResource fresh = new GenericKubernetesResourceBuilder()
                    .withApiVersion(Capi.CORE_API_VERSION).withKind(Capi.MACHINE_SET)
                    .withNewMetadata().withName(name).withNamespace(namespace)
                    .withLabels(deployment.getMetadata().getLabels())
                    .addToLabels(Capi.DEPLOYMENT_NAME_LABEL, deployment.getMetadata().getName())
                    .withOwnerReferences(ownerReference(deployment, true))
                    .endMetadata().build();
            fresh.setAdditionalProperty("spec", map(
                    "clusterName", at(deployment, "spec", "clusterName").orElse(null),
                    "replicas", replicas,
                    "selector", at(deployment, "spec", "selector").orElse(null),
                    "template", at(deployment, "spec", "template").orElse(null)));
            return createOrGet(fresh);
        }
        if (integer(set, -1, "spec", "replicas") != replicas) {
            return client.resource(set).edit(s -> {
                io.pivotplane.capi.ObjectMaps.mapAt(s, "spec").put("replicas", replicas);
                return s;
            });
        }
        return set;
    }

    /** Creates or deletes Machines until the owner has as many as it wants. */
    private List<GenericKubernetesResource> scale(List<GenericKubernetesResource> machines, int desired,
                                                  GenericKubernetesResource owner, Map<String, String> labels,
                                                  Map<?, ?> infrastructureTemplate, String version) {
        List<GenericKubernetesResource> result = new ArrayList<>(oldestFirst(machines));
        while (result.size() < desired) {
            result.add(createMachine(owner, labels, infrastructureTemplate, version));
        }
        while (result.size() > desired) {
            GenericKubernetesResource newest = result.remove(result.size() - 1);
            deleteMachine(newest);
        }
        return result;
    }

    private GenericKubernetesResource createMachine(GenericKubernetesResource owner, Map<String, String> labels,
                                                    Map<?, ?> infrastructureTemplate, String version) {
        String namespace = owner.getMetadata().getNamespace();
        String name = owner.getMetadata().getName() + "-" + UUID.randomUUID().toString().substring(0, 5);
        String templateKind = String.valueOf(infrastructureTemplate.get("kind"));
        GenericKubernetesResource machine = new GenericKubernetesResourceBuilder()
                .withApiVersion(Capi.CORE_API_VERSION).withKind(Capi.MACHINE)
                .withNewMetadata().withName(name).withNamespace(namespace).withLabels(labels)
                .withOwnerReferences(ownerReference(owner, true))
                .endMetadata().build();
        machine.setAdditionalProperty("spec", map(
                "bootstrap", map("configRef", map("apiVersion", Capi.BOOTSTRAP_API_VERSION,
                        "kind", Capi.KUBEADM_CONFIG, "name", name)),
                "clusterName", labels.get(Capi.CLUSTER_NAME_LABEL),
                "infrastructureRef", map("apiVersion", infrastructureTemplate.get("apiVersion"),
                        "kind", templateKind.endsWith("Template")
                                ? templateKind.substring(0, templateKind.length() - "Template".length()) : templateKind,
                        "name", name),
                "version", version));
        GenericKubernetesResource created = createOrGet(machine);
        GenericKubernetesResource bootstrap = new GenericKubernetesResourceBuilder()
                .withApiVersion(Capi.BOOTSTRAP_API_VERSION).withKind(Capi.KUBEADM_CONFIG)
                .withNewMetadata().withName(name).withNamespace(namespace)
                .addToLabels(Capi.CLUSTER_NAME_LABEL, labels.get(Capi.CLUSTER_NAME_LABEL))
                .withOwnerReferences(ownerReference(created, true))
                .endMetadata().build();
        bootstrap.setAdditionalProperty("spec", map());
        createOrGet(bootstrap);
        LOG.info("[{}] created Machine {}/{}", this.name, namespace, name);
        return created;
    }

    private void deleteMachine(GenericKubernetesResource machine) {
        String namespace = machine.getMetadata().getNamespace();
        client.genericKubernetesResources(Capi.BOOTSTRAP_API_VERSION, Capi.KUBEADM_CONFIG).inNamespace(namespace)
                .withName(machine.getMetadata().getName()).delete();
        client.resource(machine).delete();
        LOG.info("[{}] deleted Machine {}/{}", name, namespace, machine.getMetadata().getName());
    }

    /** Brings a machine up once it is due; true when it runs, with its node in the workload cluster. */
    private boolean provision(GenericKubernetesResource machine, KubernetesClient workload, String key) {
        if (Capi.PHASE_RUNNING.equals(string(machine, "status", "phase").orElse(null))
                && at(machine, "status", "nodeRef").isPresent()) {
            return true;
        }
        Node node = workload == null ? null : workload.nodes().withName(machine.getMetadata().getName()).get();
        if (node == null) {
            if (workload == null || !due(machine, settings.machineDelay(), key)) {
                return false;
            }
            node = createNode(workload, machine);
        }
        setStatus(machine, map(
                "bootstrapReady", true,
                "conditions", conditions(machine, map(Capi.CONDITION_READY, true,
                        "BootstrapReady", true, Capi.CONDITION_INFRASTRUCTURE_READY, true)),
                "infrastructureReady", true,
                "nodeRef", map("apiVersion", "v1", "kind", "Node", "name", node.getMetadata().getName(),
                        "uid", node.getMetadata().getUid()),
                "observedGeneration", machine.getMetadata().getGeneration(),
                "phase", Capi.PHASE_RUNNING));
        return true;
    }

    private Node createNode(KubernetesClient workload, GenericKubernetesResource machine) {
        boolean controlPlane = machine.getMetadata().getLabels() != null
                && machine.getMetadata().getLabels().containsKey(Capi.CONTROL_PLANE_LABEL);
        NodeBuilder node = new NodeBuilder().withNewMetadata().withName(machine.getMetadata().getName())
                .addToLabels("kubernetes.io/hostname", machine.getMetadata().getName())
                .endMetadata()
                .withNewStatus().addNewCondition().withType("Ready").withStatus("True").endCondition().endStatus();
        if (controlPlane) {
            node.editMetadata().addToLabels("node-role.kubernetes.io/control-plane", "").endMetadata();
        }
        try {
            return workload.nodes().resource(node.build()).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
                return workload.nodes().withName(machine.getMetadata().getName()).get();
            }
            throw e;
        }
    }

    /**
     * The workload cluster's API: the one its kubeconfig Secret points at, or a new server started with its
     * first control-plane node, with the Secrets the kubeadm control plane writes (CA, etcd, service accounts,
     * front proxy, kubeconfig), owned by the KubeadmControlPlane.
     */
    private KubernetesClient workloadApi(GenericKubernetesResource cluster, GenericKubernetesResource kcp) {
        KubernetesClient existing = existingWorkloadApi(cluster);
        if (existing != null) {
            return existing;
        }
        String namespace = cluster.getMetadata().getNamespace();
        String clusterName = cluster.getMetadata().getName();
        if (client.secrets().inNamespace(namespace).withName(Capi.kubeconfigSecretName(clusterName)).get() != null) {
            LOG.warn("[{}] the kubeconfig of {}/{} points to an API server this simulator does not run", name,
                    namespace, clusterName);
            return null;
        }
        KubernetesClient workload = workloads.start().client();
        String url = workload.getMasterUrl().toString();
        for (String secretName : Capi.controlPlaneSecretNames(clusterName)) {
            Map<String, String> data = secretName.equals(Capi.kubeconfigSecretName(clusterName))
                    ? Map.of(Capi.KUBECONFIG_KEY, kubeconfig(clusterName, url))
                    : Map.of("tls.crt", "simulated certificate of " + secretName, "tls.key", "simulated key");
            createOrGet(new SecretBuilder().withNewMetadata().withName(secretName).withNamespace(namespace)
                    .addToLabels(Capi.CLUSTER_NAME_LABEL, clusterName)
                    .withOwnerReferences(ownerReference(kcp, true))
                    .endMetadata()
                    .withType("cluster.x-k8s.io/secret")
                    .withData(base64(data))
                    .build());
        }
        LOG.info("[{}] first control-plane node of {}/{} is up: its API server runs at {}", name, namespace,
                clusterName, url);
        return workload;
    }

    private KubernetesClient existingWorkloadApi(GenericKubernetesResource cluster) {
        Secret secret = client.secrets().inNamespace(cluster.getMetadata().getNamespace())
                .withName(Capi.kubeconfigSecretName(cluster.getMetadata().getName())).get();
        return Kubeconfigs.fromSecret(secret).map(Config::getMasterUrl).flatMap(workloads::client).orElse(null);
    }

    static String kubeconfig(String clusterName, String url) {
        return """
                apiVersion: v1
                kind: Config
                clusters:
                - name: %1$s
                  cluster:
                    server: %2$s
                contexts:
                - name: %1$s-admin@%1$s
                  context:
                    cluster: %1$s
                    user: %1$s-admin
                current-context: %1$s-admin@%1$s
                users:
                - name: %1$s-admin
                  user:
                    token: simulated
                """.formatted(clusterName, url);
    }

    /** Whether the simulated cloud has finished with the object; if not, comes back when it will have. */
    private boolean due(HasMetadata object, Duration delay, String key) {
        if (delay.isZero()) {
            return true;
        }
        Instant due = readyAt.computeIfAbsent(object.getMetadata().getUid(), uid -> Instant.now().plus(delay));
        Duration left = Duration.between(Instant.now(), due);
        if (left.isNegative() || left.isZero()) {
            return true;
        }
        enqueue(key, left);
        return false;
    }

    private void ensureOwnedBy(GenericKubernetesResource object, GenericKubernetesResource owner, boolean controller) {
        List<OwnerReference> owners = object.getMetadata().getOwnerReferences();
        if (owners != null && owners.stream().anyMatch(o -> owner.getMetadata().getUid().equals(o.getUid()))) {
            return;
        }
        client.resource(object).edit(o -> {
            List<OwnerReference> updated = new ArrayList<>(Objects.requireNonNullElse(
                    o.getMetadata().getOwnerReferences(), List.of()));
            updated.add(ownerReference(owner, controller));
            o.getMetadata().setOwnerReferences(updated);
            return o;
        });
    }

    private static OwnerReference ownerReference(HasMetadata owner, boolean controller) {
        return new OwnerReferenceBuilder().withApiVersion(owner.getApiVersion()).withKind(owner.getKind())
                .withName(owner.getMetadata().getName()).withUid(owner.getMetadata().getUid())
                .withController(controller ? Boolean.TRUE : null)
                .withBlockOwnerDeletion(controller ? Boolean.TRUE : null)
                .build();
    }

    /** Writes the status through {@code /status}, only when it changed, so our own writes do not loop. */
    private void setStatus(GenericKubernetesResource object, Map<String, Object> status) {
        Object current = object.getAdditionalProperties().get("status");
        if (normalized(status).equals(current)) {
            return;
        }
        object.setAdditionalProperty("status", status);
        client.resource(object).updateStatus();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> normalized(Map<String, Object> status) {
        // what comes back from the server: numbers as Integer/Long alike, no nulls
        return io.fabric8.kubernetes.client.utils.Serialization.jsonMapper().convertValue(status, Map.class);
    }

    /** Conditions as CAPI writes them, keeping each one's transition time while its status stays the same. */
    private static List<Map<String, Object>> conditions(GenericKubernetesResource object, Map<String, Object> wanted) {
        Map<String, Map<?, ?>> existing = new LinkedHashMap<>();
        at(object, "status", "conditions").filter(List.class::isInstance).ifPresent(list ->
                ((List<?>) list).stream().filter(Map.class::isInstance).map(c -> (Map<?, ?>) c)
                        .forEach(c -> existing.put(String.valueOf(c.get("type")), c)));
        List<Map<String, Object>> conditions = new ArrayList<>();
        wanted.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(entry -> {
            String status = Boolean.TRUE.equals(entry.getValue()) ? "True" : "False";
            Map<?, ?> before = existing.get(entry.getKey());
            Object since = before != null && status.equals(before.get("status"))
                    ? before.get("lastTransitionTime") : Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
                    .toString();
            conditions.add(map("lastTransitionTime", since, "status", status, "type", entry.getKey()));
        });
        return conditions;
    }

    private GenericKubernetesResource referenced(GenericKubernetesResource cluster, String field) {
        Object reference = at(cluster, "spec", field).orElse(null);
        if (!(reference instanceof Map<?, ?> ref)) {
            return null;
        }
        return get(String.valueOf(ref.get("apiVersion")), String.valueOf(ref.get("kind")),
                cluster.getMetadata().getNamespace(), String.valueOf(ref.get("name")));
    }

    private GenericKubernetesResource get(String apiVersion, String kind, String namespace, String name) {
        return client.genericKubernetesResources(apiVersion, kind).inNamespace(namespace).withName(name).get();
    }

    private List<GenericKubernetesResource> list(String apiVersion, String kind, String namespace, String label,
                                                 String value) {
        return client.genericKubernetesResources(apiVersion, kind).inNamespace(namespace).withLabel(label, value)
                .list().getItems();
    }

    private <T extends HasMetadata> T createOrGet(T object) {
        try {
            return client.resource(object).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
                return client.resource(object).get();
            }
            throw e;
        }
    }

    private static List<GenericKubernetesResource> oldestFirst(List<GenericKubernetesResource> machines) {
        return machines.stream().sorted(Comparator
                .comparing((GenericKubernetesResource m) -> String.valueOf(m.getMetadata().getCreationTimestamp()))
                .thenComparing(m -> m.getMetadata().getName())).toList();
    }

    private static Map<String, String> map3(String k1, String v1, String k2, String v2, String k3, String v3) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(k1, v1);
        labels.put(k2, v2);
        labels.put(k3, v3);
        return labels;
    }

    private static Map<String, String> base64(Map<String, String> data) {
        Map<String, String> encoded = new LinkedHashMap<>();
        data.forEach((k, v) -> encoded.put(k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))));
        return encoded;
    }

    @Override
    public void close() {
        closed = true;
        informers.forEach(SharedIndexInformer::close);
    }
}
