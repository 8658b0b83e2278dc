package io.pivotplane.devstack.simulator.capi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pivotplane.capi.ObjectMaps;
import io.pivotplane.capi.RenderPhase;
import io.pivotplane.capi.request.Provider;
import io.pivotplane.devstack.simulator.SimulatorSettings;
import io.pivotplane.devstack.testing.ClusterAddons;
import io.pivotplane.devstack.testing.TestClusters;
import io.pivotplane.events.model.ClusterSpec;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Deletions run through the controllers, children first, each finalizer removed by its own controller: without the
 * provider running a deletion waits; the loss of the last control-plane machine takes the cluster's API away.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DeletionTest {

    ManagementCluster management;

    @BeforeAll
    void start() {
        management = new ManagementCluster(SimulatorSettings.IMMEDIATE.withManagementProviders(Set.of(Provider.VSPHERE)));
    }

    @AfterAll
    void stop() {
        management.close();
    }

    @Test
    void deletingAClusterDeletesItsMachinesAndTheLastControlPlaneMachineTakesItsApiServerAway() throws Exception {
        String namespace = "delete-all";
        ClusterSpec spec = TestClusters.vsphere(namespace, "gone", 1, 1, List.of());
        management.create(spec, RenderPhase.FULL);
        KubernetesClient workload = management.awaitWorkload(namespace, "gone");
        ClusterAddons.install(management.client(), workload, spec);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(management.list(Kind.MACHINE, namespace)).hasSize(2).allSatisfy(machine ->
                    assertThat(ObjectMaps.at(machine, "status", "nodeRef")).isPresent());
        });
        String url = workload.getMasterUrl().toString();
        assertThat(status(url)).isEqualTo(200);

        management.api.delete(Kind.CLUSTER, management.get(Kind.CLUSTER, namespace, "gone"));

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(management.get(Kind.CLUSTER, namespace, "gone")).isNull();
            assertThat(management.list(Kind.MACHINE, namespace)).isEmpty();
            assertThat(management.list(Kind.VSPHERE_VM, namespace)).isEmpty();
            assertThat(management.get(Kind.VSPHERE_CLUSTER, namespace, "gone")).isNull();
            assertThat(management.get(Kind.KUBEADM_CONTROL_PLANE, namespace, "gone")).isNull();
        });
        assertThat(status(url)).isEqualTo(404);
        assertThat(management.simulator.workloadClient(url)).isEmpty();
        // CAPV deleted the identity Secret it had taken over
        assertThat(management.api.secret(namespace, spec.infrastructure().credentialsRef())).isNull();
    }

    @Test
    void aDeletionWaitsWhileTheInfrastructureProviderIsNotRunningAndCompletesOnceItRunsAgain() {
        String namespace = "delete-later";
        management.create(TestClusters.vsphere(namespace, "later", 1, 0, List.of()), RenderPhase.MANAGEMENT);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(management.list(Kind.VSPHERE_VM, namespace))
                .singleElement().satisfies(vm -> assertThat(ObjectMaps.isTrue(vm, "status", "ready")).isTrue()));

        scaleCapv(0);
        management.api.delete(Kind.CLUSTER, management.get(Kind.CLUSTER, namespace, "later"));

        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            GenericKubernetesResource cluster = management.get(Kind.CLUSTER, namespace, "later");
            assertThat(cluster).isNotNull();
            assertThat(cluster.getMetadata().getDeletionTimestamp()).isNotNull();
            assertThat(management.list(Kind.VSPHERE_MACHINE, namespace)).singleElement().satisfies(machine ->
                    assertThat(machine.getMetadata().getFinalizers()).contains(VSphereMachineController.FINALIZER));
            assertThat(management.get(Kind.VSPHERE_CLUSTER, namespace, "later")).isNotNull();
        });

        scaleCapv(1);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(management.get(Kind.CLUSTER, namespace, "later")).isNull();
            assertThat(management.list(Kind.VSPHERE_MACHINE, namespace)).isEmpty();
            assertThat(management.get(Kind.VSPHERE_CLUSTER, namespace, "later")).isNull();
        });
    }

    private void scaleCapv(int replicas) {
        management.client().apps().deployments().inNamespace("capv-system").withName("capv-controller-manager")
                .edit(d -> {
                    d.getSpec().setReplicas(replicas);
                    return d;
                });
        await().atMost(Duration.ofSeconds(10)).until(() -> managementRunsCapv() == replicas > 0);
    }

    private boolean managementRunsCapv() {
        var deployment = management.client().apps().deployments().inNamespace("capv-system")
                .withName("capv-controller-manager").get();
        Integer available = deployment.getStatus() == null ? null : deployment.getStatus().getAvailableReplicas();
        return available != null && available > 0;
    }

    private static int status(String url) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url + "api/v1/namespaces")).GET().build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
