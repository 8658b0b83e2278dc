package io.pivotplane.devstack.simulator.capi;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.pivotplane.capi.Capi;
import io.pivotplane.capi.ObjectMaps;
import io.pivotplane.devstack.infra.MultiClusterApiServer.ClusterApi;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CAPI's Machine controller ({@code internal/controllers/machine}): its finalizer first; the bootstrap config and
 * the infrastructure machine taken over as the Machine's (controller ownerReference, replacing their creator's);
 * {@code spec.bootstrap.dataSecretName} and {@code spec.providerID} copied from them once they are ready;
 * {@code status.nodeRef} only once a Node of the workload cluster has that {@code spec.providerID} (CAPI matches by
 * provider id alone); phases Pending → Provisioning → Provisioned → Running. Deletion waits for the pre-drain and
 * pre-terminate hooks, deletes the infrastructure machine and the bootstrap config and waits until they are gone,
 * then deletes the Node unless CAPI keeps it (the cluster is being deleted, or no other control-plane machine is left).
 */
final class MachineController extends Controller {

    private static final Logger LOG = LoggerFactory.getLogger(MachineController.class);
    static final String FINALIZER = "machine.cluster.x-k8s.io";
    private static final Duration WORKLOAD_UNREACHABLE_RETRY = Duration.ofSeconds(1);
    private static final Set<String> WATCHES = Set.of(Capi.MACHINE, Capi.CLUSTER, Capi.KUBEADM_CONFIG,
            Capi.MACHINE_SET, Capi.MACHINE_DEPLOYMENT, Kind.AWS_MACHINE.kind(), Kind.AZURE_MACHINE.kind(),
            Kind.GCP_MACHINE.kind(), Kind.VSPHERE_MACHINE.kind(), Kind.MAAS_MACHINE.kind());

    MachineController(ControllerHost host) {
        super(host);
    }

