package io.pivotplane.devstack.simulator.capi;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.pivotplane.capi.Capi;
import io.pivotplane.capi.ObjectMaps;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the providers' infrastructure machine controllers share: they reconcile their kind once the Machine
 * controller has made the Machine its owner and unless the Cluster is paused; a VM is made only once the Cluster's
 * infrastructure is ready and the Machine's bootstrap data exists, and boots with that data as its user data. A VM
 * that exists already (the management cluster's provider made it before the pivot) is found by the provider id in
 * the spec, or by the machine's name, as a provider finds an instance by its tags.
 */
abstract class InfrastructureMachineController extends Controller {

    private static final Logger LOG = LoggerFactory.getLogger(InfrastructureMachineController.class);

    InfrastructureMachineController(ControllerHost host) {
        super(host);
    }

    abstract Kind kind();

    abstract String finalizer();

    /** One reconcile of an infrastructure machine owned by a Machine of a Cluster that is not paused. */
    abstract Optional<Duration> reconcile(GenericKubernetesResource infraMachine, GenericKubernetesResource machine,
                                          GenericKubernetesResource cluster);

    /** Kinds besides its own, Machine and Cluster whose changes concern it. */
    Set<String> alsoWatches() {
        return Set.of();
    }

    @Override
    final Set<String> watches() {
        Set<String> kinds = new java.util.HashSet<>(Set.of(kind().kind(), Capi.MACHINE, Capi.CLUSTER));
        kinds.addAll(alsoWatches());
        return kinds;
    }

    @Override
    Optional<Duration> reconcile(Key key) {
        Optional<Duration> again = done();
        for (GenericKubernetesResource infraMachine : api.ofCluster(kind(), key.namespace(), key.name())) {
            GenericKubernetesResource machine = Clusters.ownerMachine(api, infraMachine);
            if (machine == null) {
                // "Machine Controller has not yet set OwnerRef"
                continue;
            }
            String clusterName = Clusters.clusterName(machine);
            GenericKubernetesResource cluster = clusterName == null ? null
                    : api.get(Kind.CLUSTER, key.namespace(), clusterName);
            if (cluster == null || Clusters.paused(cluster, infraMachine)) {
                continue;
            }
            again = MachineController.earliest(again, reconcile(infraMachine, machine, cluster));
        }
        return again;
    }

    // what the providers share

    static Map<String, Object> status(GenericKubernetesResource object) {
        return new LinkedHashMap<>(Api.normalized(object.getAdditionalProperties().get("status")));
    }

    /** The bootstrap data the Machine's {@code spec.bootstrap.dataSecretName} names; empty while there is none. */
    Optional<String> bootstrapData(GenericKubernetesResource machine) {
        return ObjectMaps.string(machine, "spec", "bootstrap", "dataSecretName")
                .map(name -> Api.data(api.secret(machine.getMetadata().getNamespace(), name), "value"));
    }

    /** The VM of this infrastructure machine, if the cloud has it: by the provider id in its spec, or by its name. */
    Optional<SimulatedCloud.Vm> findVm(GenericKubernetesResource infraMachine, GenericKubernetesResource cluster) {
        SimulatedCloud cloud = host.simulation().cloud();
        return cloud.vm(ObjectMaps.string(infraMachine, "spec", "providerID").orElse(null))
                .or(() -> cloud.vm(provider(), Key.of(cluster), infraMachine.getMetadata().getName()));
    }

    /** Writes the VM's provider id (and further spec fields) into the infrastructure machine's spec. */
    GenericKubernetesResource writeSpec(GenericKubernetesResource infraMachine, Map<String, Object> fields) {
        GenericKubernetesResource updated = api.change(kind(), infraMachine, o -> {
            ObjectMaps.mapAt(o, "spec").putAll(fields);
            return o;
        });
        infraMachine.setAdditionalProperty("spec", updated.getAdditionalProperties().get("spec"));
        return updated;
    }

    /** Deletes the VM, if any, and removes the finalizer. */
    void terminate(GenericKubernetesResource infraMachine, Optional<SimulatedCloud.Vm> vm) {
        vm.ifPresent(v -> host.simulation().cloud().deleteVm(v.providerId));
        api.removeFinalizer(kind(), infraMachine, finalizer());
        LOG.info("[{}] {} {} deleted", host.name(), kind().kind(), Key.of(infraMachine));
    }

    /** {@code status.addresses} of a running VM. */
    static List<Map<String, Object>> addresses(SimulatedCloud.Vm vm) {
        return List.of(SimulatedCloud.addresses(vm), ObjectMaps.map("type", "InternalDNS", "address", vm.hostname),
                ObjectMaps.map("type", "Hostname", "address", vm.hostname));
    }

    /** The infrastructure cluster the Cluster references. */
    GenericKubernetesResource infrastructureCluster(GenericKubernetesResource cluster) {
        return api.referenced(ObjectMaps.at(cluster, "spec", "infrastructureRef").orElse(null),
                cluster.getMetadata().getNamespace()).orElse(null);
    }

    String providerNamespace() {
        return host.gate().namespace(provider()).orElseThrow(() -> new IllegalStateException(
                provider().labelValue() + " does not run"));
    }
}
