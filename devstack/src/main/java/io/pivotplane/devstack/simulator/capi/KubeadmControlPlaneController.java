package io.pivotplane.devstack.simulator.capi;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pivotplane.capi.Capi;
import io.pivotplane.capi.Manifests;
import io.pivotplane.capi.ObjectMaps;
import io.pivotplane.devstack.infra.MultiClusterApiServer.ClusterApi;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * KCP's controller ({@code controlplane/kubeadm/internal/controllers}: {@code controller.go}, {@code scale.go},
 * {@code upgrade.go}, {@code status.go}; v1.9). Its finalizer first; it waits for its Cluster's ownerReference, for the
 * infrastructure to be ready (then writes the cluster certificates, owned by it) and for the control-plane endpoint.
 * Machines are created one at a time: the first with an init KubeadmConfig, each next one with a join config only when
 * the preflight checks pass, i.e. no machine is being deleted and every machine has its {@code nodeRef} and a healthy
 * control plane on its Node. Scale down deletes the oldest machine (one asked to be deleted first). Machines that are
 * not up to date ({@link ControlPlaneMachineUpToDate}: another version, configuration or template, rolloutAfter or
 * rolloutBefore) are rolled out first, one at a time: with {@code rolloutStrategy.rollingUpdate.maxSurge} 1 (the
 * default) a new machine is added and, once it passes the preflight checks, the oldest outdated machine of the failure
 * domain with most machines is deleted; with maxSurge 0 that one is deleted first. Status: {@code updatedReplicas} the
 * machines up to date, {@code version} the lowest of the machines', {@code initialized} once kubeadm's
 * {@code kube-system/kubeadm-config} ConfigMap exists in the workload cluster (its {@code kubernetesVersion} follows an
 * upgrade), {@code readyReplicas} the control-plane Nodes that are Ready, {@code ready} once one is. Deletion waits for
 * the workers, then deletes its machines (lifting its pre-terminate hook) and waits for them.
 */
final class KubeadmControlPlaneController extends Controller {

    private static final Logger LOG = LoggerFactory.getLogger(KubeadmControlPlaneController.class);
    static final String FINALIZER = "kubeadm.controlplane.cluster.x-k8s.io";
    static final String PRE_TERMINATE_HOOK = Clusters.PRE_TERMINATE_HOOK_PREFIX + "/kcp-cleanup";
    static final String CLUSTER_CONFIGURATION_ANNOTATION = "controlplane.cluster.x-k8s.io/kubeadm-cluster-configuration";
    private static final String UNREACHABLE_TAINT = "node.kubernetes.io/unreachable";
    private static final Duration DELETE_REQUEUE = Duration.ofSeconds(30);
    private static final Duration PREFLIGHT_REQUEUE = Duration.ofSeconds(15);
    private static final Set<String> WATCHES = Set.of(Capi.KUBEADM_CONTROL_PLANE, Capi.CLUSTER, Capi.MACHINE);

    KubeadmControlPlaneController(ControllerHost host) {
        super(host);
    }

    @Override
    CapiProvider provider() {
        return CapiProvider.KUBEADM_CONTROL_PLANE;
    }

    @Override
    Set<String> watches() {
        return WATCHES;
    }

    @Override
    boolean watchesWorkloads() {
        return true;
    }

    @Override
    Set<Key> keysFor(GenericKubernetesResource object) {
        Set<Key> keys = super.keysFor(object);
        if (keys.isEmpty() && Capi.KUBEADM_CONTROL_PLANE.equals(object.getKind())) {
            return Api.owner(object, Capi.CLUSTER).map(o -> Set.of(new Key(object.getMetadata().getNamespace(),
                    o.getName()))).orElse(Set.of());
        }
        return keys;
    }

    @Override
    Optional<Duration> reconcile(Key key) {
        GenericKubernetesResource cluster = api.get(Kind.CLUSTER, key.namespace(), key.name());
        if (cluster == null) {
            return done();
        }
        Optional<GenericKubernetesResource> kcp = api.referenced(ObjectMaps.at(cluster, "spec", "controlPlaneRef")
                .orElse(null), key.namespace()).filter(o -> o != null && Capi.KUBEADM_CONTROL_PLANE.equals(o.getKind()));
        return kcp.isEmpty() ? done() : reconcile(kcp.get());
    }

    /** What one reconcile knows about the control plane (internal.ControlPlane). */
    private final class Scope {
        final GenericKubernetesResource kcp;
        final GenericKubernetesResource cluster;
        final List<GenericKubernetesResource> machines;
        /** Why each machine that is not up to date is not, by name (machinesNotUptoDate). */
        final Map<String, List<String>> outdated;
        final Conditions conditions;
        final Map<String, Object> status;

