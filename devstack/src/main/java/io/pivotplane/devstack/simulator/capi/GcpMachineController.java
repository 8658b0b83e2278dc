package io.pivotplane.devstack.simulator.capi;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.pivotplane.capi.ObjectMaps;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * CAPG's GCPMachine controller ({@code controllers/gcpmachine_controller.go}): it needs the GCPCluster's credentials;
 * once the Cluster's infrastructure is ready and the bootstrap data exists, its finalizer and a Compute Engine
 * instance ({@code spec.providerID} {@code gce://<project>/<zone>/<name>}), ready once it runs. The kubelet of
 * CAPG's templates runs the in-tree {@code gce} cloud provider, so it sets that provider id on its Node itself.
 */
final class GcpMachineController extends InfrastructureMachineController {

    static final String FINALIZER = "gcpmachine.infrastructure.cluster.x-k8s.io";

    GcpMachineController(ControllerHost host) {
        super(host);
    }

    @Override
    CapiProvider provider() {
        return CapiProvider.GCP;
    }

    @Override
    Kind kind() {
        return Kind.GCP_MACHINE;
    }

    @Override
    String finalizer() {
        return FINALIZER;
    }

    @Override
    Optional<Duration> reconcile(GenericKubernetesResource gcpMachine, GenericKubernetesResource machine,
                                 GenericKubernetesResource cluster) {
        GenericKubernetesResource gcpCluster = infrastructureCluster(cluster);
        if (gcpCluster == null) {
            return done();
        }
        Login login = GcpCredentials.login(api, providerNamespace(), gcpCluster);
        if (!login.ok()) {
            throw login.failure();
        }
        Optional<SimulatedCloud.Vm> existing = findVm(gcpMachine, cluster);
        if (Api.deleting(gcpMachine)) {
            terminate(gcpMachine, existing);
            return done();
        }
        Optional<String> userData = bootstrapData(machine);
        if (!ObjectMaps.isTrue(cluster, "status", "infrastructureReady") || userData.isEmpty()) {
            return done();
        }
        api.ensureFinalizer(kind(), gcpMachine, FINALIZER);
        String project = ObjectMaps.string(gcpCluster, "spec", "project").orElse("");
        String region = ObjectMaps.string(gcpCluster, "spec", "region").orElse("us-central1");
        SimulatedCloud.Vm vm = existing.orElseGet(() -> {
            String name = gcpMachine.getMetadata().getName();
            String zone = ObjectMaps.string(machine, "spec", "failureDomain").orElse(region + "-a");
            return host.simulation().cloud().createVm(provider(), Key.of(cluster), name, name,
                    "gce://" + project + "/" + zone + "/" + name,
                    SimulatedCloud.address(Clusters.randomInt(250) + 1, Clusters.randomInt(250) + 1), userData.get());
        });
        writeSpec(gcpMachine, Map.of("providerID", vm.providerId));
        Map<String, Object> status = status(gcpMachine);
        Optional<Duration> again = done();
        if (vm.running()) {
            status.put("instanceState", "RUNNING");
            status.put("ready", true);
            status.put("addresses", addresses(vm));
        } else {
            status.put("instanceState", "PROVISIONING");
            status.put("ready", false);
            again = after(vm.untilRunning().plusMillis(10));
        }
        api.writeStatus(kind(), gcpMachine, status);
        return again;
    }
}