    @Override
    CapiProvider provider() {
        return CapiProvider.CORE;
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
    Optional<Duration> reconcile(Key key) {
        GenericKubernetesResource cluster = api.get(Kind.CLUSTER, key.namespace(), key.name());
        Optional<Duration> again = done();
        for (GenericKubernetesResource machine : api.ofCluster(Kind.MACHINE, key.namespace(), key.name())) {
            again = earliest(again, reconcile(machine, cluster));
        }
        return again;
    }

    static Optional<Duration> earliest(Optional<Duration> a, Optional<Duration> b) {
        if (a.isEmpty()) {
            return b;
        }
        if (b.isEmpty()) {
            return a;
        }
        return a.get().compareTo(b.get()) <= 0 ? a : b;
    }

    /** What one reconcile found out about the machine, to write into its spec and status. */
    private static final class Scope {
        final GenericKubernetesResource machine;
        final GenericKubernetesResource cluster;
        final Map<String, Object> status;
        final Conditions conditions;
        GenericKubernetesResource bootstrap;
        boolean bootstrapNotFound;
        GenericKubernetesResource infrastructure;
        boolean infrastructureNotFound;
        Node node;
        String dataSecretName;
        String providerId;

        Scope(GenericKubernetesResource machine, GenericKubernetesResource cluster) {
            this.machine = machine;
            this.cluster = cluster;
            this.status = new LinkedHashMap<>(Api.normalized(machine.getAdditionalProperties().get("status")));
            this.conditions = Conditions.of(machine);
            this.dataSecretName = ObjectMaps.string(machine, "spec", "bootstrap", "dataSecretName").orElse(null);
            this.providerId = ObjectMaps.string(machine, "spec", "providerID").orElse(null);
        }
    }

    private Optional<Duration> reconcile(GenericKubernetesResource machine, GenericKubernetesResource cluster) {
        if (api.ensureFinalizer(Kind.MACHINE, machine, FINALIZER)) {
            return done();
        }
        if (cluster == null || Clusters.paused(cluster, machine)) {
            return done();
        }
        Scope scope = new Scope(machine, cluster);
        Optional<Duration> again = done();
        reconcileBootstrap(scope);
        reconcileInfrastructure(scope);
        again = earliest(again, reconcileNode(scope));
        reconcileCertificateExpiry(scope);
        if (Api.deleting(machine)) {
            Deletion deletion = reconcileDelete(scope);
            if (deletion.finished()) {
                return done();
            }
            again = earliest(again, deletion.again());
        }
        writeSpec(scope);
        status(scope);
        api.writeStatus(Kind.MACHINE, machine, scope.status);
        return again;
    }

    /** reconcileMachineOwnerAndLabels: a stand-alone Machine is adopted by its Cluster. */
    private static void ownerAndLabels(GenericKubernetesResource machine, GenericKubernetesResource cluster) {
        Map<String, String> labels = Api.labels(machine);
        boolean adopt = Api.controllerOf(machine).isEmpty() && Api.owner(machine, Capi.CLUSTER).isEmpty()
                && !labels.containsKey(Capi.SET_NAME_LABEL) && !labels.containsKey(Capi.CONTROL_PLANE_NAME_LABEL)
                && !labels.containsKey("cluster.x-k8s.io/pool-name");
        if (adopt) {
            Api.ensureOwnerReference(machine, Api.ownerReference(cluster, false));
        }
        Map<String, String> updated = new LinkedHashMap<>(labels);
        updated.put(Capi.CLUSTER_NAME_LABEL, ObjectMaps.string(machine, "spec", "clusterName")
                .orElse(cluster.getMetadata().getName()));
        machine.getMetadata().setLabels(updated);
    }

    private void reconcileBootstrap(Scope scope) {
        Object reference = ObjectMaps.at(scope.machine, "spec", "bootstrap", "configRef").orElse(null);
        if (reference == null) {
            if (scope.dataSecretName != null) {
                scope.status.put("bootstrapReady", true);
                scope.conditions.markTrue("BootstrapReady");
            }
            return;
        }
        Optional<GenericKubernetesResource> config = external(scope, reference);
        if (config.isEmpty()) {
            scope.bootstrapNotFound = true;
            return;
        }
        GenericKubernetesResource bootstrap = config.get();
        scope.bootstrap = bootstrap;
        if (scope.dataSecretName != null) {
            scope.status.put("bootstrapReady", true);
            scope.conditions.markTrue("BootstrapReady");
            return;
        }
        boolean ready = ObjectMaps.isTrue(bootstrap, "status", "ready");
        scope.conditions.mirror("BootstrapReady", bootstrap, ready,
                Api.deleting(scope.machine) ? "Deleting" : "WaitingForDataSecret", Conditions.INFO);
        if (Api.deleting(bootstrap) || !ready) {
            return;
        }
        String secretName = ObjectMaps.string(bootstrap, "status", "dataSecretName").orElse("");
        if (secretName.isEmpty()) {
            throw new IllegalStateException("retrieved empty dataSecretName from bootstrap provider for Machine "
                    + Key.of(scope.machine));
        }
        scope.dataSecretName = secretName;
        scope.status.put("bootstrapReady", true);
    }

    private void reconcileInfrastructure(Scope scope) {
        Object reference = ObjectMaps.at(scope.machine, "spec", "infrastructureRef").orElse(null);
        Optional<GenericKubernetesResource> found = external(scope, reference);
        if (found.isEmpty()) {
            scope.infrastructureNotFound = true;
            if (!Api.deleting(scope.machine) && ObjectMaps.isTrue(scope.machine, "status", "infrastructureReady")) {
                scope.status.put("failureReason", "InvalidConfiguration");
                scope.status.put("failureMessage", "Machine infrastructure resource " + reference
                        + " has been deleted after being ready");
            }
            return;
        }
        GenericKubernetesResource infra = found.get();
        scope.infrastructure = infra;
        boolean ready = ObjectMaps.isTrue(infra, "status", "ready");
        scope.conditions.mirror(Capi.CONDITION_INFRASTRUCTURE_READY, infra, ready,
                Api.deleting(scope.machine) ? "Deleting" : "WaitingForInfrastructure", Conditions.INFO);
        if (Api.deleting(infra) || (!ready && !ObjectMaps.isTrue(scope.machine, "status", "infrastructureReady"))) {
            return;
        }
        String providerId = ObjectMaps.string(infra, "spec", "providerID").orElse("");
        if (providerId.isEmpty()) {
            throw new IllegalStateException("retrieved empty Spec.ProviderID from infrastructure provider for Machine "
                    + Key.of(scope.machine));
        }
        ObjectMaps.at(infra, "status", "addresses").ifPresent(addresses -> scope.status.put("addresses", addresses));
        scope.providerId = providerId;
        scope.status.put("infrastructureReady", true);
    }

    /**
     * The referenced object, taken over as the Machine's: controller ownerReference to the Machine instead of the
     * MachineSet's or control plane's on-create reference, and the cluster label.
     */
    private Optional<GenericKubernetesResource> external(Scope scope, Object reference) {
        Optional<GenericKubernetesResource> found = api.referenced(reference, scope.machine.getMetadata().getNamespace());
        if (found.isEmpty() || found.get() == null) {
            return Optional.empty();
        }
        GenericKubernetesResource object = found.get();
        Kind kind = Api.kindOf((Map<?, ?>) reference).orElseThrow();
        GenericKubernetesResource owned = api.change(kind, object, o -> {
            List<OwnerReference> kept = new ArrayList<>();
            for (OwnerReference owner : Api.owners(o)) {
                boolean onCreate = Capi.MACHINE_SET.equals(owner.getKind())
                        || Capi.KUBEADM_CONTROL_PLANE.equals(owner.getKind());
                boolean otherController = Boolean.TRUE.equals(owner.getController())
                        && !owner.getUid().equals(scope.machine.getMetadata().getUid());
                if (!onCreate && !otherController) {
                    kept.add(owner);
                }
            }
            o.getMetadata().setOwnerReferences(kept);
            Api.ensureOwnerReference(o, Api.ownerReference(scope.machine, true));
            Map<String, String> labels = new LinkedHashMap<>(Api.labels(o));
            labels.put(Capi.CLUSTER_NAME_LABEL, scope.cluster.getMetadata().getName());
            o.getMetadata().setLabels(labels);
            return o;
        });
        return Optional.of(owned);
    }

    /** reconcileNode of machine_controller_noderef.go. */
    private Optional<Duration> reconcileNode(Scope scope) {
        if (scope.providerId == null || scope.providerId.isEmpty()) {
            scope.conditions.markFalse("NodeHealthy", "WaitingForNodeRef", Conditions.INFO, null);
            return done();
        }
        Optional<ClusterApi> workload = host.remote().workload(Key.of(scope.cluster));
        if (workload.isEmpty()) {
            return after(WORKLOAD_UNREACHABLE_RETRY);
        }
        Optional<Node> node = Clusters.nodeByProviderId(workload.get().client(), scope.providerId);
        if (node.isEmpty()) {
            if (Api.deleting(scope.machine)) {
                return done();
            }
            if (ObjectMaps.at(scope.machine, "status", "nodeRef").isPresent()) {
                scope.conditions.markFalse("NodeHealthy", "NodeNotFound", Conditions.ERROR, null);
                return done();
            }
            scope.conditions.markFalse("NodeHealthy", "NodeProvisioning", Conditions.WARNING,
                    "Waiting for a node with matching ProviderID to exist");
            return done();
        }
        scope.node = node.get();
        if (!scope.status.containsKey("nodeRef")) {
            LOG.info("[{}] Machine {}: Node {} has its provider id {}", host.name(), Key.of(scope.machine),
                    scope.node.getMetadata().getName(), scope.providerId);
        }
        scope.status.put("nodeRef", ObjectMaps.map("apiVersion", "v1", "kind", "Node",
                "name", scope.node.getMetadata().getName(), "uid", scope.node.getMetadata().getUid()));
        if (scope.node.getStatus() != null && scope.node.getStatus().getNodeInfo() != null) {
            scope.status.put("nodeInfo", Api.normalized(scope.node.getStatus().getNodeInfo()));
        }
        annotateNode(workload.get().client(), scope);
        if (scope.infrastructure == null || Api.deleting(scope.infrastructure)) {
            scope.conditions.markFalse("NodeHealthy", "Deleting", Conditions.INFO, null);
            return done();
        }
        Optional<String> ready = Clusters.nodeCondition(scope.node, "Ready");
        if (ready.isEmpty() || "Unknown".equals(ready.get())) {
            scope.conditions.markUnknown("NodeHealthy", "NodeConditionsFailed", "Node condition Ready is Unknown. ");
        } else if (!"True".equals(ready.get())) {
            scope.conditions.markFalse("NodeHealthy", "NodeConditionsFailed", Conditions.WARNING,
                    "Node condition Ready is False. ");
        } else {
            scope.conditions.markTrue("NodeHealthy");
        }
        return done();
    }

    /** patchNode: the annotations CAPI keeps on a Machine's Node. */
    private void annotateNode(KubernetesClient workload, Scope scope) {
        Map<String, String> wanted = new LinkedHashMap<>();
        wanted.put("cluster.x-k8s.io/cluster-name", scope.cluster.getMetadata().getName());
        wanted.put("cluster.x-k8s.io/cluster-namespace", scope.cluster.getMetadata().getNamespace());
        wanted.put("cluster.x-k8s.io/machine", scope.machine.getMetadata().getName());
        Api.controllerOf(scope.machine).ifPresent(owner -> {
            wanted.put("cluster.x-k8s.io/owner-kind", owner.getKind());
            wanted.put("cluster.x-k8s.io/owner-name", owner.getName());
        });
        Map<String, String> current = Objects.requireNonNullElse(scope.node.getMetadata().getAnnotations(), Map.of());
        if (wanted.entrySet().stream().allMatch(e -> e.getValue().equals(current.get(e.getKey())))) {
            return;
        }
        try {
            workload.nodes().withName(scope.node.getMetadata().getName()).edit(n -> {
                Map<String, String> annotations = new LinkedHashMap<>(Objects.requireNonNullElse(
                        n.getMetadata().getAnnotations(), Map.of()));
                annotations.putAll(wanted);
                n.getMetadata().setAnnotations(annotations);
                return n;
            });
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404 && e.getCode() != 409) {
                throw e;
            }
        }
    }