        Scope(GenericKubernetesResource kcp, GenericKubernetesResource cluster, List<GenericKubernetesResource> machines,
              Map<String, List<String>> outdated) {
            this.kcp = kcp;
            this.cluster = cluster;
            this.machines = machines;
            this.outdated = outdated;
            this.conditions = Conditions.of(kcp);
            this.status = new LinkedHashMap<>(Api.normalized(kcp.getAdditionalProperties().get("status")));
        }

        /** MachinesNeedingRollout: outdated and not being deleted already (they are replaced once gone). */
        List<GenericKubernetesResource> needingRollout() {
            return machines.stream().filter(m -> outdated.containsKey(m.getMetadata().getName()))
                    .filter(m -> !Api.deleting(m)).toList();
        }

        Key clusterKey() {
            return Key.of(cluster);
        }

        Optional<KubernetesClient> workload() {
            return host.remote().workload(clusterKey()).map(ClusterApi::client);
        }
    }

    private Optional<Duration> reconcile(GenericKubernetesResource kcp) {
        if (api.ensureFinalizer(Kind.KUBEADM_CONTROL_PLANE, kcp, FINALIZER)) {
            return done();
        }
        GenericKubernetesResource cluster = Clusters.ownerCluster(api, kcp);
        if (cluster == null || Clusters.paused(cluster, kcp)) {
            return done();
        }
        List<GenericKubernetesResource> machines = List.of();
        if (ObjectMaps.isTrue(cluster, "status", "infrastructureReady") && Clusters.endpointValid(cluster)) {
            machines = api.list(Kind.MACHINE, cluster.getMetadata().getNamespace(), Map.of(
                            Capi.CLUSTER_NAME_LABEL, cluster.getMetadata().getName(), Capi.CONTROL_PLANE_LABEL, ""))
                    .stream().filter(m -> Api.ownedBy(m, kcp)).sorted(oldestFirst()).toList();
        }
        Scope scope = new Scope(kcp, cluster, machines, outdated(kcp, machines));
        Optional<Duration> again;
        if (Api.deleting(kcp)) {
            Deletion deletion = reconcileDelete(scope);
            if (deletion.finished()) {
                return done();
            }
            again = deletion.again();
        } else {
            again = reconcileNormal(scope);
        }
        updateStatus(scope);
        api.writeStatus(Kind.KUBEADM_CONTROL_PLANE, kcp, scope.status);
        return again;
    }

    private Optional<Duration> reconcileNormal(Scope scope) {
        reconcileExternalReference(scope);
        if (!ObjectMaps.isTrue(scope.cluster, "status", "infrastructureReady")) {
            return done();
        }
        reconcileClusterCertificates(scope);
        if (!Clusters.endpointValid(scope.cluster)) {
            return done();
        }
        reconcileKubeconfig(scope);
        reconcileCertificateExpiries(scope);
        Optional<Duration> hook = reconcilePreTerminateHook(scope);
        if (hook.isPresent()) {
            return hook;
        }
        List<GenericKubernetesResource> needingRollout = scope.needingRollout();
        if (!needingRollout.isEmpty()) {
            scope.conditions.markFalse("MachinesSpecUpToDate", "RollingUpdateInProgress", Conditions.WARNING,
                    "Rolling " + needingRollout.size() + " replicas with outdated spec (" + (scope.machines.size()
                            - needingRollout.size()) + " replicas up to date)");
            return upgradeControlPlane(scope, needingRollout);
        }
        if (scope.conditions.get("MachinesSpecUpToDate").isPresent()) {
            scope.conditions.markTrue("MachinesSpecUpToDate");
        }
        int existing = scope.machines.size();
        int desired = ObjectMaps.integer(scope.kcp, 1, "spec", "replicas");
        if (existing < desired && existing == 0) {
            scope.conditions.markFalse(Capi.CONDITION_AVAILABLE, "WaitingForKubeadmInit", Conditions.INFO, null);
            createMachine(scope, true);
            return done();
        }
        if (existing < desired) {
            Optional<String> failed = preflightChecks(scope, null);
            if (failed.isPresent()) {
                LOG.debug("[{}] KubeadmControlPlane {}: waiting for the preflight checks: {}", host.name(),
                        Key.of(scope.kcp), failed.get());
                return after(PREFLIGHT_REQUEUE);
            }
            createMachine(scope, false);
            return done();
        }
        if (existing > desired) {
            return scaleDown(scope, List.of());
        }
        return done();
    }

