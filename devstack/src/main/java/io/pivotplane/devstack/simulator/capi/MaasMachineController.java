package io.pivotplane.devstack.simulator.capi;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Node;
import io.pivotplane.capi.ObjectMaps;
import io.pivotplane.devstack.infra.MultiClusterApiServer.ClusterApi;
import io.pivotplane.devstack.simulator.cluster.ClusterInternals;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * CAPMAAS's MaasMachine controller ({@code controllers/maasmachine_controller.go}): its finalizer first; its MAAS
 * client; once the Cluster's infrastructure is ready and the bootstrap data exists, a machine allocated and deployed
 * with that data ({@code spec.providerID} {@code maas:///<zone>/<system id>}, {@code spec.systemID},
 * {@code status.hostname}), ready once deployed. With no cloud provider to do it, CAPMAAS sets the provider id on the
 * Node itself once the workload cluster answers ({@code SetNodeProviderID}, by the machine's hostname).
 */
final class MaasMachineController extends InfrastructureMachineController {

    static final String FINALIZER = "maasmachine.infrastructure.cluster.x-k8s.io";
    private static final String MACHINE_DEPLOYED = "MachineDeployed";
    private static final Duration NODE_RETRY = Duration.ofSeconds(30);

    MaasMachineController(ControllerHost host) {
        super(host);
    }

    @Override
    CapiProvider provider() {
        return CapiProvider.MAAS;
    }

    @Override
    Kind kind() {
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
    Optional<Duration> reconcile(GenericKubernetesResource maasMachine, GenericKubernetesResource machine,
                                 GenericKubernetesResource cluster) {
        Login login = MaasCredentials.login(api, providerNamespace());
        if (!login.ok()) {
            throw login.failure();
        }
        Optional<SimulatedCloud.Vm> existing = findVm(maasMachine, cluster);
        if (Api.deleting(maasMachine)) {
            terminate(maasMachine, existing);
            return done();
        }
        if (api.ensureFinalizer(kind(), maasMachine, FINALIZER)) {
            return done();
        }
        Optional<String> userData = bootstrapData(machine);
        if (!ObjectMaps.isTrue(cluster, "status", "infrastructureReady") || userData.isEmpty()) {
            return done();
        }
        Map<String, Object> status = status(maasMachine);
        Conditions conditions = Conditions.of(maasMachine);
        SimulatedCloud.Vm vm = existing.orElseGet(() -> {
            String systemId = Clusters.randomSuffix() + Clusters.randomInt(10);
            String hostname = maasMachine.getMetadata().getName();
            return host.simulation().cloud().createVm(provider(), Key.of(cluster), maasMachine.getMetadata().getName(),
                    hostname, "maas:///default/" + systemId,
                    SimulatedCloud.address(Clusters.randomInt(250) + 1, Clusters.randomInt(250) + 1), userData.get());
        });
        String systemId = vm.providerId.substring(vm.providerId.lastIndexOf('/') + 1);
        writeSpec(maasMachine, Map.of("providerID", vm.providerId, "systemID", systemId, "failureDomain", "default"));
        status.put("hostname", vm.hostname);
        Optional<Duration> again = done();
        if (!vm.running()) {
            status.put("machineState", "Deploying");
            status.put("machinePowered", true);
            status.put("ready", false);
            conditions.markFalse(MACHINE_DEPLOYED, "MachineDeploying", Conditions.WARNING, null);
            again = after(vm.untilRunning().plusMillis(10));
        } else {
            status.put("machineState", "Deployed");
            status.put("machinePowered", true);
            status.put("ready", true);
            status.put("addresses", addresses(vm));
            conditions.markTrue(MACHINE_DEPLOYED);
            again = setNodeProviderId(cluster, vm);
        }
        conditions.summary(MACHINE_DEPLOYED);
        status.put("conditions", conditions.toList());
        api.writeStatus(kind(), maasMachine, status);
        return again;
    }

    /** SetNodeProviderID: the Node named like the machine's hostname gets the machine's provider id. */
    private Optional<Duration> setNodeProviderId(GenericKubernetesResource cluster, SimulatedCloud.Vm vm) {
        Optional<ClusterApi> workload = host.remote().workload(Key.of(cluster));
        if (workload.isEmpty()) {
            return after(NODE_RETRY);
        }
        Node node = workload.get().client().nodes().withName(vm.hostname).get();
        if (node == null) {
            return after(NODE_RETRY);
        }
        if (vm.providerId.equals(node.getSpec() == null ? null : node.getSpec().getProviderID())) {
            return done();
        }
        Optional<ClusterInternals> internals = host.simulation().internals(workload.get());
        if (internals.isEmpty()) {
            return after(NODE_RETRY);
        }
        internals.get().setProviderId(vm.hostname, vm.providerId);
        return done();
    }
}
