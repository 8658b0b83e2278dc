package io.pivotplane.devstack.simulator.capi;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.pivotplane.capi.ObjectMaps;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * CAPMAAS's MaasCluster controller ({@code controllers/maascluster_controller.go}): its finalizer first; then its MAAS
 * client ({@link MaasCredentials}), without which it fails and records nothing more; the DNS resource whose name
 * ({@code <cluster>-<suffix>.<dnsDomain>}) becomes {@code status.network.dnsName} and the endpoint,
 * {@code DNSReady}, {@code status.ready}, and {@code APIServerAvailable} once the workload cluster answers.
 */
final class MaasClusterController extends InfrastructureClusterController {

    static final String FINALIZER = "maascluster.infrastructure.cluster.x-k8s.io";

    MaasClusterController(ControllerHost host) {
        super(host);
    }

    @Override
    CapiProvider provider() {
        return CapiProvider.MAAS;
    }

    @Override
    Kind kind() {
        return Kind.MAAS_CLUSTER;
    }

    @Override
    Kind machineKind() {
        return Kind.MAAS_MACHINE;
    }

    @Override
    String finalizer() {
        return FINALIZER;
    }

    @Override
    boolean watchesWorkloads() {
        return true;
    }

    @Override
    Optional<Duration> reconcile(GenericKubernetesResource maasCluster, GenericKubernetesResource cluster) {
        if (Api.deleting(maasCluster)) {
            Login login = MaasCredentials.login(api, providerNamespace());
            if (!login.ok()) {
                throw login.failure();
            }
            return deprovision(maasCluster, cluster) ? done() : after(MACHINES_LEFT_REQUEUE);
        }
        if (api.ensureFinalizer(kind(), maasCluster, FINALIZER)) {
            return done();
        }
        Login login = MaasCredentials.login(api, providerNamespace());
        if (!login.ok()) {
            throw login.failure();
        }
        Map<String, Object> status = status(maasCluster);
        Conditions conditions = Conditions.of(maasCluster);
        String domain = ObjectMaps.string(maasCluster, "spec", "dnsDomain").orElse("maas");
        Optional<Duration> again = provision(maasCluster, cluster, status, conditions, List.of("DNSReady"),
                "WaitForDNSName", () -> cluster.getMetadata().getName() + "-" + Clusters.randomSuffix() + "." + domain);
        if (Boolean.TRUE.equals(status.get("ready"))) {
            String dnsName = ObjectMaps.string(maasCluster, "spec", "controlPlaneEndpoint", "host").orElse("");
            status.put("network", Map.of("dnsName", dnsName));
            if (host.remote().workload(Key.of(cluster)).isPresent()) {
                conditions.markTrue("APIServerAvailable");
            } else {
                conditions.markFalse("APIServerAvailable", "APIServerNotReady", Conditions.WARNING, null);
            }
        }
        conditions.summary("DNSReady", "APIServerAvailable");
        status.put("conditions", conditions.toList());
        api.writeStatus(kind(), maasCluster, status);
        return again;
    }
}
