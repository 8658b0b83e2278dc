package io.pivotplane.devstack.simulator.capi;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.pivotplane.capi.ObjectMaps;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * CAPZ's AzureMachine controller ({@code controllers/azuremachine_controller.go}): it needs the AzureCluster's
 * credentials; once the Cluster's infrastructure is ready and the bootstrap data exists, its finalizer and a VM whose
 * resource id is the provider id ({@code azure:///subscriptions/…/virtualMachines/<name>}), ready once it runs.
 * Deletion deletes the VM.
 */
final class AzureMachineController extends InfrastructureMachineController {

    static final String FINALIZER = "azuremachine.infrastructure.cluster.x-k8s.io";
    private static final String VM_RUNNING = "VMRunning";

    AzureMachineController(ControllerHost host) {
        super(host);
    }

    @Override
    CapiProvider provider() {
        return CapiProvider.AZURE;
    }

    @Override
    Kind kind() {
        return Kind.AZURE_MACHINE;
    }

    @Override
    String finalizer() {
        return FINALIZER;
    }

    @Override
    Optional<Duration> reconcile(GenericKubernetesResource azureMachine, GenericKubernetesResource machine,
                                 GenericKubernetesResource cluster) {
        GenericKubernetesResource azureCluster = infrastructureCluster(cluster);
        if (azureCluster == null) {
            return done();
        }
        Login login = AzureCredentials.login(api, providerNamespace(), azureCluster);
        if (!login.ok()) {
            Events.warning(api, azureMachine, "azuremachine-reconciler", "CreateClusterScopeFailed", login.error());
            throw login.failure();
        }
        Optional<SimulatedCloud.Vm> existing = findVm(azureMachine, cluster);
        if (Api.deleting(azureMachine)) {
            terminate(azureMachine, existing);
            return done();
        }
        if (api.ensureFinalizer(kind(), azureMachine, FINALIZER)) {
            return done();
        }
        Map<String, Object> status = status(azureMachine);
        Conditions conditions = Conditions.of(azureMachine);
        Optional<String> userData = bootstrapData(machine);
        Optional<Duration> again = done();
        if (!ObjectMaps.isTrue(cluster, "status", "infrastructureReady")) {
            conditions.markFalse(VM_RUNNING, "WaitingForClusterInfrastructure", Conditions.INFO, null);
        } else if (userData.isEmpty()) {
            conditions.markFalse(VM_RUNNING, "WaitingForBootstrapData", Conditions.INFO, null);
        } else {
            SimulatedCloud.Vm vm = existing.orElseGet(() -> {
                String name = azureMachine.getMetadata().getName();
                String subscription = ObjectMaps.string(azureCluster, "spec", "subscriptionID").orElse("");
                String resourceGroup = ObjectMaps.string(azureCluster, "spec", "resourceGroup")
                        .orElse(cluster.getMetadata().getName());
                return host.simulation().cloud().createVm(provider(), Key.of(cluster), name, name,
                        "azure:///subscriptions/" + subscription + "/resourceGroups/" + resourceGroup
                                + "/providers/Microsoft.Compute/virtualMachines/" + name,
                        SimulatedCloud.address(Clusters.randomInt(250) + 1, Clusters.randomInt(250) + 1), userData.get());
            });
            writeSpec(azureMachine, Map.of("providerID", vm.providerId));
            if (vm.running()) {
                status.put("vmState", "Succeeded");
                status.put("ready", true);
                status.put("addresses", addresses(vm));
                conditions.markTrue(VM_RUNNING);
            } else {
                status.put("vmState", "Creating");
                status.put("ready", false);
                conditions.markFalse(VM_RUNNING, "Creating", Conditions.INFO, null);
                again = after(vm.untilRunning().plusMillis(10));
            }
        }
        conditions.summary(VM_RUNNING);
        status.put("conditions", conditions.toList());
        api.writeStatus(kind(), azureMachine, status);
        return again;
    }
}
