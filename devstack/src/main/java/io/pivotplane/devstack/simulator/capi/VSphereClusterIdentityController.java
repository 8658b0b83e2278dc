package io.pivotplane.devstack.simulator.capi;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Secret;
import io.pivotplane.capi.ObjectMaps;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * CAPV's VSphereClusterIdentity controller ({@code controllers/vsphereclusteridentity_controller.go}): its finalizer
 * first; the identity's Secret ({@code spec.secretName} in CAPV's namespace) becomes owned by it and carries CAPV's
 * finalizer, unless another VSphereCluster or identity owns it ({@code CredentialsAvailable=False},
 * {@code SecretAlreadyInUse}); then {@code status.ready}. Deletion removes the Secret's finalizer and deletes it.
 */
final class VSphereClusterIdentityController extends Controller {

    static final String FINALIZER = "vsphereclusteridentity/infrastructure.cluster.x-k8s.io";
    private static final String CREDENTIALS_AVAILABLE = "CredentialsAvailable";

    VSphereClusterIdentityController(ControllerHost host) {
        super(host);
    }

    @Override
    CapiProvider provider() {
        return CapiProvider.VSPHERE;
    }

    @Override
    Set<String> watches() {
        return Set.of(Kind.VSPHERE_CLUSTER_IDENTITY.kind());
    }

    @Override
    Set<Key> keysFor(GenericKubernetesResource object) {
        return Set.of(Key.of(object));
    }

    @Override
    Set<Key> allKeys() {
        return api.listAll(Kind.VSPHERE_CLUSTER_IDENTITY).stream().map(Key::of).collect(Collectors.toSet());
    }

    @Override
    Optional<Duration> reconcile(Key key) {
        GenericKubernetesResource identity = api.get(Kind.VSPHERE_CLUSTER_IDENTITY, null, key.name());
        if (identity == null || Api.annotations(identity).containsKey(Clusters.PAUSED_ANNOTATION)) {
            return done();
        }
        String namespace = host.gate().namespace(provider()).orElseThrow();
        String secretName = ObjectMaps.string(identity, "spec", "secretName").orElse("");
        Secret secret = api.secret(namespace, secretName);
        if (Api.deleting(identity)) {
            if (secret != null) {
                List<String> finalizers = new ArrayList<>(Objects.requireNonNullElse(
                        secret.getMetadata().getFinalizers(), List.of()));
                if (finalizers.remove(VSphereClusterController.SECRET_FINALIZER)) {
                    secret.getMetadata().setFinalizers(finalizers);
                    secret = api.client().secrets().resource(secret).update();
                }
                if (secret.getMetadata().getDeletionTimestamp() == null) {
                    api.client().secrets().resource(secret).delete();
                }
            }
            api.removeFinalizer(Kind.VSPHERE_CLUSTER_IDENTITY, identity, FINALIZER);
            return done();
        }
        if (api.ensureFinalizer(Kind.VSPHERE_CLUSTER_IDENTITY, identity, FINALIZER)) {
            return done();
        }
        Map<String, Object> status = InfrastructureClusterController.status(identity);
        Conditions conditions = Conditions.of(identity);
        try {
            if (secret == null) {
                conditions.markFalse(CREDENTIALS_AVAILABLE, "SecretNotAvailable", Conditions.WARNING,
                        "secrets \"" + secretName + "\" not found");
                throw new IllegalStateException("failed to get Secret " + namespace + "/" + secretName);
            }
            if (!Api.ownedBy(secret, identity) && VSphereClusterController.ownedByIdentityOrCluster(secret)) {
                conditions.markFalse(CREDENTIALS_AVAILABLE, "SecretAlreadyInUse", Conditions.ERROR,
                        "secret being used by another Cluster/VSphereIdentity");
                status.put("ready", false);
                throw new IllegalStateException("secret being used by another Cluster/VSphereIdentity");
            }
            List<String> finalizers = Objects.requireNonNullElse(secret.getMetadata().getFinalizers(), List.of());
            if (!Api.ownedBy(secret, identity) || !finalizers.contains(VSphereClusterController.SECRET_FINALIZER)) {
                Api.ensureOwnerReference(secret, Api.ownerReference(identity, false));
                List<String> updated = new ArrayList<>(finalizers);
                if (!updated.contains(VSphereClusterController.SECRET_FINALIZER)) {
                    updated.add(VSphereClusterController.SECRET_FINALIZER);
                }
                secret.getMetadata().setFinalizers(updated);
                api.client().secrets().resource(secret).update();
            }
            conditions.markTrue(CREDENTIALS_AVAILABLE);
            status.put("ready", true);
            return done();
        } finally {
            conditions.summary(CREDENTIALS_AVAILABLE);
            status.put("conditions", conditions.toList());
            api.writeStatus(Kind.VSPHERE_CLUSTER_IDENTITY, identity, status);
        }
    }
}