    private record Deletion(boolean finished, Optional<Duration> again) {
    }

    /** reconcileDelete of machine_controller.go. */
    private Deletion reconcileDelete(Scope scope) {
        GenericKubernetesResource machine = scope.machine;
        boolean deleteNode = deleteNodeAllowed(scope);
        Map<String, String> annotations = Api.annotations(machine);
        if (deleteNode) {
            if (annotations.keySet().stream().anyMatch(a -> a.startsWith(Clusters.PRE_DRAIN_HOOK_PREFIX))) {
                scope.conditions.markFalse("PreDrainDeleteHookSucceeded", "WaitingExternalHook", Conditions.INFO, null);
                return new Deletion(false, done());
            }
            scope.conditions.markTrue("PreDrainDeleteHookSucceeded");
            // draining: the simulated Nodes run no Pods a drain would have to evict
            scope.conditions.markTrue("DrainingSucceeded");
        }
        if (annotations.keySet().stream().anyMatch(a -> a.startsWith(Clusters.PRE_TERMINATE_HOOK_PREFIX))) {
            scope.conditions.markFalse("PreTerminateDeleteHookSucceeded", "WaitingExternalHook", Conditions.INFO, null);
            return new Deletion(false, done());
        }
        scope.conditions.markTrue("PreTerminateDeleteHookSucceeded");
        if (!scope.infrastructureNotFound) {
            if (scope.infrastructure != null) {
                Kind kind = Api.kindOf((Map<?, ?>) ObjectMaps.at(machine, "spec", "infrastructureRef").orElseThrow())
                        .orElseThrow();
                api.delete(kind, scope.infrastructure);
            }
            return new Deletion(false, done());
        }
        scope.conditions.markFalse(Capi.CONDITION_INFRASTRUCTURE_READY, "Deleted", Conditions.INFO, null);
        if (ObjectMaps.at(machine, "spec", "bootstrap", "configRef").isPresent() && !scope.bootstrapNotFound) {
            if (scope.bootstrap != null) {
                api.delete(Kind.KUBEADM_CONFIG, scope.bootstrap);
            }
            return new Deletion(false, done());
        }
        if (deleteNode) {
            Optional<ClusterApi> workload = host.remote().workload(Key.of(scope.cluster));
            if (workload.isEmpty()) {
                throw new IllegalStateException("cannot reach the workload cluster to delete the Node of Machine "
                        + Key.of(machine));
            }
            String node = ObjectMaps.string(machine, "status", "nodeRef", "name").orElseThrow();
            workload.get().client().nodes().withName(node).delete();
            LOG.info("[{}] Machine {}: deleted its Node {}", host.name(), Key.of(machine), node);
        }
        api.removeFinalizer(Kind.MACHINE, machine, FINALIZER);
        LOG.info("[{}] Machine {} deleted", host.name(), Key.of(machine));
        return new Deletion(true, done());
    }

