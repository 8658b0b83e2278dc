package io.pivotplane.devstack.simulator.capi;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.pivotplane.capi.ObjectMaps;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * CAPZ's AzureCluster controller ({@code controllers/azurecluster_controller.go}): the cluster scope needs the
 * identity's credentials ({@link AzureCredentials}); without them the reconcile fails before the scope exists, and
 * CAPZ records only a {@code CreateClusterScopeFailed} warning event. An identity that does not allow the cluster's
 * namespace gives {@code NetworkInfrastructureReady=False}, {@code NamespaceNotAllowedByIdentity}; an allowed one gets
 * a finalizer for this cluster. Then its own finalizer and clusterctl's {@code block-move} annotation (removed while
 * the Cluster is paused, when CAPZ pauses its resources), the network and load balancer, whose public name becomes
 * the endpoint, and {@code status.ready}.
 */
final class AzureClusterController extends InfrastructureClusterController {

    static final String FINALIZER = "azurecluster.infrastructure.cluster.x-k8s.io";
    static final String BLOCK_MOVE_ANNOTATION = "clusterctl.cluster.x-k8s.io/block-move";
    private static final String NETWORK_READY = "NetworkInfrastructureReady";

    AzureClusterController(ControllerHost host) {
        super(host);
    }

    @Override
    CapiProvider provider() {
        return CapiProvider.AZURE;
    }

    @Override
    Kind kind() {
        return Kind.AZURE_CLUSTER;
    }

    @Override
    Kind machineKind() {
        return Kind.AZURE_MACHINE;
    }

    @Override
    String finalizer() {
        return FINALIZER;
    }

    @Override
    Set<String> alsoWatches() {
        return Set.of(Kind.AZURE_CLUSTER_IDENTITY.kind());
    }

    /** reconcilePause: the resources are paused, the move may go on. */
    @Override
    Optional<Duration> paused(GenericKubernetesResource azureCluster, GenericKubernetesResource cluster) {
        if (!AzureCredentials.login(api, providerNamespace(), azureCluster).ok()) {
            return done();
        }
        api.change(kind(), azureCluster, o -> {
            Map<String, String> annotations = new LinkedHashMap<>(Api.annotations(o));
            annotations.remove(BLOCK_MOVE_ANNOTATION);
            o.getMetadata().setAnnotations(annotations);
            return o;
        });
        return done();
    }

    @Override
    Optional<Duration> reconcile(GenericKubernetesResource azureCluster, GenericKubernetesResource cluster) {
        Login login = AzureCredentials.login(api, providerNamespace(), azureCluster);
        if (!login.ok()) {
            Events.warning(api, azureCluster, "azurecluster-reconciler", "CreateClusterScopeFailed", login.error());
            throw login.failure();
        }
        Map<String, Object> status = status(azureCluster);
        Conditions conditions = Conditions.of(azureCluster);
        GenericKubernetesResource identity = AzureCredentials.identity(api, azureCluster);
        String identityFinalizer = FINALIZER + "/" + sha224(azureCluster.getMetadata().getNamespace() + "-"
                + azureCluster.getMetadata().getName());
        if (!AllowedNamespaces.permits(api, ObjectMaps.at(identity, "spec", "allowedNamespaces").orElse(null),
                azureCluster.getMetadata().getNamespace())) {
            conditions.markFalse(NETWORK_READY, "NamespaceNotAllowedByIdentity", Conditions.ERROR, null);
            write(azureCluster, status, conditions);
            throw new IllegalStateException("AzureClusterIdentity list of allowed namespaces doesn't include current"
                    + " cluster namespace");
        }
        if (Api.deleting(azureCluster)) {
            if (!deprovision(azureCluster, cluster)) {
                return after(MACHINES_LEFT_REQUEUE);
            }
            setIdentityFinalizer(identity, identityFinalizer, false);
            return done();
        }
        setIdentityFinalizer(identity, identityFinalizer, true);
        GenericKubernetesResource owned = api.change(kind(), azureCluster, o -> {
            List<String> finalizers = new ArrayList<>(Objects.requireNonNullElse(o.getMetadata().getFinalizers(), List.of()));
            if (!finalizers.contains(FINALIZER)) {
                finalizers.add(FINALIZER);
            }
            o.getMetadata().setFinalizers(finalizers);
            Map<String, String> annotations = new LinkedHashMap<>(Api.annotations(o));
            annotations.put(BLOCK_MOVE_ANNOTATION, "true");
            o.getMetadata().setAnnotations(annotations);
            return o;
        });
        String location = ObjectMaps.string(owned, "spec", "location").orElse("westeurope");
        Optional<Duration> again = provision(owned, cluster, status, conditions, List.of(NETWORK_READY), "Creating",
                () -> cluster.getMetadata().getName() + "-" + Integer.toHexString(
                        (login.principal() + cluster.getMetadata().getName()).hashCode()) + "." + location
                        + ".cloudapp.azure.com");
        write(owned, status, conditions);
        return again;
    }

    private void write(GenericKubernetesResource azureCluster, Map<String, Object> status, Conditions conditions) {
        conditions.summary(NETWORK_READY);
        status.put("conditions", conditions.toList());
        api.writeStatus(kind(), azureCluster, status);
    }

    /** EnsureClusterIdentity / RemoveClusterIdentityFinalizer: the identity keeps a finalizer per cluster using it. */
    private void setIdentityFinalizer(GenericKubernetesResource identity, String finalizer, boolean present) {
        if (identity == null) {
            return;
        }
        api.change(Kind.AZURE_CLUSTER_IDENTITY, identity, o -> {
            List<String> finalizers = new ArrayList<>(Objects.requireNonNullElse(o.getMetadata().getFinalizers(), List.of()));
            if (present && !finalizers.contains(finalizer)) {
                finalizers.add(finalizer);
            } else if (!present) {
                finalizers.remove(finalizer);
            }
            o.getMetadata().setFinalizers(finalizers);
            return o;
        });
    }

    private static String sha224(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-224").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
