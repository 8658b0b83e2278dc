package io.pivotplane.devstack.simulator.capi;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.pivotplane.capi.ObjectMaps;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * CAPG's GCPCluster controller ({@code controllers/gcpcluster_controller.go}): the cluster scope needs a compute
 * client made with the credentials ({@link GcpCredentials}); without them the reconcile fails before anything is
 * recorded. With them: its finalizer, the network, firewall rules and load balancer, whose address becomes the
 * endpoint, the region's zones as failure domains, and {@code status.ready}.
 */
final class GcpClusterController extends InfrastructureClusterController {

    static final String FINALIZER = "gcpcluster.infrastructure.cluster.x-k8s.io";

    GcpClusterController(ControllerHost host) {
        super(host);
    }

    @Override
    CapiProvider provider() {
        return CapiProvider.GCP;
    }

    @Override
    Kind kind() {
        return Kind.GCP_CLUSTER;
    }

    @Override
    Kind machineKind() {
        return Kind.GCP_MACHINE;
    }

    @Override
    String finalizer() {
        return FINALIZER;
    }

    @Override
    Optional<Duration> reconcile(GenericKubernetesResource gcpCluster, GenericKubernetesResource cluster) {
        Login login = GcpCredentials.login(api, providerNamespace(), gcpCluster);
        if (!login.ok()) {
            throw login.failure();
        }
        if (Api.deleting(gcpCluster)) {
            return deprovision(gcpCluster, cluster) ? done() : after(MACHINES_LEFT_REQUEUE);
        }
        api.ensureFinalizer(kind(), gcpCluster, FINALIZER);
        Map<String, Object> status = status(gcpCluster);
        Conditions conditions = Conditions.of(gcpCluster);
        String region = ObjectMaps.string(gcpCluster, "spec", "region").orElse("us-central1");
        Optional<Duration> again = provision(gcpCluster, cluster, status, conditions, List.of(), null,
                () -> "34." + (Clusters.randomInt(250) + 1) + "." + (Clusters.randomInt(250) + 1) + "."
                        + (Clusters.randomInt(250) + 1));
        if (Boolean.TRUE.equals(status.get("ready"))) {
            status.put("failureDomains", Map.of(
                    region + "-a", Map.of("controlPlane", true),
                    region + "-b", Map.of("controlPlane", true),
                    region + "-c", Map.of("controlPlane", true)));
            status.put("network", Map.of("selfLink", "https://www.googleapis.com/compute/v1/projects/"
                    + ObjectMaps.string(gcpCluster, "spec", "project").orElse("") + "/global/networks/"
                    + ObjectMaps.string(gcpCluster, "spec", "network", "name").orElse("default")));
        }
        api.writeStatus(kind(), gcpCluster, status);
        return again;
    }
}
