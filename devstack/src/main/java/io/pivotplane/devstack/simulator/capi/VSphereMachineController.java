package io.pivotplane.devstack.simulator.capi;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.pivotplane.capi.Capi;
import io.pivotplane.capi.ObjectMaps;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * CAPV's VSphereMachine controller ({@code pkg/services/vimmachine.go}): its finalizer first; once the Cluster's
 * infrastructure is ready and the bootstrap data exists, a VSphereVM of the same name (owned by it, with the clone
 * spec and the bootstrap Secret), whose BIOS UUID becomes {@code spec.providerID} ({@code vsphere://<uuid>}) and whose
 * readiness and addresses it reports. Deletion deletes the VSphereVM and waits for it.
 */
final class VSphereMachineController extends InfrastructureMachineController {

    static final String FINALIZER = "vspheremachine.infrastructure.cluster.x-k8s.io";
    static final String VM_PROVISIONED = "VMProvisioned";

    VSphereMachineController(ControllerHost host) {
        super(host);
    }

    @Override
    CapiProvider provider() {
        return CapiProvider.VSPHERE;
    }

    @Override
    Kind kind() {
        return Kind.VSPHERE_MACHINE;
    }

    @Override
    String finalizer() {
        return FINALIZER;
    }

    @Override
    java.util.Set<String> alsoWatches() {
        return java.util.Set.of(Kind.VSPHERE_VM.kind());
    }

    @Override
    Optional<Duration> reconcile(GenericKubernetesResource vsphereMachine, GenericKubernetesResource machine,
                                 GenericKubernetesResource cluster) {
        String namespace = vsphereMachine.getMetadata().getNamespace();
        GenericKubernetesResource vm = api.get(Kind.VSPHERE_VM, namespace, vsphereMachine.getMetadata().getName());
        if (Api.deleting(vsphereMachine)) {
            if (vm != null) {
                api.delete(Kind.VSPHERE_VM, vm);
                return done();
            }
            api.removeFinalizer(kind(), vsphereMachine, FINALIZER);
            return done();
        }
        if (api.ensureFinalizer(kind(), vsphereMachine, FINALIZER)) {
            return done();
        }
        Map<String, Object> status = status(vsphereMachine);
        Conditions conditions = Conditions.of(vsphereMachine);
        Optional<String> dataSecret = ObjectMaps.string(machine, "spec", "bootstrap", "dataSecretName");
        if (!ObjectMaps.isTrue(cluster, "status", "infrastructureReady")) {
            conditions.markFalse(VM_PROVISIONED, "WaitingForClusterInfrastructure", Conditions.INFO, null);
        } else if (dataSecret.isEmpty()) {
            conditions.markFalse(VM_PROVISIONED, "WaitingForBootstrapData", Conditions.INFO, null);
        } else {
            if (vm == null) {
                vm = createVm(vsphereMachine, machine, cluster, dataSecret.get());
            }
            String biosUuid = ObjectMaps.string(vm, "spec", "biosUUID").orElse("");
            if (!biosUuid.isEmpty()) {
                writeSpec(vsphereMachine, Map.of("providerID", "vsphere://" + biosUuid));
            }
            boolean ready = ObjectMaps.isTrue(vm, "status", "ready");
            ObjectMaps.at(vm, "status", "addresses").ifPresent(a -> status.put("addresses", a));
            status.put("ready", ready);
            conditions.mirror(VM_PROVISIONED, vm, ready, "Cloning", Conditions.INFO);
        }
        conditions.summary(VM_PROVISIONED);
        status.put("conditions", conditions.toList());
        api.writeStatus(kind(), vsphereMachine, status);
        return done();
    }

    private GenericKubernetesResource createVm(GenericKubernetesResource vsphereMachine, GenericKubernetesResource machine,
                                               GenericKubernetesResource cluster, String dataSecret) {
        String namespace = vsphereMachine.getMetadata().getNamespace();
        Map<String, String> labels = new LinkedHashMap<>(Api.labels(machine));
        labels.put(Capi.CLUSTER_NAME_LABEL, cluster.getMetadata().getName());
        Map<String, Object> spec = new LinkedHashMap<>(Api.normalized(vsphereMachine.getAdditionalProperties().get("spec")));
        spec.remove("providerID");
        spec.remove("failureDomain");
        spec.put("bootstrapRef", ObjectMaps.map("apiVersion", "v1", "kind", "Secret", "name", dataSecret,
                "namespace", namespace));
        GenericKubernetesResource vm = new GenericKubernetesResourceBuilder()
                .withApiVersion(Kind.VSPHERE_VM.apiVersion()).withKind(Kind.VSPHERE_VM.kind())
                .withNewMetadata().withName(vsphereMachine.getMetadata().getName()).withNamespace(namespace)
                .withLabels(labels).withOwnerReferences(Api.ownerReference(vsphereMachine, true))
                .endMetadata().build();
        vm.setAdditionalProperty("spec", spec);
        return api.createOrGet(Kind.VSPHERE_VM, vm);
    }
}