    /** isDeleteNodeAllowed of machine_controller.go. */
    private boolean deleteNodeAllowed(Scope scope) {
        if (Api.deleting(scope.cluster)) {
            return false;
        }
        if (ObjectMaps.at(scope.machine, "status", "nodeRef").isEmpty() && !scope.status.containsKey("nodeRef")) {
            return false;
        }
        Object reference = ObjectMaps.at(scope.cluster, "spec", "controlPlaneRef").orElse(null);
        Optional<GenericKubernetesResource> controlPlane = api.referenced(reference, scope.cluster.getMetadata().getNamespace());
        if (controlPlane.isPresent() && controlPlane.get() != null && Api.deleting(controlPlane.get())) {
            return false;
        }
        long remaining = api.ofCluster(Kind.MACHINE, scope.cluster.getMetadata().getNamespace(),
                        scope.cluster.getMetadata().getName()).stream()
                .filter(m -> !Api.deleting(m) && Clusters.controlPlaneMachine(m)).count();
        return remaining > 0;
    }

    private void writeSpec(Scope scope) {
        String dataSecretName = scope.dataSecretName;
        String providerId = scope.providerId;
        GenericKubernetesResource written = api.change(Kind.MACHINE, scope.machine, m -> {
            ownerAndLabels(m, scope.cluster);
            if (dataSecretName != null) {
                ObjectMaps.mapAt(m, "spec", "bootstrap").put("dataSecretName", dataSecretName);
            }
            if (providerId != null && !providerId.isEmpty()) {
                ObjectMaps.mapAt(m, "spec").put("providerID", providerId);
            }
            if (scope.infrastructure != null) {
                ObjectMaps.string(scope.infrastructure, "spec", "failureDomain")
                        .ifPresent(fd -> ObjectMaps.mapAt(m, "spec").put("failureDomain", fd));
            }
            return m;
        });
        scope.machine.setAdditionalProperty("spec", written.getAdditionalProperties().get("spec"));
    }

