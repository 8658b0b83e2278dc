package io.pivotplane.devstack.simulator.capi;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Secret;
import io.pivotplane.capi.ObjectMaps;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * CAPV's VSphereCluster controller ({@code controllers/vspherecluster_reconciler.go}): its finalizer first; with an
 * identity of kind {@code Secret}, CAPV makes the VSphereCluster an owner of that Secret (and puts its own finalizer on
 * it), and refuses a Secret another VSphereCluster or VSphereClusterIdentity owns; then it logs in to vCenter with the
 * credentials ({@link VSphereCredentials}). A failure is recorded as {@code VCenterAvailable=False},
 * {@code VCenterUnreachable}, with the error as message, and the cluster stays not ready. Deletion waits for the
 * cluster's VSphereMachines, then removes its finalizer from the identity Secret and deletes it.
 */
final class VSphereClusterController extends InfrastructureClusterController {

    static final String FINALIZER = "vspherecluster.infrastructure.cluster.x-k8s.io";
    /** The finalizer CAPV puts on a Secret a VSphereCluster or VSphereClusterIdentity uses. */
    static final String SECRET_FINALIZER = "vspherecluster/infrastructure.cluster.x-k8s.io";
    static final String VCENTER_AVAILABLE = "VCenterAvailable";

    VSphereClusterController(ControllerHost host) {
        super(host);
    }

    @Override
    CapiProvider provider() {
        return CapiProvider.VSPHERE;
    }

    @Override
    Kind kind() {
        return Kind.VSPHERE_CLUSTER;
    }

    @Override
    Kind machineKind() {
        return Kind.VSPHERE_MACHINE;
    }

    @Override
    String finalizer() {
        return FINALIZER;
    }

    @Override
    Set<String> alsoWatches() {
        return Set.of(Kind.VSPHERE_CLUSTER_IDENTITY.kind());
    }

    @Override
    Set<Key> keysFor(GenericKubernetesResource object) {
        if (Kind.VSPHERE_CLUSTER_IDENTITY.kind().equals(object.getKind())) {
            return allKeys();
        }
        return super.keysFor(object);
    }

    @Override
    Optional<Duration> reconcile(GenericKubernetesResource vsphereCluster, GenericKubernetesResource cluster) {
        if (Api.deleting(vsphereCluster)) {
            return reconcileDelete(vsphereCluster, cluster);
        }
        if (api.ensureFinalizer(kind(), vsphereCluster, FINALIZER)) {
            return done();
        }
        Map<String, Object> status = status(vsphereCluster);
        Conditions conditions = Conditions.of(vsphereCluster);
        try {
            String error = reconcileIdentitySecret(vsphereCluster);
            Login login = error != null ? Login.failed(error)
                    : VSphereCredentials.login(api, providerNamespace(), vsphereCluster);
            if (!login.ok()) {
                conditions.markFalse(VCENTER_AVAILABLE, "VCenterUnreachable", Conditions.ERROR, login.error());
                throw login.failure();
            }
            conditions.markTrue(VCENTER_AVAILABLE);
            status.put("vCenterVersion", "8.0.3");
            return provision(vsphereCluster, cluster, status, conditions, List.of(), null, () -> "");
        } finally {
            conditions.summary(VCENTER_AVAILABLE);
            status.put("conditions", conditions.toList());
            api.writeStatus(kind(), vsphereCluster, status);
        }
    }

    /** reconcileIdentitySecret: the error CAPV returns, or null. */
    private String reconcileIdentitySecret(GenericKubernetesResource vsphereCluster) {
        Object reference = ObjectMaps.at(vsphereCluster, "spec", "identityRef").orElse(null);
        if (!(reference instanceof Map<?, ?> ref) || !"Secret".equals(ref.get("kind"))) {
            return null;
        }
        String namespace = vsphereCluster.getMetadata().getNamespace();
        String name = String.valueOf(ref.get("name"));
        Secret secret = api.secret(namespace, name);
        if (secret == null) {
            return "secrets \"" + name + "\" not found";
        }
        if (!Api.ownedBy(secret, vsphereCluster) && ownedByIdentityOrCluster(secret)) {
            return "another cluster has set the OwnerRef for Secret " + namespace + "/" + name;
        }
        List<String> finalizers = Objects.requireNonNullElse(secret.getMetadata().getFinalizers(), List.of());
        if (Api.ownedBy(secret, vsphereCluster) && finalizers.contains(SECRET_FINALIZER)) {
            return null;
        }
        Api.ensureOwnerReference(secret, Api.ownerReference(vsphereCluster, false));
        if (!finalizers.contains(SECRET_FINALIZER)) {
            List<String> updated = new ArrayList<>(finalizers);
            updated.add(SECRET_FINALIZER);
            secret.getMetadata().setFinalizers(updated);
        }
        api.client().secrets().resource(secret).update();
        return null;
    }

    /** IsOwnedByIdentityOrCluster of pkg/identity. */
    static boolean ownedByIdentityOrCluster(Secret secret) {
        for (OwnerReference owner : Api.owners(secret)) {
            if (owner.getApiVersion().contains(Kind.INFRASTRUCTURE + "/")
                    && ("VSphereCluster".equals(owner.getKind()) || "VSphereClusterIdentity".equals(owner.getKind()))) {
                return true;
            }
        }
        return false;
    }

    private Optional<Duration> reconcileDelete(GenericKubernetesResource vsphereCluster, GenericKubernetesResource cluster) {
        if (!api.ofCluster(Kind.VSPHERE_MACHINE, cluster.getMetadata().getNamespace(), cluster.getMetadata().getName())
                .isEmpty()) {
            return after(MACHINES_LEFT_REQUEUE);
        }
        Object reference = ObjectMaps.at(vsphereCluster, "spec", "identityRef").orElse(null);
        if (reference instanceof Map<?, ?> ref && "Secret".equals(ref.get("kind"))) {
            Secret secret = api.secret(vsphereCluster.getMetadata().getNamespace(), String.valueOf(ref.get("name")));
            if (secret != null) {
                List<String> finalizers = new ArrayList<>(Objects.requireNonNullElse(secret.getMetadata().getFinalizers(),
                        List.of()));
                if (finalizers.remove(SECRET_FINALIZER)) {
                    secret.getMetadata().setFinalizers(finalizers);
                    secret = api.client().secrets().resource(secret).update();
                }
                if (secret.getMetadata().getDeletionTimestamp() == null) {
                    api.client().secrets().resource(secret).delete();
                }
            }
        }
        deprovision(vsphereCluster, cluster);
        return done();
    }
}