    /** What one reconcile knows about which machines are up to date (NewControlPlane). */
    private Map<String, List<String>> outdated(GenericKubernetesResource kcp, List<GenericKubernetesResource> machines) {
        Instant now = Instant.now();
        Map<String, List<String>> outdated = new LinkedHashMap<>();
        for (GenericKubernetesResource machine : machines) {
            String namespace = machine.getMetadata().getNamespace();
            GenericKubernetesResource infra = api.referenced(ObjectMaps.at(machine, "spec", "infrastructureRef")
                    .orElse(null), namespace).orElse(null);
            GenericKubernetesResource config = api.referenced(ObjectMaps.at(machine, "spec", "bootstrap", "configRef")
                    .orElse(null), namespace).orElse(null);
            List<String> reasons = ControlPlaneMachineUpToDate.outdated(kcp, machine, infra, config, now);
            if (!reasons.isEmpty()) {
                outdated.put(machine.getMetadata().getName(), reasons);
            }
        }
        return outdated;
    }

    /**
     * upgradeControlPlane: kubeadm's ClusterConfiguration in the workload cluster takes the new version; then one
     * machine more while there are fewer than replicas plus maxSurge, else one outdated machine less.
     */
    private Optional<Duration> upgradeControlPlane(Scope scope, List<GenericKubernetesResource> needingRollout) {
        LOG.debug("[{}] KubeadmControlPlane {}: rolling out Machines {}", host.name(), Key.of(scope.kcp),
                needingRollout.stream().map(m -> m.getMetadata().getName() + " ("
                        + String.join(", ", scope.outdated.get(m.getMetadata().getName())) + ")").toList());
        KubernetesClient workload = scope.workload().orElseThrow(() -> new IllegalStateException(
                "failed to get remote client for workload cluster " + scope.clusterKey()));
        updateKubernetesVersion(workload, ObjectMaps.string(scope.kcp, "spec", "version").orElse(""));
        int maxNodes = ObjectMaps.integer(scope.kcp, 1, "spec", "replicas") + maxSurge(scope.kcp);
        if (scope.machines.size() < maxNodes) {
            Optional<String> failed = preflightChecks(scope, null);
            if (failed.isPresent()) {
                LOG.debug("[{}] KubeadmControlPlane {}: waiting for the preflight checks: {}", host.name(),
                        Key.of(scope.kcp), failed.get());
                return after(PREFLIGHT_REQUEUE);
            }
            createMachine(scope, false);
            return done();
        }
        return scaleDown(scope, needingRollout);
    }

