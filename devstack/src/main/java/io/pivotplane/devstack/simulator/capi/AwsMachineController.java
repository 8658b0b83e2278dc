package io.pivotplane.devstack.simulator.capi;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.pivotplane.capi.ObjectMaps;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * CAPA's AWSMachine controller ({@code controllers/awsmachine_controller.go}): it needs the AWSCluster's session
 * ({@link AwsCredentials}; without it nothing is recorded); once the Cluster's infrastructure is ready and the
 * bootstrap data exists, its finalizer and an EC2 instance ({@code spec.instanceID}, {@code spec.providerID}
 * {@code aws:///<az>/i-…}), ready once it runs. Deletion terminates the instance.
 */
final class AwsMachineController extends InfrastructureMachineController {

    static final String FINALIZER = "awsmachine.infrastructure.cluster.x-k8s.io";
    private static final String INSTANCE_READY = "InstanceReady";

    AwsMachineController(ControllerHost host) {
        super(host);
    }

    @Override
    CapiProvider provider() {
        return CapiProvider.AWS;
    }

    @Override
    Kind kind() {
        return Kind.AWS_MACHINE;
    }

    @Override
    String finalizer() {
        return FINALIZER;
    }

    @Override
    Optional<Duration> reconcile(GenericKubernetesResource awsMachine, GenericKubernetesResource machine,
                                 GenericKubernetesResource cluster) {
        GenericKubernetesResource awsCluster = infrastructureCluster(cluster);
        if (awsCluster == null) {
            return done();
        }
        Login login = AwsCredentials.login(api, providerNamespace(), awsCluster);
        if (!login.ok()) {
            throw login.failure();
        }
        Optional<SimulatedCloud.Vm> instance = findVm(awsMachine, cluster);
        if (Api.deleting(awsMachine)) {
            terminate(awsMachine, instance);
            return done();
        }
        Map<String, Object> status = status(awsMachine);
        Conditions conditions = Conditions.of(awsMachine);
        Optional<String> userData = bootstrapData(machine);
        Optional<Duration> again = done();
        if (!ObjectMaps.isTrue(cluster, "status", "infrastructureReady")) {
            conditions.markFalse(INSTANCE_READY, "WaitingForClusterInfrastructure", Conditions.INFO, null);
        } else if (userData.isEmpty()) {
            conditions.markFalse(INSTANCE_READY, "WaitingForBootstrapData", Conditions.INFO, null);
        } else {
            api.ensureFinalizer(kind(), awsMachine, FINALIZER);
            SimulatedCloud.Vm vm = instance.orElseGet(() -> runInstance(awsMachine, awsCluster, cluster, userData.get()));
            String instanceId = vm.providerId.substring(vm.providerId.lastIndexOf('/') + 1);
            writeSpec(awsMachine, Map.of("providerID", vm.providerId, "instanceID", instanceId));
            if (vm.running()) {
                status.put("instanceState", "running");
                status.put("ready", true);
                status.put("addresses", addresses(vm));
                conditions.markTrue(INSTANCE_READY);
            } else {
                status.put("instanceState", "pending");
                status.put("ready", false);
                conditions.markFalse(INSTANCE_READY, "InstanceNotReady", Conditions.WARNING, "Instance state is pending");
                again = after(vm.untilRunning().plusMillis(10));
            }
        }
        conditions.summary(INSTANCE_READY);
        status.put("conditions", conditions.toList());
        api.writeStatus(kind(), awsMachine, status);
        return again;
    }

    private SimulatedCloud.Vm runInstance(GenericKubernetesResource awsMachine, GenericKubernetesResource awsCluster,
                                          GenericKubernetesResource cluster, String userData) {
        String region = ObjectMaps.string(awsCluster, "spec", "region").orElse("us-east-1");
        String zone = ObjectMaps.string(awsMachine, "spec", "failureDomain").orElse(region + "a");
        String instanceId = "i-" + Clusters.randomHex(17);
        int third = Clusters.randomInt(250) + 1;
        int fourth = Clusters.randomInt(250) + 1;
        String hostname = "ip-10-0-" + third + "-" + fourth + "." + region + ".compute.internal";
        return host.simulation().cloud().createVm(provider(), Key.of(cluster), awsMachine.getMetadata().getName(),
                hostname, "aws:///" + zone + "/" + instanceId, SimulatedCloud.address(third, fourth), userData);
    }
}
