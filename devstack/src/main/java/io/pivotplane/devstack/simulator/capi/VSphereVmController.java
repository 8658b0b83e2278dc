package io.pivotplane.devstack.simulator.capi;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.pivotplane.capi.ObjectMaps;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * CAPV's VSphereVM controller ({@code controllers/vspherevm_controller.go}): its finalizer first; it logs in to
 * vCenter with the VSphereCluster's credentials ({@code VCenterAvailable=False} when it cannot), clones the VM from
 * the template with the bootstrap Secret as its user data, records its BIOS UUID in the spec, and reports it ready
 * with its addresses once it runs. Deletion destroys the VM.
 */
final class VSphereVmController extends InfrastructureMachineController {

    static final String FINALIZER = "vspherevm.infrastructure.cluster.x-k8s.io";

    VSphereVmController(ControllerHost host) {
        super(host);
    }

    @Override
    CapiProvider provider() {
        return CapiProvider.VSPHERE;
    }

    @Override
    Kind kind() {
        return Kind.VSPHERE_VM;
    }

    @Override
    String finalizer() {
        return FINALIZER;
    }

    /** A VSphereVM is owned by its VSphereMachine, which the Machine owns. */
    @Override
    Optional<Duration> reconcile(Key key) {
        Optional<Duration> again = done();
        for (GenericKubernetesResource vm : api.ofCluster(kind(), key.namespace(), key.name())) {
            GenericKubernetesResource cluster = api.get(Kind.CLUSTER, key.namespace(), key.name());
            if (cluster == null || Clusters.paused(cluster, vm)) {
                continue;
            }
            again = MachineController.earliest(again, reconcile(vm, null, cluster));
        }
        return again;
    }

    @Override
    Optional<Duration> reconcile(GenericKubernetesResource vsphereVm, GenericKubernetesResource unused,
                                 GenericKubernetesResource cluster) {
        Optional<SimulatedCloud.Vm> existing = vm(vsphereVm, cluster);
        if (Api.deleting(vsphereVm)) {
            terminate(vsphereVm, existing);
            return done();
        }
        if (api.ensureFinalizer(kind(), vsphereVm, FINALIZER)) {
            return done();
        }
        Map<String, Object> status = status(vsphereVm);
        Conditions conditions = Conditions.of(vsphereVm);
        try {
            GenericKubernetesResource vsphereCluster = infrastructureCluster(cluster);
            if (vsphereCluster == null) {
                return done();
            }
            Login login = VSphereCredentials.login(api, providerNamespace(), vsphereCluster);
            if (!login.ok()) {
                conditions.markFalse(VSphereClusterController.VCENTER_AVAILABLE, "VCenterUnreachable", Conditions.ERROR,
                        login.error());
                throw login.failure();
            }
            conditions.markTrue(VSphereClusterController.VCENTER_AVAILABLE);
            Optional<String> userData = ObjectMaps.string(vsphereVm, "spec", "bootstrapRef", "name")
                    .map(name -> Api.data(api.secret(vsphereVm.getMetadata().getNamespace(), name), "value"));
            if (userData.isEmpty()) {
                conditions.markFalse(VSphereMachineController.VM_PROVISIONED, "WaitingForBootstrapData",
                        Conditions.INFO, null);
                return done();
            }
            SimulatedCloud.Vm vm = existing.orElseGet(() -> {
                String uuid = UUID.randomUUID().toString();
                String name = vsphereVm.getMetadata().getName();
                return host.simulation().cloud().createVm(provider(), Key.of(cluster), name, name, "vsphere://" + uuid,
                        SimulatedCloud.address(Clusters.randomInt(250) + 1, Clusters.randomInt(250) + 1), userData.get());
            });
            writeSpec(vsphereVm, Map.of("biosUUID", vm.providerId.substring("vsphere://".length())));
            status.put("vmRef", "vm-" + Math.abs(vm.providerId.hashCode() % 100000));
            status.put("cloneMode", ObjectMaps.string(vsphereVm, "spec", "cloneMode").orElse("linkedClone"));
            if (!vm.running()) {
                status.put("ready", false);
                conditions.markFalse(VSphereMachineController.VM_PROVISIONED, "PoweringOn", Conditions.INFO, null);
                return after(vm.untilRunning().plusMillis(10));
            }
            status.put("ready", true);
            status.put("addresses", java.util.List.of(vm.address));
            conditions.markTrue(VSphereMachineController.VM_PROVISIONED);
            return done();
        } finally {
            conditions.summary(VSphereClusterController.VCENTER_AVAILABLE, VSphereMachineController.VM_PROVISIONED);
            status.put("conditions", conditions.toList());
            if (!Api.deleting(vsphereVm)) {
                api.writeStatus(kind(), vsphereVm, status);
            }
        }
    }

    private Optional<SimulatedCloud.Vm> vm(GenericKubernetesResource vsphereVm, GenericKubernetesResource cluster) {
        SimulatedCloud cloud = host.simulation().cloud();
        return ObjectMaps.string(vsphereVm, "spec", "biosUUID").filter(u -> !u.isEmpty())
                .flatMap(uuid -> cloud.vm("vsphere://" + uuid))
                .or(() -> cloud.vm(provider(), Key.of(cluster), vsphereVm.getMetadata().getName()));
    }
}
