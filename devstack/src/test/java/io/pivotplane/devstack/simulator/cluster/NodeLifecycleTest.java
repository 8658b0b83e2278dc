package io.pivotplane.devstack.simulator.cluster;

import static io.pivotplane.devstack.simulator.cluster.SimulatedCluster.eventually;
import static io.pivotplane.devstack.simulator.cluster.SimulatedCluster.ready;
import static io.pivotplane.devstack.simulator.cluster.SimulatedCluster.taints;
import static io.pivotplane.devstack.simulator.cluster.SimulatedCluster.throughout;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Node;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class NodeLifecycleTest {

    final SimulatedCluster cluster = new SimulatedCluster();

    @AfterEach
    void stop() {
        cluster.close();
    }

    @Test
    void aControlPlaneNodeRegistersNotReadyWithKubeadmsTaintsUntilANetworkPluginRunsOnIt() {
        cluster.controlPlaneNode("cp-0");

        Node node = cluster.node("cp-0");
        assertThat(node.getMetadata().getLabels()).containsEntry("kubernetes.io/hostname", "cp-0")
                .containsEntry("node-role.kubernetes.io/control-plane", "").containsEntry("kubernetes.io/os", "linux");
        assertThat(taints(node)).containsExactlyInAnyOrder("node-role.kubernetes.io/control-plane:NoSchedule",
                "node.cloudprovider.kubernetes.io/uninitialized=true:NoSchedule",
                "node.kubernetes.io/not-ready:NoSchedule");
        assertThat(node.getSpec().getProviderID()).as("the CCM sets it").isNull();
        assertThat(ready(node).getStatus()).isEqualTo("False");
        assertThat(ready(node).getReason()).isEqualTo("KubeletNotReady");
        assertThat(ready(node).getMessage()).isEqualTo("container runtime network not ready: NetworkReady=false "
                + "reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized");
        throughout().until(() -> ready(cluster.node("cp-0")).getStatus().equals("False"));

        cluster.installCalico();

        eventually().untilAsserted(() -> {
            Node running = cluster.node("cp-0");
            assertThat(ready(running).getStatus()).isEqualTo("True");
            assertThat(ready(running).getReason()).isEqualTo("KubeletReady");
            assertThat(taints(running)).doesNotContain("node.kubernetes.io/not-ready:NoSchedule")
                    .contains("node-role.kubernetes.io/control-plane:NoSchedule");
        });
        eventually().untilAsserted(() -> assertThat(cluster.client.apps().daemonSets().inNamespace("kube-system")
                .withName("calico-node").get().getStatus().getNumberAvailable()).isEqualTo(1));
    }

    @Test
    void kubeadmTaintsAreTheGivenOnesAnEmptyListMeaningNoneAndAWorkerHasNoControlPlaneTaint() {
        cluster.internals.registerNode("cp-untainted", true, Map.of("taints", List.of()), Optional.empty());
        cluster.internals.registerNode("cp-custom", true, Map.of("taints", List.of(Map.of("key", "dedicated",
                "value", "infra", "effect", "NoExecute"))), Optional.empty());
        cluster.internals.registerNode("worker", false, Map.of(), Optional.empty());

        assertThat(taints(cluster.node("cp-untainted"))).containsExactly("node.kubernetes.io/not-ready:NoSchedule");
        assertThat(taints(cluster.node("cp-custom"))).containsExactlyInAnyOrder("dedicated=infra:NoExecute",
                "node.kubernetes.io/not-ready:NoSchedule");
        assertThat(taints(cluster.node("worker"))).containsExactly("node.kubernetes.io/not-ready:NoSchedule");
        assertThat(cluster.node("worker").getMetadata().getLabels())
                .doesNotContainKey("node-role.kubernetes.io/control-plane");
    }

    @Test
    void theKubeletSetsTheProviderIdOnlyWhenItKnowsIt() {
        cluster.internals.registerNode("from-flag", false, Map.of("kubeletExtraArgs",
                Map.of("provider-id", "maas://machine-1")), Optional.empty());
        cluster.internals.registerNode("in-tree", false, Map.of("kubeletExtraArgs", Map.of("cloud-provider", "gce")),
                Optional.of("gce://project/zone/in-tree"));

        assertThat(cluster.node("from-flag").getSpec().getProviderID()).isEqualTo("maas://machine-1");
        assertThat(cluster.node("in-tree").getSpec().getProviderID()).isEqualTo("gce://project/zone/in-tree");
        assertThat(taints(cluster.node("in-tree"))).as("no external cloud provider")
                .doesNotContain("node.cloudprovider.kubernetes.io/uninitialized=true:NoSchedule");
    }

    @Test
    void anInfrastructureProviderSetsAProviderIdOnceAndANodeGoesWithItsMachine() {
        cluster.workerNode("maas-0");
        cluster.internals.setProviderId("maas-0", "maas://abc");

        eventually().until(() -> "maas://abc".equals(cluster.node("maas-0").getSpec().getProviderID()));

        cluster.internals.removeNode("maas-0");
        assertThat(cluster.node("maas-0")).isNull();
    }

    @Test
    void theInternalsOfARemovedClusterStop() {
        cluster.controlPlaneNode("cp-0");
        cluster.server.removeCluster(cluster.api);

        cluster.internals.setProviderId("cp-0", "vsphere://1");

        eventually().until(cluster.internals::isClosed);
    }

    @Test
    void aKubeletWithNodeLabelsItMayNotSetNeverRegisters() {
        cluster.internals.registerNode("worker", false, Map.of("kubeletExtraArgs",
                Map.of("node-labels", "node-role.kubernetes.io/worker=")), Optional.empty());
        cluster.internals.registerNode("labelled", false, Map.of("kubeletExtraArgs",
                Map.of("node-labels", "node.kubernetes.io/pool=md-0,team=a")), Optional.empty());

        assertThat(cluster.node("worker")).isNull();
        assertThat(cluster.node("labelled").getMetadata().getLabels()).containsEntry("node.kubernetes.io/pool", "md-0")
                .containsEntry("team", "a");
    }
}
