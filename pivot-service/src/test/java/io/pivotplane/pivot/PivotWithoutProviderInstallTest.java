package io.pivotplane.pivot;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pivotplane.capi.Capi;
import io.pivotplane.capi.ObjectMaps;
import io.pivotplane.devstack.testing.KafkaAndPostgresResource;
import io.pivotplane.devstack.testing.KubernetesApiResource;
import io.pivotplane.devstack.testing.TestClusters;
import io.pivotplane.devstack.testing.TopicWriter;
import io.pivotplane.events.ControlPlaneReady;
import io.pivotplane.events.EventEnvelope;
import io.pivotplane.events.ProvisioningFailed;
import io.pivotplane.events.Stage;
import io.pivotplane.events.Topics;
import io.pivotplane.events.model.ClusterSpec;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A workload cluster that does not run Cluster API's providers cannot take a cluster's objects: nothing there would
 * reconcile them. With pivot-service told to expect the providers there already (as from a node image) and none
 * there, the pivot waits for them at clusterctl's check of the target's providers, then gives up before anything
 * moved.
 */
@QuarkusTest
@TestProfile(PivotWithoutProviderInstallTest.ProvidersExpectedInTarget.class)
@WithTestResource(value = KafkaAndPostgresResource.class,
        initArgs = {@ResourceArg(name = KafkaAndPostgresResource.DATABASE_ARG, value = "pivot"),
                @ResourceArg(name = KafkaAndPostgresResource.PRINCIPAL_ARG, value = "pivot-service")})
@WithTestResource(KubernetesApiResource.class)
class PivotWithoutProviderInstallTest extends PivotTestSupport {

    public static final class ProvidersExpectedInTarget implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("pivotplane.pivot.install-providers", "false", "pivotplane.pivot.providers-timeout", "PT5S");
        }
    }

    @Test
    void aTargetWithoutProvidersIsRefusedWithPivotPreflightFailedAndNothingMoves() {
        ClusterSpec spec = TestClusters.vsphere(NAMESPACE, "unmanaged", 1, 0, List.of());
        EventEnvelope<ControlPlaneReady> ready = firstControlPlaneNode(spec);
        var before = clusterObjects(management.client(), "unmanaged");

        TopicWriter.send(kafka.bootstrapServers(), ready);

        ProvisioningFailed failed = awaitOne(Topics.CLUSTER_FAILED, ready.subject(), ProvisioningFailed.class,
                Duration.ofMinutes(3));
        assertThat(failed.stage()).isEqualTo(Stage.PIVOTED);
        assertThat(failed.reason()).isEqualTo("PivotPreflightFailed");
        assertThat(failed.message()).contains("provider cluster-api (CoreProvider) not found in the target cluster",
                "provider vsphere (InfrastructureProvider) not found in the target cluster", "nothing was moved");
        assertThat(clusterObjects(management.client(), "unmanaged")).isEqualTo(before);
        GenericKubernetesResource cluster = get(management.client(), Capi.CORE_API_VERSION, Capi.CLUSTER, "unmanaged");
        assertThat(ObjectMaps.isTrue(cluster, "spec", "paused")).isFalse();
        KubernetesClient workload = simulator.workloadClient(ready.payload().apiEndpoint()).orElseThrow();
        assertThat(workload.apiextensions().v1().customResourceDefinitions()
                .withName("clusters.cluster.x-k8s.io").get()).isNull();
        assertThat(events(Topics.CLUSTER_PIVOTED, ready.subject())).isEmpty();
    }
}
