package io.pivotplane.devstack.simulator.cluster;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetStatus;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.pivotplane.devstack.infra.KubernetesApiServer;
import io.pivotplane.devstack.infra.MultiClusterApiServer;
import java.net.HttpURLConnection;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a real cluster does by itself (API server extras, kubelets, scheduler, CNI/CCM/cert-manager effects), for one
 * cluster's API.
 *
 * <p>It follows the cluster's objects ({@link ClusterObjects}) and, after every change, runs one reconcile of the
 * whole cluster on the shared scheduler (coalesced: one at a time per cluster, again if something changed meanwhile):
 * the namespaces' defaults ({@link NamespaceDefaults}), the pods of every Deployment and DaemonSet ({@link Pods}: the
 * ReplicaSet and DaemonSet controllers, the scheduler, the kubelets starting them), the nodes' readiness and taints
 * ({@link Kubelets}), the workloads' status ({@link WorkloadStatus}), the Services' endpoints
 * ({@link EndpointsController}), and what the cloud-controller-managers
 * ({@link CloudControllers}) and cert-manager ({@link CertManager}) do once they run. A network plugin is a DaemonSet
 * whose pods mount the host's {@code /etc/cni/net.d}, where Calico, Cilium and Flannel install their configuration:
 * where its pod runs, the node's network is ready.
 */