    /** rolloutStrategy.rollingUpdate.maxSurge as IntOrString.IntValue reads it; the webhook defaults it to 1. */
    private static int maxSurge(GenericKubernetesResource kcp) {
        Object value = ObjectMaps.at(kcp, "spec", "rolloutStrategy", "rollingUpdate", "maxSurge").orElse(1);
        if (value instanceof Number number) {
            return number.intValue();
        }
        try {
            return Integer.parseInt(String.valueOf(value));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** UpdateKubernetesVersionInKubeadmConfigMap. */
    private void updateKubernetesVersion(KubernetesClient workload, String version) {
        ConfigMap configMap = workload.configMaps().inNamespace("kube-system").withName("kubeadm-config").get();
        if (configMap == null || configMap.getData() == null || configMap.getData().get("ClusterConfiguration") == null) {
            return;
        }
        Map<String, Object> configuration = new LinkedHashMap<>(CloudConfig.read(
                configMap.getData().get("ClusterConfiguration")));
        if (version.equals(configuration.get("kubernetesVersion"))) {
            return;
        }
        configuration.put("kubernetesVersion", version);
        configMap.getData().put("ClusterConfiguration", Manifests.yaml(configuration));
        workload.configMaps().resource(configMap).update();
    }

    /** scaleDownControlPlane: the machine selectMachineForScaleDown picks, once the others pass the preflight checks. */
    private Optional<Duration> scaleDown(Scope scope, List<GenericKubernetesResource> outdated) {
        GenericKubernetesResource victim = selectMachineForScaleDown(scope, outdated);
        Optional<String> failed = preflightChecks(scope, victim);
        if (failed.isPresent()) {
            LOG.debug("[{}] KubeadmControlPlane {}: waiting for the preflight checks: {}", host.name(),
                    Key.of(scope.kcp), failed.get());
            return after(PREFLIGHT_REQUEUE);
        }
        LOG.info("[{}] KubeadmControlPlane {}: deleting Machine {} ({})", host.name(), Key.of(scope.kcp),
                victim.getMetadata().getName(), outdated.isEmpty() ? "scale down" : "rollout");
        api.delete(Kind.MACHINE, victim);
        return done();
    }

    /** The machine template is owned by the Cluster too (reconcileExternalReference). */
    private void reconcileExternalReference(Scope scope) {
        Object reference = ObjectMaps.at(scope.kcp, "spec", "machineTemplate", "infrastructureRef").orElse(null);
        api.referenced(reference, scope.kcp.getMetadata().getNamespace()).filter(t -> t != null)
                .filter(t -> !Api.ownedBy(t, scope.cluster))
                .ifPresent(template -> api.change(Api.kindOf((Map<?, ?>) reference).orElseThrow(), template, t -> {
                    Api.ensureOwnerReference(t, Api.ownerReference(scope.cluster, false));
                    return t;
                }));
    }

    /** The cluster certificates (CA, etcd, service accounts, front proxy), controlled by the KubeadmControlPlane. */
    private void reconcileClusterCertificates(Scope scope) {
        for (String name : KubeadmConfigController.certificateNames(scope.cluster)) {
            if (name.endsWith("-kubeconfig")) {
                continue;
            }
            Secret secret = api.secret(scope.cluster.getMetadata().getNamespace(), name);
            if (secret == null) {
                api.createOrGet(KubeadmConfigController.certificate(scope.cluster, name, scope.kcp));
            } else if (!Api.ownedBy(secret, scope.kcp)) {
                // ensureCertificatesOwnerRef: KCP takes over certificates a bootstrap config generated
                secret.getMetadata().setOwnerReferences(new ArrayList<>(Api.owners(secret).stream()
                        .filter(o -> !Boolean.TRUE.equals(o.getController())).toList()));
                Api.ensureOwnerReference(secret, Api.ownerReference(scope.kcp, true));
                api.client().secrets().resource(secret).update();
            }
        }
        scope.conditions.markTrue("CertificatesAvailable");
    }

    /**
     * The {@code <cluster>-kubeconfig} Secret, owned by the KubeadmControlPlane. KCP writes it from the endpoint
     * before any machine exists; the simulated load balancer has an address only once the API server behind it
     * runs, so it is written then.
     */
    private void reconcileKubeconfig(Scope scope) {
        String namespace = scope.cluster.getMetadata().getNamespace();
        String clusterName = scope.cluster.getMetadata().getName();
        if (api.secret(namespace, Capi.kubeconfigSecretName(clusterName)) != null) {
            return;
        }
        host.simulation().cloud().apiServer(scope.clusterKey()).ifPresent(workload -> {
            api.createOrGet(new SecretBuilder().withNewMetadata().withName(Capi.kubeconfigSecretName(clusterName))
                    .withNamespace(namespace).addToLabels(Capi.CLUSTER_NAME_LABEL, clusterName)
                    .withOwnerReferences(Api.ownerReference(scope.kcp, true)).endMetadata()
                    .withType(Clusters.SECRET_TYPE)
                    .withData(Api.base64(Map.of(Capi.KUBECONFIG_KEY, kubeconfig(clusterName, workload.url()))))
                    .build());
            LOG.info("[{}] KubeadmControlPlane {}: wrote the kubeconfig of {} ({})", host.name(), Key.of(scope.kcp),
                    scope.clusterKey(), workload.url());
            host.enqueue(MachineController.class, scope.clusterKey());
        });
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

    /**
     * reconcilePreTerminateHook: once a deleting machine waits for KCP's hook alone, KCP removes its etcd member
     * (instant here) and lifts the hook.
     */
    private Optional<Duration> reconcilePreTerminateHook(Scope scope) {
        List<GenericKubernetesResource> deleting = scope.machines.stream().filter(Api::deleting).toList();
        if (deleting.isEmpty()) {
            return Optional.empty();
        }
        if (deleting.stream().anyMatch(m -> !Api.annotations(m).containsKey(PRE_TERMINATE_HOOK))) {
            return after(DELETE_REQUEUE);
        }
        GenericKubernetesResource machine = deleting.get(0);
        boolean otherHooks = Api.annotations(machine).keySet().stream()
                .anyMatch(a -> a.startsWith(Clusters.PRE_TERMINATE_HOOK_PREFIX) && !a.equals(PRE_TERMINATE_HOOK));
        Optional<Map<String, Object>> waiting = Conditions.of(machine).get("PreTerminateDeleteHookSucceeded");
        if (otherHooks || waiting.isEmpty() || !"False".equals(waiting.get().get("status"))
                || !"WaitingExternalHook".equals(waiting.get().get("reason"))) {
            return after(DELETE_REQUEUE);
        }
        removeHook(machine);
        return after(DELETE_REQUEUE);
    }

    private void removeHook(GenericKubernetesResource machine) {
        api.change(Kind.MACHINE, machine, m -> {
            Map<String, String> annotations = new LinkedHashMap<>(Api.annotations(m));
            annotations.remove(PRE_TERMINATE_HOOK);
            m.getMetadata().setAnnotations(annotations);
            return m;
        });
    }

    /**
     * preflightChecks of scale.go: no machine is being deleted, and every machine (but the one to delete) has its
     * Node, whose control plane is healthy. The simulated static pods and etcd members are healthy whenever their
     * Node is registered and reachable; like KCP, a Node that is NotReady (False, e.g. without a CNI) passes, one whose
     * Ready condition is Unknown or that is unreachable does not.
     */
    private Optional<String> preflightChecks(Scope scope, GenericKubernetesResource excluded) {
        if (scope.machines.isEmpty()) {
            return Optional.empty();
        }
        if (scope.machines.stream().anyMatch(Api::deleting)) {
            return Optional.of("waiting for machines to be deleted");
        }
        Optional<KubernetesClient> workload = scope.workload();
        List<String> errors = new ArrayList<>();
        for (GenericKubernetesResource machine : scope.machines) {
            if (excluded != null && machine.getMetadata().getName().equals(excluded.getMetadata().getName())) {
                continue;
            }
            Optional<String> nodeName = ObjectMaps.string(machine, "status", "nodeRef", "name");
            if (nodeName.isEmpty()) {
                errors.add("Machine " + machine.getMetadata().getName()
                        + " does not have a corresponding Node yet (Machine.status.nodeRef not set)");
                continue;
            }
            Node node = workload.map(c -> c.nodes().withName(nodeName.get()).get()).orElse(null);
            if (node == null) {
                errors.add("Machine " + machine.getMetadata().getName() + " reports its Node is missing");
            } else if (Clusters.nodeCondition(node, "Ready").map("Unknown"::equals).orElse(true)) {
                errors.add("Machine " + machine.getMetadata().getName()
                        + ": Node Ready condition is Unknown, Pod data might be stale");
            } else if (Clusters.hasTaint(node, UNREACHABLE_TAINT, "NoExecute")) {
                errors.add("Machine " + machine.getMetadata().getName() + ": Node is unreachable");
            }
        }
        return errors.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", errors));
    }

    /**
     * selectMachineForScaleDown: of the outdated machines asked to be deleted, else of all asked to be deleted, else of
     * the outdated whose control plane lost its Node, else of the outdated, else of all, the oldest in the failure
     * domain with most machines.
     */
    private static GenericKubernetesResource selectMachineForScaleDown(Scope scope,
                                                                       List<GenericKubernetesResource> outdated) {
        List<GenericKubernetesResource> eligible = scope.machines;
        List<GenericKubernetesResource> outdatedToDelete = withDeleteAnnotation(outdated);
        List<GenericKubernetesResource> toDelete = withDeleteAnnotation(scope.machines);
        List<GenericKubernetesResource> unhealthy = outdated.stream().filter(m -> nodeMissing(scope, m)).toList();
        if (!outdatedToDelete.isEmpty()) {
            eligible = outdatedToDelete;
        } else if (!toDelete.isEmpty()) {
            eligible = toDelete;
        } else if (!unhealthy.isEmpty()) {
            eligible = unhealthy;
        } else if (!outdated.isEmpty()) {
            eligible = outdated;
        }
        Optional<String> domain = failureDomainWithMostMachines(scope, eligible);
        return eligible.stream().filter(m -> ObjectMaps.string(m, "spec", "failureDomain").equals(domain))
                .min(oldestFirst()).orElseThrow(() -> new IllegalStateException(
                        "failed to pick control plane Machine to mark for deletion"));
    }

    private static List<GenericKubernetesResource> withDeleteAnnotation(List<GenericKubernetesResource> machines) {
        return machines.stream().filter(m -> Api.annotations(m).containsKey(Clusters.DELETE_MACHINE_ANNOTATION))
                .toList();
    }

    /** How long kubeadm's API server certificate is valid (kubeadm's default: a year). */
    static final Duration API_SERVER_CERTIFICATE_VALIDITY = Duration.ofDays(365);

    /**
     * reconcileCertificateExpiries: once the control plane is initialized, each machine with a Node and no expiry yet
     * gets its API server certificate's expiry, read from the workload cluster, as an annotation of its KubeadmConfig
     * (the Machine controller copies it into the Machine's status). In the simulation a certificate is issued when its
     * Node joins, by kubeadm, for {@link #API_SERVER_CERTIFICATE_VALIDITY}.
     */
    private void reconcileCertificateExpiries(Scope scope) {
        if (scope.machines.isEmpty() || !ObjectMaps.isTrue(scope.kcp, "status", "initialized")) {
            return;
        }
        Optional<KubernetesClient> workload = scope.workload();
        if (workload.isEmpty()) {
            return;
        }
        for (GenericKubernetesResource machine : scope.machines) {
            Optional<String> nodeName = ObjectMaps.string(machine, "status", "nodeRef", "name");
            if (Api.deleting(machine) || ObjectMaps.at(machine, "status", "certificatesExpiryDate").isPresent()
                    || nodeName.isEmpty()) {
                continue;
            }
            GenericKubernetesResource config = api.referenced(ObjectMaps.at(machine, "spec", "bootstrap",
                    "configRef").orElse(null), machine.getMetadata().getNamespace()).orElse(null);
            if (config == null || Api.annotations(config).containsKey(CERTIFICATES_EXPIRY_ANNOTATION)) {
                continue;
            }
            Node node = workload.get().nodes().withName(nodeName.get()).get();
            if (node == null || node.getMetadata().getCreationTimestamp() == null) {
                continue;
            }
            String expiry = Instant.parse(node.getMetadata().getCreationTimestamp())
                    .plus(API_SERVER_CERTIFICATE_VALIDITY).toString();
            api.change(Kind.KUBEADM_CONFIG, config, object -> {
                Map<String, String> annotations = new LinkedHashMap<>(Api.annotations(object));
                annotations.put(CERTIFICATES_EXPIRY_ANNOTATION, expiry);
                object.getMetadata().setAnnotations(annotations);
                return object;
            });
        }
    }

    /** {@code clusterv1.MachineCertificatesExpiryDateAnnotation}: on a KubeadmConfig, or a user's override on a Machine. */
    static final String CERTIFICATES_EXPIRY_ANNOTATION = "machine.cluster.x-k8s.io/certificates-expiry";

    /**
     * HasUnhealthyControlPlaneComponents as the simulation has it: KCP marks a machine's static pods unhealthy (False)
     * when the Node its nodeRef names is gone; the simulated pods are healthy wherever their Node is.
     */
    private static boolean nodeMissing(Scope scope, GenericKubernetesResource machine) {
        Optional<String> node = ObjectMaps.string(machine, "status", "nodeRef", "name");
        Optional<KubernetesClient> workload = scope.workload();
        return node.isPresent() && workload.isPresent() && workload.get().nodes().withName(node.get()).get() == null;
    }

    /**
     * FailureDomainWithMostMachines: that of the oldest eligible machine outside the cluster's control-plane failure
     * domains, else the domain with most eligible (then most) machines.
     */
    private static Optional<String> failureDomainWithMostMachines(Scope scope, List<GenericKubernetesResource> eligible) {
        Map<?, ?> declared = ObjectMaps.at(scope.cluster, "status", "failureDomains").filter(Map.class::isInstance)
                .map(Map.class::cast).orElse(Map.of());
        List<String> domains = declared.entrySet().stream()
                .filter(e -> e.getValue() instanceof Map<?, ?> fd && Boolean.TRUE.equals(fd.get("controlPlane")))
                .map(e -> String.valueOf(e.getKey())).sorted().toList();
        Optional<GenericKubernetesResource> outside = eligible.stream()
                .filter(m -> !ObjectMaps.string(m, "spec", "failureDomain").map(domains::contains).orElse(false))
                .min(oldestFirst());
        if (outside.isPresent()) {
            return ObjectMaps.string(outside.get(), "spec", "failureDomain");
        }
        Comparator<String> byMachines = Comparator.comparingLong((String fd) -> inDomain(eligible, fd))
                .thenComparingLong(fd -> inDomain(scope.machines, fd));
        return domains.stream().max(byMachines).filter(fd -> inDomain(eligible, fd) > 0);
    }

    private static long inDomain(List<GenericKubernetesResource> machines, String domain) {
        return machines.stream().filter(m -> ObjectMaps.string(m, "spec", "failureDomain").map(domain::equals)
                .orElse(false)).count();
    }

    /** cloneConfigsAndGenerateMachine of helpers.go. */
    private void createMachine(Scope scope, boolean first) {
        GenericKubernetesResource kcp = scope.kcp;
        String namespace = kcp.getMetadata().getNamespace();
        String clusterName = scope.cluster.getMetadata().getName();
        String name = kcp.getMetadata().getName() + "-" + Clusters.randomSuffix();
        Map<String, String> labels = new LinkedHashMap<>(Templates.stringMap(
                ObjectMaps.at(kcp, "spec", "machineTemplate", "metadata", "labels").orElse(null)));
        labels.put(Capi.CLUSTER_NAME_LABEL, clusterName);
        labels.put(Capi.CONTROL_PLANE_LABEL, "");
        labels.put(Capi.CONTROL_PLANE_NAME_LABEL, kcp.getMetadata().getName());
        Map<String, String> templateAnnotations = Templates.stringMap(
                ObjectMaps.at(kcp, "spec", "machineTemplate", "metadata", "annotations").orElse(null));
        OwnerReference byKcp = new OwnerReferenceBuilder().withApiVersion(kcp.getApiVersion()).withKind(kcp.getKind())
                .withName(kcp.getMetadata().getName()).withUid(kcp.getMetadata().getUid()).build();
        Map<String, Object> infrastructureRef = Templates.createFromTemplate(api,
                ObjectMaps.at(kcp, "spec", "machineTemplate", "infrastructureRef").orElse(null), namespace, name,
                byKcp, clusterName, labels, templateAnnotations);
        Map<String, Object> spec = new LinkedHashMap<>(Api.normalized(
                ObjectMaps.at(kcp, "spec", "kubeadmConfigSpec").orElse(Map.of())));
        if (first) {
            spec.remove("joinConfiguration");
        } else {
            spec.remove("initConfiguration");
        }
        GenericKubernetesResource config = new GenericKubernetesResourceBuilder()
                .withApiVersion(Kind.KUBEADM_CONFIG.apiVersion()).withKind(Capi.KUBEADM_CONFIG)
                .withNewMetadata().withName(name).withNamespace(namespace).withLabels(labels)
                .withAnnotations(templateAnnotations).withOwnerReferences(byKcp).endMetadata().build();
        config.setAdditionalProperty("spec", spec);
        GenericKubernetesResource createdConfig = api.createOrGet(Kind.KUBEADM_CONFIG, config);
        Map<String, String> annotations = new LinkedHashMap<>(templateAnnotations);
        annotations.put(CLUSTER_CONFIGURATION_ANNOTATION, io.fabric8.kubernetes.client.utils.Serialization.asJson(
                ObjectMaps.at(kcp, "spec", "kubeadmConfigSpec", "clusterConfiguration").orElse(Map.of())));
        annotations.put(PRE_TERMINATE_HOOK, "");
        GenericKubernetesResource machine = new GenericKubernetesResourceBuilder()
                .withApiVersion(Kind.MACHINE.apiVersion()).withKind(Capi.MACHINE)
                .withNewMetadata().withName(name).withNamespace(namespace).withLabels(labels).withAnnotations(annotations)
                .withOwnerReferences(Api.ownerReference(kcp, true)).endMetadata().build();
        machine.setAdditionalProperty("spec", ObjectMaps.map(
                "bootstrap", ObjectMaps.map("configRef", ObjectMaps.map(
                        "apiVersion", Kind.KUBEADM_CONFIG.apiVersion(), "kind", Capi.KUBEADM_CONFIG, "name", name,
                        "namespace", namespace, "uid", createdConfig.getMetadata().getUid())),
                "clusterName", clusterName,
                "infrastructureRef", infrastructureRef,
                "nodeDeletionTimeout", ObjectMaps.at(kcp, "spec", "machineTemplate", "nodeDeletionTimeout").orElse(null),
                "version", ObjectMaps.string(kcp, "spec", "version").orElse(null)));
        api.createOrGet(Kind.MACHINE, machine);
        LOG.info("[{}] KubeadmControlPlane {}: created Machine {} ({})", host.name(), Key.of(kcp), name,
                first ? "kubeadm init" : "kubeadm join");
    }

    private record Deletion(boolean finished, Optional<Duration> again) {
    }

    /** reconcileDelete of controller.go. */
    private Deletion reconcileDelete(Scope scope) {
        String namespace = scope.cluster.getMetadata().getNamespace();
        List<GenericKubernetesResource> machines = api.list(Kind.MACHINE, namespace,
                        Map.of(Capi.CLUSTER_NAME_LABEL, scope.cluster.getMetadata().getName(), Capi.CONTROL_PLANE_LABEL, ""))
                .stream().filter(m -> Api.ownedBy(m, scope.kcp)).toList();
        if (machines.isEmpty()) {
            api.removeFinalizer(Kind.KUBEADM_CONTROL_PLANE, scope.kcp, FINALIZER);
            LOG.info("[{}] KubeadmControlPlane {} deleted", host.name(), Key.of(scope.kcp));
            return new Deletion(true, done());
        }
        List<GenericKubernetesResource> all = api.ofCluster(Kind.MACHINE, namespace, scope.cluster.getMetadata().getName());
        if (all.size() != machines.size()) {
            scope.conditions.markFalse("Resized", "Deleting", Conditions.INFO, "Waiting for worker nodes to be deleted first");
            return new Deletion(false, after(DELETE_REQUEUE));
        }
        for (GenericKubernetesResource machine : machines) {
            if (Api.annotations(machine).containsKey(PRE_TERMINATE_HOOK)) {
                removeHook(machine);
            }
            if (!Api.deleting(machine)) {
                LOG.info("[{}] KubeadmControlPlane {} is deleted: deleting Machine {}", host.name(), Key.of(scope.kcp),
                        machine.getMetadata().getName());
                api.delete(Kind.MACHINE, machine);
            }
        }
        scope.conditions.markFalse("Resized", "Deleting", Conditions.INFO, null);
        return new Deletion(false, after(DELETE_REQUEUE));
    }

    /** updateStatus of status.go. */
    private void updateStatus(Scope scope) {
        Map<String, Object> status = scope.status;
        String clusterName = scope.cluster.getMetadata().getName();
        status.put("selector", Capi.CLUSTER_NAME_LABEL + "=" + clusterName + "," + Capi.CONTROL_PLANE_LABEL);
        int replicas = scope.machines.size();
        int desired = ObjectMaps.integer(scope.kcp, 1, "spec", "replicas");
        status.put("updatedReplicas", replicas - scope.outdated.size());
        status.put("replicas", replicas);
        status.put("readyReplicas", 0);
        status.put("unavailableReplicas", replicas);
        status.put("observedGeneration", scope.kcp.getMetadata().getGeneration());
        if (!Api.deleting(scope.kcp)) {
            // Machines.LowestVersion
            scope.machines.stream().map(m -> ObjectMaps.string(m, "spec", "version").orElse(null))
                    .filter(v -> v != null).min(Comparator.comparing(KubeadmControlPlaneController::semver,
                            java.util.Arrays::compare)).ifPresent(v -> status.put("version", v));
            if (replicas < desired) {
                scope.conditions.markFalse("Resized", "ScalingUp", Conditions.WARNING,
                        "Scaling up control plane to " + desired + " replicas (actual " + replicas + ")");
            } else if (replicas > desired) {
                scope.conditions.markFalse("Resized", "ScalingDown", Conditions.WARNING,
                        "Scaling down control plane to " + desired + " replicas (actual " + replicas + ")");
                scope.conditions.markTrue("MachinesCreated");
            } else {
                if (scope.machines.stream().allMatch(m -> Clusters.conditionTrue(m, "Ready"))) {
                    scope.conditions.markTrue("Resized");
                }
                scope.conditions.markTrue("MachinesCreated");
            }
            Optional<KubernetesClient> workload = scope.workload();
            if (workload.isPresent()) {
                // getControlPlaneNodes: by the control-plane role label, matched here (see Api.list)
                int readyNodes = (int) workload.get().nodes().list().getItems().stream()
                        .filter(n -> n.getMetadata().getLabels() != null
                                && n.getMetadata().getLabels().containsKey("node-role.kubernetes.io/control-plane"))
                        .filter(Clusters::nodeReady).count();
                status.put("readyReplicas", readyNodes);
                status.put("unavailableReplicas", replicas - readyNodes);
                boolean kubeadmConfig = workload.get().configMaps().inNamespace("kube-system").withName("kubeadm-config")
                        .get() != null;
                if (kubeadmConfig) {
                    if (!Boolean.TRUE.equals(status.get("initialized"))) {
                        LOG.info("[{}] KubeadmControlPlane {}: initialized", host.name(), Key.of(scope.kcp));
                    }
                    status.put("initialized", true);
                    scope.conditions.markTrue(Capi.CONDITION_AVAILABLE);
                }
                if (readyNodes > 0) {
                    status.put("ready", true);
                }
            }
            long notReady = scope.machines.stream().filter(m -> !Clusters.conditionTrue(m, "Ready")).count();
            if (scope.machines.isEmpty() || notReady == 0) {
                scope.conditions.markTrue("MachinesReady");
            } else {
                scope.conditions.markFalse("MachinesReady", "Detached", Conditions.INFO,
                        notReady + " of " + replicas + " Machines are not ready");
            }
        }
        scope.conditions.summary("MachinesCreated", "MachinesSpecUpToDate", "Resized", "MachinesReady",
                Capi.CONDITION_AVAILABLE, "CertificatesAvailable");
        status.put("conditions", scope.conditions.toList());
    }

    /** Major, minor and patch of {@code v1.30.5}. */
    private static int[] semver(String version) {
        String[] parts = version.replaceFirst("^v", "").split("[.+-]");
        int[] numbers = new int[3];
        for (int i = 0; i < 3 && i < parts.length; i++) {
            numbers[i] = parts[i].matches("\\d+") ? Integer.parseInt(parts[i]) : 0;
        }
        return numbers;
    }

    private static Comparator<GenericKubernetesResource> oldestFirst() {
        return Comparator.comparing((GenericKubernetesResource m) -> String.valueOf(m.getMetadata().getCreationTimestamp()))
                .thenComparing(m -> m.getMetadata().getName());
    }
}
