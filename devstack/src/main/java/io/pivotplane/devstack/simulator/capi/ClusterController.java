package io.pivotplane.devstack.simulator.capi;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.pivotplane.capi.Capi;
import io.pivotplane.capi.ObjectMaps;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CAPI's Cluster controller ({@code internal/controllers/cluster}): its finalizer first; ownership of the
 * infrastructure cluster and the control plane; {@code infrastructureReady}, {@code controlPlaneReady} (both only
 * ever become true), the {@code ControlPlaneInitialized} condition (never back to false), the control-plane endpoint
 * copied from the infrastructure cluster, the phase; and a deletion that deletes the descendants first, then the
 * control plane, then the infrastructure cluster, waiting for each to be gone before removing the finalizer.
 */
final class ClusterController extends Controller {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterController.class);
    static final String FINALIZER = "cluster.cluster.x-k8s.io";
    /** {@code deleteRequeueAfter} of cluster_controller.go. */
    private static final Duration DELETE_REQUEUE = Duration.ofSeconds(5);
    private static final Set<String> WATCHES = Set.of(Capi.CLUSTER, Capi.KUBEADM_CONTROL_PLANE, Capi.MACHINE,
            Capi.MACHINE_DEPLOYMENT, Capi.MACHINE_SET, Kind.AWS_CLUSTER.kind(), Kind.AZURE_CLUSTER.kind(),
            Kind.GCP_CLUSTER.kind(), Kind.VSPHERE_CLUSTER.kind(), Kind.MAAS_CLUSTER.kind());

    ClusterController(ControllerHost host) {
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
    Set<Key> keysFor(GenericKubernetesResource object) {
        Set<Key> keys = super.keysFor(object);
        if (keys.isEmpty()) {
            // an infrastructure cluster or control plane not labelled yet: its owner (EnqueueRequestForOwner)
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
        if (api.ensureFinalizer(Kind.CLUSTER, cluster, FINALIZER) || Clusters.paused(cluster, null)) {
            return done();
        }
        boolean deleting = Api.deleting(cluster);
        Map<String, Object> status = new LinkedHashMap<>(Api.normalized(cluster.getAdditionalProperties().get("status")));
        Conditions conditions = Conditions.of(cluster);

        External infrastructure = external(cluster, "infrastructureRef");
        External controlPlane = external(cluster, "controlPlaneRef");
        reconcileInfrastructure(cluster, infrastructure, status, conditions, deleting);
        reconcileControlPlane(cluster, controlPlane, status, conditions, deleting);

        Optional<Duration> result = done();
        if (deleting) {
            Deletion deletion = reconcileDelete(cluster, infrastructure, controlPlane);
            if (deletion.finished()) {
                return done();
            }
            result = deletion.again();
        }
        status.put("phase", phase(cluster, status));
        status.put("observedGeneration", cluster.getMetadata().getGeneration());
        conditions.summary(Capi.CONDITION_CONTROL_PLANE_READY, Capi.CONDITION_INFRASTRUCTURE_READY);
        status.put("conditions", conditions.toList());
        api.writeStatus(Kind.CLUSTER, cluster, status);
        return result;
    }

    /** A referenced object: found, missing (not found), or not referenced at all. */
    private record External(boolean referenced, GenericKubernetesResource object, Kind kind) {
    }

    private External external(GenericKubernetesResource cluster, String field) {
        Object reference = ObjectMaps.at(cluster, "spec", field).orElse(null);
        if (!(reference instanceof Map<?, ?> ref)) {
            return new External(false, null, null);
        }
        Optional<Kind> kind = Api.kindOf(ref);
        return new External(true, kind.map(k -> api.get(k, cluster.getMetadata().getNamespace(),
                String.valueOf(ref.get("name")))).orElse(null), kind.orElse(null));
    }

    private void reconcileInfrastructure(GenericKubernetesResource cluster, External infrastructure,
                                         Map<String, Object> status, Conditions conditions, boolean deleting) {
        if (!infrastructure.referenced()) {
            if (!deleting) {
                status.put("infrastructureReady", true);
                conditions.markTrue(Capi.CONDITION_INFRASTRUCTURE_READY);
            }
            return;
        }
        GenericKubernetesResource infra = infrastructure.object();
        if (infra == null) {
            return;
        }
        infra = ensureOwnerRefAndLabel(infrastructure.kind(), infra, cluster);
        boolean ready = ObjectMaps.isTrue(infra, "status", "ready");
        if (deleting) {
            conditions.mirror(Capi.CONDITION_INFRASTRUCTURE_READY, infra, false, "Deleting", Conditions.INFO);
        } else {
            conditions.mirror(Capi.CONDITION_INFRASTRUCTURE_READY, infra, ready, "WaitingForInfrastructure",
                    Conditions.INFO);
        }
        if (Api.deleting(infra) || (!ready && !ObjectMaps.isTrue(cluster, "status", "infrastructureReady"))) {
            return;
        }
        if (!Clusters.endpointValid(cluster)) {
            Object endpoint = ObjectMaps.at(infra, "spec", "controlPlaneEndpoint").orElse(null);
            if (endpoint instanceof Map<?, ?> e && e.get("host") != null && !String.valueOf(e.get("host")).isEmpty()) {
                GenericKubernetesResource updated = api.change(Kind.CLUSTER, cluster, c -> {
                    ObjectMaps.mapAt(c, "spec").put("controlPlaneEndpoint", new LinkedHashMap<>(e));
                    return c;
                });
                cluster.setAdditionalProperty("spec", updated.getAdditionalProperties().get("spec"));
            }
        }
        ObjectMaps.at(infra, "status", "failureDomains").ifPresent(domains -> status.put("failureDomains", domains));
        if (!ObjectMaps.isTrue(cluster, "status", "infrastructureReady")) {
            LOG.info("[{}] Cluster {}: infrastructure is ready", host.name(), Key.of(cluster));
        }
        status.put("infrastructureReady", true);
    }

    private void reconcileControlPlane(GenericKubernetesResource cluster, External controlPlane,
                                       Map<String, Object> status, Conditions conditions, boolean deleting) {
        GenericKubernetesResource kcp = controlPlane.object();
        if (!controlPlane.referenced() || kcp == null) {
            return;
        }
        kcp = ensureOwnerRefAndLabel(controlPlane.kind(), kcp, cluster);
        boolean ready = ObjectMaps.isTrue(kcp, "status", "ready");
        if (deleting) {
            conditions.mirror(Capi.CONDITION_CONTROL_PLANE_READY, kcp, false, "Deleting", Conditions.INFO);
        } else {
            conditions.mirror(Capi.CONDITION_CONTROL_PLANE_READY, kcp, ready, "WaitingForControlPlane", Conditions.INFO);
        }
        if (Api.deleting(kcp)) {
            return;
        }
        if (!conditions.isTrue(Capi.CONDITION_CONTROL_PLANE_INITIALIZED)) {
            if (ObjectMaps.isTrue(kcp, "status", "initialized")) {
                conditions.markTrue(Capi.CONDITION_CONTROL_PLANE_INITIALIZED);
                LOG.info("[{}] Cluster {}: control plane initialized", host.name(), Key.of(cluster));
            } else {
                conditions.markFalse(Capi.CONDITION_CONTROL_PLANE_INITIALIZED,
                        "WaitingForControlPlaneProviderInitialized", Conditions.INFO,
                        "Waiting for control plane provider to indicate the control plane has been initialized");
            }
        }
        if (!ready && !ObjectMaps.isTrue(cluster, "status", "controlPlaneReady")) {
            return;
        }
        status.put("controlPlaneReady", true);
    }

    /** {@code ensureOwnerRefAndLabel} of cluster_controller_phases.go: the Cluster as controller, and its label. */
    private GenericKubernetesResource ensureOwnerRefAndLabel(Kind kind, GenericKubernetesResource object,
                                                             GenericKubernetesResource cluster) {
        return api.change(kind, object, o -> {
            List<io.fabric8.kubernetes.api.model.OwnerReference> others = new ArrayList<>(Api.owners(o).stream()
                    .filter(r -> !Boolean.TRUE.equals(r.getController()) || r.getUid().equals(cluster.getMetadata().getUid()))
                    .toList());
            o.getMetadata().setOwnerReferences(others);
            Api.ensureOwnerReference(o, Api.ownerReference(cluster, true));
            Map<String, String> labels = new LinkedHashMap<>(Api.labels(o));
            labels.put(Capi.CLUSTER_NAME_LABEL, cluster.getMetadata().getName());
            o.getMetadata().setLabels(labels);
            return o;
        });
    }

    /** How far a deletion got: finished (the finalizer is gone, and so is the Cluster), or when to look again. */
    private record Deletion(boolean finished, Optional<Duration> again) {
    }

    /** reconcileDelete of cluster_controller.go. */
    private Deletion reconcileDelete(GenericKubernetesResource cluster, External infrastructure,
                                               External controlPlane) {
        String namespace = cluster.getMetadata().getNamespace();
        String name = cluster.getMetadata().getName();
        List<Descendant> descendants = new ArrayList<>();
        api.ofCluster(Kind.MACHINE_DEPLOYMENT, namespace, name).forEach(o -> descendants.add(new Descendant(Kind.MACHINE_DEPLOYMENT, o)));
        api.ofCluster(Kind.MACHINE_SET, namespace, name).forEach(o -> descendants.add(new Descendant(Kind.MACHINE_SET, o)));
        List<GenericKubernetesResource> machines = api.ofCluster(Kind.MACHINE, namespace, name);
        machines.stream().filter(m -> !Clusters.controlPlaneMachine(m) || !controlPlane.referenced())
                .forEach(o -> descendants.add(new Descendant(Kind.MACHINE, o)));
        for (Descendant child : descendants) {
            if (Api.ownedBy(child.object(), cluster) && !Api.deleting(child.object())) {
                LOG.info("[{}] Cluster {} is deleted: deleting {} {}", host.name(), Key.of(cluster), child.kind().kind(),
                        child.object().getMetadata().getName());
                api.delete(child.kind(), child.object());
            }
        }
        if (!descendants.isEmpty()) {
            return new Deletion(false, after(DELETE_REQUEUE));
        }
        if (controlPlane.referenced() && controlPlane.object() != null) {
            api.delete(controlPlane.kind(), controlPlane.object());
            return new Deletion(false, done());
        }
        if (infrastructure.referenced() && infrastructure.object() != null) {
            api.delete(infrastructure.kind(), infrastructure.object());
            return new Deletion(false, done());
        }
        api.removeFinalizer(Kind.CLUSTER, cluster, FINALIZER);
        LOG.info("[{}] Cluster {} deleted", host.name(), Key.of(cluster));
        return new Deletion(true, done());
    }

    private record Descendant(Kind kind, GenericKubernetesResource object) {
    }

    /** reconcilePhase of cluster_controller_phases.go. */
    private static String phase(GenericKubernetesResource cluster, Map<String, Object> status) {
        String phase = Capi.PHASE_PENDING;
        if (ObjectMaps.at(cluster, "spec", "infrastructureRef").isPresent()
                || ObjectMaps.at(cluster, "spec", "controlPlaneRef").isPresent()) {
            phase = Capi.PHASE_PROVISIONING;
        }
        if (Boolean.TRUE.equals(status.get("infrastructureReady")) && Clusters.endpointValid(cluster)) {
            phase = Capi.PHASE_PROVISIONED;
        }
        if (Api.deleting(cluster)) {
            phase = "Deleting";
        }
        return phase;
    }
}
