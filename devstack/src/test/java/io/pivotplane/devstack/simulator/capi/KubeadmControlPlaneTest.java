package io.pivotplane.devstack.simulator.capi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pivotplane.capi.ObjectMaps;
import io.pivotplane.capi.RenderPhase;
import io.pivotplane.capi.request.Provider;
import io.pivotplane.devstack.simulator.KubectlEdit;
import io.pivotplane.devstack.simulator.SimulatorSettings;
import io.pivotplane.devstack.testing.ClusterAddons;
import io.pivotplane.devstack.testing.TestClusters;
import io.pivotplane.events.model.ClusterSpec;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The kubeadm control plane as KCP's code runs it: machines one at a time behind its preflight checks, readiness from
 * the workload cluster's Ready control-plane Nodes, {@code nodeRef} only through the provider id.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KubeadmControlPlaneTest {

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
    void addsControlPlaneMachinesOneAtATimeEachOnceThePreviousHasItsNodeAndScalesDownOldestFirst() {
        String namespace = "kcp-scale";
        ClusterSpec spec = TestClusters.vsphere(namespace, "three", 3, 0, List.of());
        management.create(spec, RenderPhase.FULL);
        KubernetesClient workload = management.awaitWorkload(namespace, "three");
        ClusterAddons.cni(workload);

        // the kubelets run with cloud-provider: external: without vSphere's CCM no Node gets its provider id
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(machines(namespace)).singleElement().satisfies(machine ->
                    assertThat(ObjectMaps.at(machine, "status", "nodeRef")).isEmpty());
            assertThat(workload.nodes().list().getItems()).singleElement()
                    .satisfies(node -> assertThat(node.getSpec().getProviderID()).isNull());
        });

        ClusterAddons.cloudControllerManager(management.client(), workload, spec);
        await().pollInterval(Duration.ofMillis(20)).atMost(Duration.ofSeconds(60)).until(() -> {
            List<GenericKubernetesResource> machines = machines(namespace);
            // the preflight checks: a machine is added only when every other one has its Node
            assertThat(machines.stream().filter(m -> ObjectMaps.at(m, "status", "nodeRef").isEmpty()).count())
                    .isLessThanOrEqualTo(1);
            return machines.size() == 3 && machines.stream().allMatch(m -> ObjectMaps.at(m, "status", "nodeRef").isPresent());
        });
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(ObjectMaps.integer(
                management.get(Kind.KUBEADM_CONTROL_PLANE, namespace, "three"), 0, "status", "readyReplicas")).isEqualTo(3));

        GenericKubernetesResource newest = machines(namespace).stream().max(Comparator
                .comparing((GenericKubernetesResource m) -> m.getMetadata().getCreationTimestamp())
                .thenComparing(m -> m.getMetadata().getName())).orElseThrow();
        KubectlEdit.edit(management.client().genericKubernetesResources(Kind.KUBEADM_CONTROL_PLANE.context())
                .inNamespace(namespace).withName("three"), kcp -> {
                    ObjectMaps.mapAt(kcp, "spec").put("replicas", 1);
                    return kcp;
                });
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(machines(namespace)).extracting(m -> m.getMetadata().getName())
                    .containsExactly(newest.getMetadata().getName());
            assertThat(workload.nodes().list().getItems()).extracting(n -> n.getMetadata().getName())
                    .containsExactly(ObjectMaps.string(newest, "status", "nodeRef", "name").orElseThrow());
            assertThat(ObjectMaps.integer(management.get(Kind.KUBEADM_CONTROL_PLANE, namespace, "three"), 0,
                    "status", "replicas")).isEqualTo(1);
        });
    }

    @Test
    void readyReplicasCountsReadyNodesOnlyWhileInitializedNeedsKubeadmAlone() {
        String namespace = "kcp-ready";
        ClusterSpec spec = TestClusters.vsphere(namespace, "nocni", 1, 0, List.of());
        management.create(spec, RenderPhase.MANAGEMENT);
        KubernetesClient workload = management.awaitWorkload(namespace, "nocni");
        ClusterAddons.cloudControllerManager(management.client(), workload, spec);

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(machines(namespace)).singleElement()
                .satisfies(machine -> assertThat(ObjectMaps.at(machine, "status", "nodeRef")).isPresent()));
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            GenericKubernetesResource kcp = management.get(Kind.KUBEADM_CONTROL_PLANE, namespace, "nocni");
            assertThat(ObjectMaps.isTrue(kcp, "status", "initialized")).isTrue();
            assertThat(ObjectMaps.integer(kcp, -1, "status", "readyReplicas")).isZero();
            assertThat(ObjectMaps.isTrue(kcp, "status", "ready")).isFalse();
            assertThat(ObjectMaps.isTrue(management.get(Kind.CLUSTER, namespace, "nocni"), "status", "controlPlaneReady"))
                    .isFalse();
            assertThat(Conditions.of(management.get(Kind.CLUSTER, namespace, "nocni"))
                    .isTrue(io.pivotplane.capi.Capi.CONDITION_CONTROL_PLANE_INITIALIZED)).isTrue();
        });

        ClusterAddons.cni(workload);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            GenericKubernetesResource kcp = management.get(Kind.KUBEADM_CONTROL_PLANE, namespace, "nocni");
            assertThat(ObjectMaps.integer(kcp, -1, "status", "readyReplicas")).isEqualTo(1);
            assertThat(ObjectMaps.isTrue(kcp, "status", "ready")).isTrue();
            assertThat(ObjectMaps.isTrue(management.get(Kind.CLUSTER, namespace, "nocni"), "status", "controlPlaneReady"))
                    .isTrue();
        });
    }

    @Test
    void aMachineGetsItsNodeRefOnlyOnceTheNodeCarriesItsProviderId() {
        String namespace = "kcp-noderef";
        ClusterSpec spec = TestClusters.vsphere(namespace, "noccm", 1, 0, List.of());
        management.create(spec, RenderPhase.MANAGEMENT);
        KubernetesClient workload = management.awaitWorkload(namespace, "noccm");
        ClusterAddons.cni(workload);

        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            Node node = workload.nodes().list().getItems().get(0);
            assertThat(Clusters.nodeReady(node)).isTrue();
            assertThat(machines(namespace)).singleElement().satisfies(machine -> {
                assertThat(ObjectMaps.string(machine, "spec", "providerID")).get().asString().startsWith("vsphere://");
                assertThat(ObjectMaps.at(machine, "status", "nodeRef")).isEmpty();
                assertThat(ObjectMaps.string(machine, "status", "phase")).hasValue("Provisioned");
            });
        });

        ClusterAddons.cloudControllerManager(management.client(), workload, spec);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(machines(namespace)).singleElement()
                .satisfies(machine -> {
                    assertThat(ObjectMaps.string(machine, "status", "nodeRef", "name"))
                            .hasValue(workload.nodes().list().getItems().get(0).getMetadata().getName());
                    assertThat(ObjectMaps.string(machine, "status", "phase")).hasValue("Running");
                }));
    }

    private List<GenericKubernetesResource> machines(String namespace) {
        return management.list(Kind.MACHINE, namespace);
    }
}
