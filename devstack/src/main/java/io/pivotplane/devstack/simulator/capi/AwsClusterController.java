package io.pivotplane.devstack.simulator.capi;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.pivotplane.capi.ObjectMaps;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * CAPA's AWSCluster controller ({@code controllers/awscluster_controller.go}): the cluster scope needs an AWS session
 * first ({@link AwsCredentials}); without one, CAPA's reconcile fails before it has a patch helper, so nothing is
 * recorded on the AWSCluster (not even its finalizer) and it stays not ready: the Cluster shows
 * {@code InfrastructureReady=False} ({@code WaitingForInfrastructure}). With one: its finalizer, then the VPC, subnets,
 * security groups and load balancer, whose DNS name becomes the control-plane endpoint, and {@code status.ready}.
 * Deletion waits for the cluster's instances, then deletes the network.
 */
final class AwsClusterController extends InfrastructureClusterController {

    static final String FINALIZER = "awscluster.infrastructure.cluster.x-k8s.io";
    private static final List<String> NETWORK_CONDITIONS = List.of("VpcReady", "SubnetsReady",
            "ClusterSecurityGroupsReady", "LoadBalancerReady");

    AwsClusterController(ControllerHost host) {
        super(host);
    }

    @Override
    CapiProvider provider() {
        return CapiProvider.AWS;
    }

    @Override
    Kind kind() {
        return Kind.AWS_CLUSTER;
    }

    @Override
    Kind machineKind() {
        return Kind.AWS_MACHINE;
    }

    @Override
    String finalizer() {
        return FINALIZER;
    }

    @Override
    Set<String> alsoWatches() {
        return Set.of(Kind.AWS_STATIC_IDENTITY.kind(), Kind.AWS_ROLE_IDENTITY.kind(), Kind.AWS_CONTROLLER_IDENTITY.kind());
    }

    @Override
    Set<Key> keysFor(GenericKubernetesResource object) {
        if (alsoWatches().contains(object.getKind())) {
            return allKeys();
        }
        return super.keysFor(object);
    }

    @Override
    Optional<Duration> reconcile(GenericKubernetesResource awsCluster, GenericKubernetesResource cluster) {
        Login login = AwsCredentials.login(api, providerNamespace(), awsCluster);
        if (!login.ok()) {
            throw login.failure();
        }
        if (Api.deleting(awsCluster)) {
            if (!(awsCluster.getMetadata().getFinalizers() != null
                    && awsCluster.getMetadata().getFinalizers().contains(FINALIZER))) {
                return done();
            }
            return deprovision(awsCluster, cluster) ? done() : after(MACHINES_LEFT_REQUEUE);
        }
        api.ensureFinalizer(kind(), awsCluster, FINALIZER);
        Map<String, Object> status = status(awsCluster);
        Conditions conditions = Conditions.of(awsCluster);
        conditions.markTrue("PrincipalCredentialRetrieved");
        conditions.markTrue("PrincipalUsageAllowed");
        String region = ObjectMaps.string(awsCluster, "spec", "region").orElse("us-east-1");
        Optional<Duration> again = provision(awsCluster, cluster, status, conditions, NETWORK_CONDITIONS,
                "WaitForDNSName", () -> cluster.getMetadata().getName() + "-apiserver-"
                        + (1_000_000_000L + Clusters.randomInt(999_999_999)) + "." + region + ".elb.amazonaws.com");
        conditions.summary(NETWORK_CONDITIONS.toArray(String[]::new));
        status.put("conditions", conditions.toList());
        api.writeStatus(kind(), awsCluster, status);
        return again;
    }
}