    /** setMachinePhaseAndLastUpdated and the Ready summary of patchMachine. */
    /**
     * reconcileCertificateExpiry: a control-plane machine's {@code status.certificatesExpiryDate} is the Machine's own
     * annotation (a user's override), else its KubeadmConfig's (set by KCP from the API server's certificate), else
     * unset.
     */
    private void reconcileCertificateExpiry(Scope scope) {
        if (!Api.labels(scope.machine).containsKey(Capi.CONTROL_PLANE_LABEL)) {
            return;
        }
        String expiry = Api.annotations(scope.machine).get(KubeadmControlPlaneController.CERTIFICATES_EXPIRY_ANNOTATION);
        if (expiry == null && scope.bootstrap != null) {
            expiry = Api.annotations(scope.bootstrap).get(KubeadmControlPlaneController.CERTIFICATES_EXPIRY_ANNOTATION);
        }
        if (expiry == null) {
            scope.status.remove("certificatesExpiryDate");
            return;
        }
        try {
            scope.status.put("certificatesExpiryDate", Instant.parse(expiry).truncatedTo(ChronoUnit.SECONDS).toString());
        } catch (java.time.format.DateTimeParseException e) {
            LOG.warn("[{}] Machine {}: {} is not an RFC 3339 time: {}", host.name(), Key.of(scope.machine),
                    KubeadmControlPlaneController.CERTIFICATES_EXPIRY_ANNOTATION, expiry);
        }
    }

    private void status(Scope scope) {
        Map<String, Object> status = scope.status;
        String before = (String) status.get("phase");
        String phase = before == null ? Capi.PHASE_PENDING : before;
        boolean bootstrapReady = Boolean.TRUE.equals(status.get("bootstrapReady"));
        boolean infrastructureReady = Boolean.TRUE.equals(status.get("infrastructureReady"));
        if (bootstrapReady && !infrastructureReady) {
            phase = Capi.PHASE_PROVISIONING;
        }
        if (scope.providerId != null && !scope.providerId.isEmpty()) {
            phase = Capi.PHASE_PROVISIONED;
        }
        if (status.containsKey("nodeRef") && infrastructureReady) {
            phase = Capi.PHASE_RUNNING;
        }
        if (status.containsKey("failureReason") || status.containsKey("failureMessage")) {
            phase = "Failed";
        }
        if (Api.deleting(scope.machine)) {
            phase = "Deleting";
        }
        if (!phase.equals(before)) {
            status.put("phase", phase);
            status.put("lastUpdated", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        }
        scope.conditions.summary(Capi.CONDITION_INFRASTRUCTURE_READY, "BootstrapReady",
                Capi.CONDITION_HEALTH_CHECK_SUCCEEDED, Capi.CONDITION_OWNER_REMEDIATED, "DrainingSucceeded");
        status.put("conditions", scope.conditions.toList());
        status.put("observedGeneration", scope.machine.getMetadata().getGeneration());
    }
}