public final class ClusterInternals implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterInternals.class);
    /** The directory where network plugins install their configuration for the kubelet. */
    static final String CNI_CONFIG_DIRECTORY = "/etc/cni/net.d";
    static final String MANAGEMENT_NODE = "management-control-plane";
    private static final long RETRY_MILLIS = 500;

    /**
     * A Deployment or DaemonSet with its pods, as the controllers that look at running workloads see it.
     *
     * @param available whether at least one of its pods is available: the software it runs is at work
     */
    record Workload(String kind, String namespace, String name, Map<String, String> labels, PodTemplate template,
                    List<Pods.Pod> pods, boolean available) {
    }

    private final String name;
    private final KubernetesClient client;
    private final ScheduledExecutorService scheduler;
    private final ClusterObjects objects;
    private final Kubelets kubelets;
    private final NamespaceDefaults namespaceDefaults;
    private final CloudControllers cloudControllers;
    private final CertManager certManager;
    private final EndpointsController endpoints;
    private final Retries retries;
    private final Pods pods = new Pods();
    /** By owner: the template of the version last seen, read again only when its resource version changes. */
    private final Map<String, Map.Entry<String, PodTemplate>> templates = new HashMap<>();
    private final AtomicBoolean dirty = new AtomicBoolean();
    private final AtomicBoolean running = new AtomicBoolean();
    private final List<SharedIndexInformer<GenericKubernetesResource>> informers = new CopyOnWriteArrayList<>();
    private final Set<String> informedKinds = ConcurrentHashMap.newKeySet();
    private volatile List<Workload> workloads = List.of();
    /** Whether the cluster's API is gone for good: then there is nothing left to simulate. */
    private final BooleanSupplier gone;
    private volatile boolean closed;

    private ClusterInternals(String name, KubernetesClient client, ScheduledExecutorService scheduler,
                             BooleanSupplier gone) {
        this.gone = gone;
        this.name = name;
        this.client = withoutRetries(client);
        this.scheduler = scheduler;
        this.objects = new ClusterObjects(client.getKubernetesSerialization());
        Retries retries = new Retries(() -> requestLater(RETRY_MILLIS));
        this.kubelets = new Kubelets(this.client, retries);
        this.namespaceDefaults = new NamespaceDefaults(this.client, retries);
        this.cloudControllers = new CloudControllers(this.client, retries);
        this.certManager = new CertManager(this.client, retries);
        this.endpoints = new EndpointsController(this.client, retries);
        this.retries = retries;
    }

    /** Starts simulating inside a workload cluster served by the multi-cluster server; follows its changes in-process. */
    public static ClusterInternals startInWorkload(MultiClusterApiServer.ClusterApi api,
                                                   ScheduledExecutorService scheduler) {
        ClusterInternals internals = new ClusterInternals("workload " + api.url(), api.client(), scheduler,
                api::removed);
        api.addChangeListener(internals::changed);
        internals.seed();
        internals.request();
        return internals;
    }

    /**
     * Starts simulating inside the management cluster (informers on its API): it already runs, with one Ready,
     * untainted node whose network is ready.
     */
    public static ClusterInternals startInManagement(KubernetesClient management, ScheduledExecutorService scheduler) {
        ClusterInternals internals = new ClusterInternals("management", management, scheduler, () -> false);
        internals.kubelets.registerRunning(MANAGEMENT_NODE, Map.of(Kubelets.CONTROL_PLANE_LABEL, "",
                "node.kubernetes.io/exclude-from-external-load-balancers", ""));
        internals.inform();
        internals.request();
        return internals;
    }

    /**
     * The kubelet of a machine that has booted registers its Node, as kubeadm init/join and the kubelet do.
     *
     * @param nodeRegistration kubeadm's NodeRegistrationOptions of the machine's bootstrap config (init or join), as a
     *     map: name, taints, kubeletExtraArgs, …
     * @param providerId what the kubelet itself sets in spec.providerID (only when kubeletExtraArgs has
     *     {@code provider-id}, or an in-tree cloud provider such as {@code gce} is configured); the CCM or the
     *     infrastructure provider sets it otherwise
     */
    public void registerNode(String nodeName, boolean controlPlane, Map<String, Object> nodeRegistration,
                             Optional<String> providerId) {
        registerNode(nodeName, controlPlane, nodeRegistration, providerId, Optional.empty());
    }

    /** @param kubeletVersion the version of the machine's kubelet; a default one when empty */
    public void registerNode(String nodeName, boolean controlPlane, Map<String, Object> nodeRegistration,
                             Optional<String> providerId, Optional<String> kubeletVersion) {
        kubelets.register(nodeName, controlPlane, nodeRegistration, providerId, kubeletVersion);
        request();
    }

    /** The node's machine stops answering: its kubelet goes silent and the Node's conditions turn Unknown. */
    public void stopKubelet(String nodeName) {
        kubelets.stop(nodeName);
        request();
    }

    /** The node's machine is gone: its Node goes too. */
    public void removeNode(String nodeName) {
        kubelets.remove(nodeName);
        cloudControllers.forget(nodeName);
        request();
    }

    /** The infrastructure provider (e.g. CAPMAAS) or a CCM sets a node's provider id. */
    public void setProviderId(String nodeName, String providerId) {
        kubelets.providerId(nodeName, providerId);
        request();
    }

    /**
     * Nodes of this cluster and the provider ids their machines have, so a simulated CCM can initialise them.
     *
     * @param infrastructureProvider {@code aws}, {@code azure}, {@code vsphere}, {@code gcp} or {@code maas}
     */
    public void machineProviderId(String nodeName, String providerId, String infrastructureProvider) {
        cloudControllers.machine(nodeName, providerId, infrastructureProvider);
        request();
    }

    @Override
    public void close() {
        closed = true;
        informers.forEach(SharedIndexInformer::close);
        client.close();
    }

    boolean isClosed() {
        return closed;
    }

    // --- following the cluster --------------------------------------------------------------------------------------

    private void changed(GenericKubernetesResource before, GenericKubernetesResource after) {
        if (objects.apply(before, after)) {
            request();
            if (after != null && ClusterObjects.CRD.equals(ClusterObjects.kindOf(after))) {
                informCustomKinds(after.getMetadata().getName());
            }
        }
    }

    /** What the workload cluster held before its changes were followed. */
    private void seed() {
        for (String kind : ClusterObjects.KINDS) {
            String[] apiVersionAndKind = apiVersionAndKind(kind);
            try {
                for (GenericKubernetesResource object : client.genericKubernetesResources(apiVersionAndKind[0],
                        apiVersionAndKind[1]).inAnyNamespace().list().getItems()) {
                    objects.seed(object);
                }
            } catch (KubernetesClientException e) {
                // a kind whose CRD is not there yet: its objects will come as changes
                LOG.trace("[{}] nothing of {} yet: {}", name, kind, e.getMessage());
            }
        }
    }

    /** The management cluster is followed through informers, as its real controllers follow it. */
    private void inform() {
        for (String kind : ClusterObjects.KINDS) {
            if (!kind.startsWith("cert-manager.io/")) {
                inform(kind);
            }
        }
    }

    private void informCustomKinds(String crdName) {
        if (informers.isEmpty()) {
            return; // a workload cluster: every change comes through its listener
        }
        switch (crdName) {
            case "certificates.cert-manager.io" -> inform(ClusterObjects.CERTIFICATE);
            case "issuers.cert-manager.io" -> inform(ClusterObjects.ISSUER);
            case "clusterissuers.cert-manager.io" -> inform(ClusterObjects.CLUSTER_ISSUER);
            default -> {
            }
        }
    }

    private void inform(String kind) {
        if (closed || !informedKinds.add(kind)) {
            return;
        }
        String[] apiVersionAndKind = apiVersionAndKind(kind);
        try {
            informers.add(client.genericKubernetesResources(apiVersionAndKind[0], apiVersionAndKind[1])
                    .inAnyNamespace().inform(new ResourceEventHandler<>() {
                        @Override
                        public void onAdd(GenericKubernetesResource object) {
                            changed(null, object);
                        }

                        @Override
                        public void onUpdate(GenericKubernetesResource before, GenericKubernetesResource after) {
                            changed(before, after);
                        }

                        @Override
                        public void onDelete(GenericKubernetesResource object, boolean finalStateUnknown) {
                            changed(object, null);
                        }
                    }, 0));
        } catch (KubernetesClientException e) {
            informedKinds.remove(kind);
            LOG.debug("[{}] cannot watch {} yet: {}", name, kind, e.getMessage());
        }
    }

    /**
     * A client of the same API with one difference: a server error is an answer, not a reason to retry for a minute.
     * A controller that meets one (a webhook not reachable yet) tries again at its next reconcile, as client-go's do.
     */
    private static KubernetesClient withoutRetries(KubernetesClient client) {
        return KubernetesApiServer.newClient(new ConfigBuilder(client.getConfiguration())
                .withRequestRetryBackoffLimit(0).build());
    }

    private static String[] apiVersionAndKind(String kind) {
        int slash = kind.indexOf('/');
        if (slash < 0) {
            return new String[] {"v1", kind};
        }
        String group = kind.substring(0, slash);
        return new String[] {group + "/v1", kind.substring(slash + 1)};
    }

    // --- the reconcile ----------------------------------------------------------------------------------------------

    /** Asks for a reconcile: one runs soon, and again after it when asked meanwhile. */
    private void request() {
        dirty.set(true);
        if (!closed && running.compareAndSet(false, true)) {
            submit();
        }
    }

    private void requestLater(long millis) {
        if (closed) {
            return;
        }
        try {
            scheduler.schedule(this::request, millis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // shutting down
        }
    }

    private void submit() {
        try {
            scheduler.execute(this::drain);
        } catch (RejectedExecutionException e) {
            running.set(false);
        }
    }

    private void drain() {
        if (gone.getAsBoolean()) {
            close();
        }
        try {
            while (!closed && dirty.getAndSet(false)) {
                try {
                    reconcile();
                } catch (RuntimeException e) {
                    if (!closed) {
                        LOG.debug("[{}] reconcile failed, retrying: {}", name, e.toString());
                        requestLater(RETRY_MILLIS);
                    }
                }
            }
        } finally {
            running.set(false);
        }
        if (dirty.get() && !closed && running.compareAndSet(false, true)) {
            submit();
        }
    }

    private void reconcile() {
        long now = System.currentTimeMillis();
        step("namespace defaults", () -> namespaceDefaults.reconcile(objects));
        List<Node> nodes = objects.all(ClusterObjects.NODE, Node.class);
        List<Deployment> deployments = objects.all(ClusterObjects.DEPLOYMENT, Deployment.class);
        List<DaemonSet> daemonSets = objects.all(ClusterObjects.DAEMON_SET, DaemonSet.class);
        Set<String> owners = new HashSet<>();
        Set<String> networkPlugins = new HashSet<>();
        deployments.forEach(d -> owners.add(key("Deployment", d)));
        for (DaemonSet daemonSet : daemonSets) {
            owners.add(key("DaemonSet", daemonSet));
            if (template(daemonSet).mountsHostPath(CNI_CONFIG_DIRECTORY)) {
                networkPlugins.add(key("DaemonSet", daemonSet));
            }
        }
        pods.retainOwners(owners);
        templates.keySet().retainAll(owners);
        View view = new View(nodes, networkPlugins);
        boolean changed;
        int passes = 0;
        do {
            changed = false;
            for (DaemonSet daemonSet : daemonSets) {
                changed |= pods.reconcile(daemonSet, template(daemonSet), view, now);
            }
            for (Deployment deployment : deployments) {
                changed |= pods.reconcile(deployment, template(deployment), view, now);
            }
        } while (changed && ++passes < 5);
        kubelets.reconcile(objects, view::networkReady);
        List<Workload> current = new ArrayList<>();
        for (DaemonSet daemonSet : daemonSets) {
            current.add(writeStatus(daemonSet, nodes, now));
        }
        for (Deployment deployment : deployments) {
            current.add(writeStatus(deployment, now));
        }
        workloads = List.copyOf(current);
        wakeWhenPodsBecomeAvailable(deployments, daemonSets, now);
        step("endpoints", () -> endpoints.reconcile(objects, workloads, nodes));
        step("cloud controllers", () -> cloudControllers.reconcile(objects, workloads));
        step("cert-manager", () -> certManager.reconcile(objects, workloads));
    }

    /** One controller's part of the reconcile: its failure (a webhook not reachable yet) holds up no other. */
    private void step(String controller, Runnable reconcile) {
        try {
            reconcile.run();
        } catch (KubernetesClientException e) {
            LOG.debug("[{}] {} failed, retrying: {}", name, controller, e.getMessage());
            requestLater(RETRY_MILLIS);
        }
    }

    private Workload writeStatus(Deployment deployment, long now) {
        String owner = key("Deployment", deployment);
        PodTemplate template = template(deployment);
        List<Pods.Pod> ofOwner = List.copyOf(pods.of(owner));
        DeploymentStatus status = WorkloadStatus.deployment(deployment, template, ofOwner, pods.failure(owner), now);
        if (WorkloadStatus.differs(deployment.getStatus(), status)) {
            objects.get(ClusterObjects.DEPLOYMENT, deployment.getMetadata().getNamespace(),
                    deployment.getMetadata().getName()).ifPresent(object -> {
                        Deployment copy = objects.copy(object, Deployment.class);
                        copy.setStatus(status);
                        updateStatus(owner, () -> client.apps().deployments().resource(copy).updateStatus());
                    });
        }
        return new Workload("Deployment", deployment.getMetadata().getNamespace(), deployment.getMetadata().getName(),
                Objects.requireNonNullElse(deployment.getMetadata().getLabels(), Map.of()), template, ofOwner,
                status.getAvailableReplicas() > 0);
    }

    private Workload writeStatus(DaemonSet daemonSet, List<Node> nodes, long now) {
        String owner = key("DaemonSet", daemonSet);
        PodTemplate template = template(daemonSet);
        List<Pods.Pod> ofOwner = List.copyOf(pods.of(owner));
        DaemonSetStatus status = WorkloadStatus.daemonSet(daemonSet, template, ofOwner, nodes, now);
        if (!status.equals(daemonSet.getStatus())) {
            objects.get(ClusterObjects.DAEMON_SET, daemonSet.getMetadata().getNamespace(),
                    daemonSet.getMetadata().getName()).ifPresent(object -> {
                        DaemonSet copy = objects.copy(object, DaemonSet.class);
                        copy.setStatus(status);
                        updateStatus(owner, () -> client.apps().daemonSets().resource(copy).updateStatus());
                    });
        }
        return new Workload("DaemonSet", daemonSet.getMetadata().getNamespace(), daemonSet.getMetadata().getName(),
                Objects.requireNonNullElse(daemonSet.getMetadata().getLabels(), Map.of()), template, ofOwner,
                status.getNumberAvailable() > 0);
    }

    private void updateStatus(String what, Runnable write) {
        try {
            write.run();
        } catch (KubernetesClientException e) {
            retries.failed("the status of " + what, e);
        }
    }

    /** Pods that run but are not available yet (minReadySeconds) change the status when they become so. */
    private void wakeWhenPodsBecomeAvailable(List<Deployment> deployments, List<DaemonSet> daemonSets, long now) {
        long next = Long.MAX_VALUE;
        for (Deployment deployment : deployments) {
            next = Math.min(next, nextAvailable(pods.of(key("Deployment", deployment)),
                    Objects.requireNonNullElse(deployment.getSpec().getMinReadySeconds(), 0), now));
        }
        for (DaemonSet daemonSet : daemonSets) {
            next = Math.min(next, nextAvailable(pods.of(key("DaemonSet", daemonSet)),
                    Objects.requireNonNullElse(daemonSet.getSpec().getMinReadySeconds(), 0), now));
        }
        if (next != Long.MAX_VALUE) {
            requestLater(Math.max(1, next - now));
        }
    }

    private static long nextAvailable(List<Pods.Pod> pods, int minReadySeconds, long now) {
        long next = Long.MAX_VALUE;
        for (Pods.Pod pod : pods) {
            if (pod.running && !pod.available(now, minReadySeconds)) {
                next = Math.min(next, pod.readySince + minReadySeconds * 1000L);
            }
        }
        return next;
    }

    private PodTemplate template(Deployment deployment) {
        return template(key("Deployment", deployment), deployment.getMetadata().getResourceVersion(),
                () -> deployment.getSpec().getTemplate());
    }

    private PodTemplate template(DaemonSet daemonSet) {
        return template(key("DaemonSet", daemonSet), daemonSet.getMetadata().getResourceVersion(),
                () -> daemonSet.getSpec().getTemplate());
    }

    private PodTemplate template(String owner, String resourceVersion,
                                 java.util.function.Supplier<io.fabric8.kubernetes.api.model.PodTemplateSpec> spec) {
        Map.Entry<String, PodTemplate> known = templates.get(owner);
        if (known == null || !Objects.equals(known.getKey(), resourceVersion)) {
            known = Map.entry(Objects.requireNonNullElse(resourceVersion, ""), PodTemplate.of(spec.get()));
            templates.put(owner, known);
        }
        return known.getValue();
    }

    private static String key(String kind, io.fabric8.kubernetes.api.model.HasMetadata object) {
        return Pods.ownerKey(kind, object.getMetadata().getNamespace(), object.getMetadata().getName());
    }

    /** The cluster as the pods' controllers, scheduler and kubelets see it during one reconcile. */
    private final class View implements Pods.Cluster {

        private final List<Node> nodes;
        private final Set<String> networkPlugins;

        View(List<Node> nodes, Set<String> networkPlugins) {
            this.nodes = nodes;
            this.networkPlugins = networkPlugins;
        }

        @Override
        public List<Node> nodes() {
            return nodes;
        }

        @Override
        public boolean networkReady(String node) {
            if (kubelets.networkPreset(node)) {
                return true;
            }
            for (String plugin : networkPlugins) {
                for (Pods.Pod pod : pods.of(plugin)) {
                    if (pod.running && node.equals(pod.node)) {
                        return true;
                    }
                }
            }
            return false;
        }

        @Override
        public boolean serviceAccountExists(String namespace, String name) {
            return objects.exists(ClusterObjects.SERVICE_ACCOUNT, namespace, name);
        }

        @Override
        public Optional<ServiceAccount> serviceAccount(String namespace, String name) {
            return objects.get(ClusterObjects.SERVICE_ACCOUNT, namespace, name, ServiceAccount.class);
        }

        @Override
        public boolean priorityClassExists(String name) {
            return objects.exists(ClusterObjects.PRIORITY_CLASS, null, name);
        }

        @Override
        public boolean exists(String kind, String namespace, String name, String key) {
            Optional<GenericKubernetesResource> object = objects.get(kind, namespace, name);
            return object.isPresent() && (key == null || ClusterObjects.dataKeys(object.get()).contains(key));
        }
    }
}
