package io.pivotplane.devstack.simulator.cluster;

import static io.pivotplane.devstack.simulator.cluster.SimulatedCluster.eventually;
import static io.pivotplane.devstack.simulator.cluster.SimulatedCluster.taints;
import static io.pivotplane.devstack.simulator.cluster.SimulatedCluster.throughout;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirementBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CloudControllerTest {

    static final String UNINITIALIZED = "node.cloudprovider.kubernetes.io/uninitialized=true:NoSchedule";
    static final String VSPHERE_CONFIG_YAML = """
            global:
              port: 443
              secretName: cloud-provider-vsphere-credentials
              secretNamespace: kube-system
              thumbprint: 'AB:CD'
            vcenter:
              vcenter.example.com:
                datacenters:
                - 'dc0'
                server: 'vcenter.example.com'
            """;

    final SimulatedCluster cluster = new SimulatedCluster();

    @BeforeEach
    void start() {
        cluster.client.serviceAccounts().inNamespace("kube-system").resource(new ServiceAccountBuilder()
                .withNewMetadata().withName("cloud-controller-manager").endMetadata().build()).create();
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    @Test
    void aCloudControllerOfTheMachinesCloudSetsTheProviderIdAndRemovesTheUninitializedTaint() {
        cluster.controlPlaneNode("cp-0");
        cluster.workerNode("unknown-0");
        cluster.internals.machineProviderId("cp-0", "aws:///us-east-1a/i-0abc", "aws");

        cluster.client.apps().daemonSets().inNamespace("kube-system").resource(vsphereCcm()).create();
        throughout().until(() -> taints(cluster.node("cp-0")).contains(UNINITIALIZED)
                && cluster.node("cp-0").getSpec().getProviderID() == null);

        cluster.client.apps().daemonSets().inNamespace("kube-system").resource(awsCcm()).create();
        eventually().untilAsserted(() -> {
            assertThat(cluster.node("cp-0").getSpec().getProviderID()).isEqualTo("aws:///us-east-1a/i-0abc");
            assertThat(taints(cluster.node("cp-0"))).doesNotContain(UNINITIALIZED);
            assertThat(cluster.node("cp-0").getStatus().getAddresses()).anySatisfy(address ->
                    assertThat(address.getType()).isEqualTo("InternalIP"));
        });
        assertThat(taints(cluster.node("unknown-0"))).as("its machine is not known to the cloud yet")
                .contains(UNINITIALIZED);
    }

    @Test
    void theVsphereCloudControllerInitialisesNothingWithoutTheSecretItsCloudConfigNames() {
        cluster.controlPlaneNode("cp-0");
        cluster.internals.machineProviderId("cp-0", "vsphere://4215e4b6-0000-0000-0000-000000000000", "vsphere");
        cluster.client.configMaps().inNamespace("kube-system").resource(new ConfigMapBuilder().withNewMetadata()
                .withName("cloud-config").endMetadata().withData(Map.of("vsphere.conf", VSPHERE_CONFIG_YAML)).build())
                .create();
        cluster.client.apps().daemonSets().inNamespace("kube-system").resource(vsphereCcm()).create();

        eventually().until(() -> cluster.client.apps().daemonSets().inNamespace("kube-system").withName("vsphere-cpi")
                .get().getStatus().getNumberReady() == 1);
        throughout().until(() -> taints(cluster.node("cp-0")).contains(UNINITIALIZED));

        cluster.client.secrets().inNamespace("kube-system").resource(new SecretBuilder().withNewMetadata()
                .withName("cloud-provider-vsphere-credentials").endMetadata()
                .withStringData(Map.of("vcenter.example.com.username", "admin", "vcenter.example.com.password", "pw"))
                .build()).create();

        eventually().untilAsserted(() -> {
            assertThat(cluster.node("cp-0").getSpec().getProviderID())
                    .isEqualTo("vsphere://4215e4b6-0000-0000-0000-000000000000");
            assertThat(taints(cluster.node("cp-0"))).doesNotContain(UNINITIALIZED);
        });
    }

    @Test
    void theVsphereCloudConfigMayBeInIniFormWithItsCredentialsSecretForEachVcenter() {
        String ini = """
                [Global]
                secret-name = "vsphere-creds"
                secret-namespace = "kube-system"

                [VirtualCenter "10.0.0.10"]
                datacenters = "dc0"
                """;
        assertThat(CloudControllers.parse(ini)).containsEntry("global",
                Map.of("secretname", "vsphere-creds", "secretnamespace", "kube-system"))
                .containsEntry("vcenter 10.0.0.10", Map.of("datacenters", "dc0"));
        assertThat(CloudControllers.parse(VSPHERE_CONFIG_YAML).get("global"))
                .containsEntry("secretname", "cloud-provider-vsphere-credentials");

        cluster.controlPlaneNode("cp-0");
        cluster.internals.machineProviderId("cp-0", "vsphere://42", "vsphere");
        cluster.client.configMaps().inNamespace("kube-system").resource(new ConfigMapBuilder().withNewMetadata()
                .withName("cloud-config").endMetadata().withData(Map.of("vsphere.conf", ini)).build()).create();
        cluster.client.secrets().inNamespace("kube-system").resource(new SecretBuilder().withNewMetadata()
                .withName("vsphere-creds").endMetadata()
                .withStringData(Map.of("another.server.username", "admin", "another.server.password", "pw"))
                .build()).create();
        cluster.client.apps().daemonSets().inNamespace("kube-system").resource(vsphereCcm()).create();

        throughout().until(() -> taints(cluster.node("cp-0")).contains(UNINITIALIZED));
        cluster.client.secrets().inNamespace("kube-system").withName("vsphere-creds").edit(secret -> {
            secret.getData().put("10.0.0.10.username", "YWRtaW4=");
            secret.getData().put("10.0.0.10.password", "cHc=");
            return secret;
        });
        eventually().until(() -> !taints(cluster.node("cp-0")).contains(UNINITIALIZED));
    }

    @Test
    void azuresCloudControllerManagerLeavesNodesToItsCloudNodeManagerWhichInitialisesTheNodeItRunsOn() {
        cluster.controlPlaneNode("cp-0");
        cluster.internals.machineProviderId("cp-0", "azure:///subscriptions/s/resourceGroups/rg/providers/"
                + "Microsoft.Compute/virtualMachines/cp-0", "azure");
        cluster.installCalico();
        var azure = io.pivotplane.capi.bootstrap.CloudControllerManagers.forCluster(
                io.pivotplane.devstack.testing.TestClusters.of("azure", "team-a", "edge", 1, 0, List.of()))
                .orElseThrow();
        var serialization = cluster.client.getKubernetesSerialization();
        List<io.fabric8.kubernetes.api.model.HasMetadata> objects = azure.objects().stream()
                .map(o -> (io.fabric8.kubernetes.api.model.HasMetadata) serialization.unmarshal(
                        serialization.asJson(o))).toList();
        // the CCM alone: it runs with --controllers=*,-cloud-node, and does not tolerate the uninitialized taint
        objects.stream().filter(o -> !"DaemonSet".equals(o.getKind()))
                .forEach(o -> cluster.client.resource(o).createOr(existing -> existing.update()));
        throughout().until(() -> taints(cluster.node("cp-0")).contains(UNINITIALIZED));

        objects.stream().filter(o -> "DaemonSet".equals(o.getKind())).forEach(o -> cluster.client.resource(o).create());
        eventually().untilAsserted(() -> {
            assertThat(cluster.node("cp-0").getSpec().getProviderID()).startsWith("azure:///subscriptions/s/");
            assertThat(taints(cluster.node("cp-0"))).doesNotContain(UNINITIALIZED);
        });
    }

    /** cloud-provider-aws' DaemonSet, as its chart renders it. */
    static DaemonSet awsCcm() {
        return new DaemonSetBuilder().withNewMetadata().withName("aws-cloud-controller-manager")
                .withNamespace("kube-system").endMetadata()
                .withNewSpec().withNewSelector().addToMatchLabels("k8s-app", "aws-cloud-controller-manager")
                .endSelector().withNewTemplate().withNewMetadata()
                .addToLabels("k8s-app", "aws-cloud-controller-manager").endMetadata()
                .withNewSpec().withHostNetwork(true).withServiceAccountName("cloud-controller-manager")
                .withPriorityClassName("system-node-critical")
                .addToNodeSelector("node-role.kubernetes.io/control-plane", "")
                .withTolerations(new TolerationBuilder().withKey("node.cloudprovider.kubernetes.io/uninitialized")
                                .withValue("true").withEffect("NoSchedule").build(),
                        new TolerationBuilder().withKey("node-role.kubernetes.io/control-plane")
                                .withEffect("NoSchedule").build(),
                        new TolerationBuilder().withKey("node.kubernetes.io/not-ready").withEffect("NoSchedule")
                                .withOperator("Exists").build())
                .addNewContainer().withName("aws-cloud-controller-manager")
                .withImage("registry.k8s.io/provider-aws/cloud-controller-manager:v1.31.1")
                .withArgs("--v=2", "--cloud-provider=aws", "--use-service-account-credentials=true",
                        "--configure-cloud-routes=false")
                .endContainer().endSpec().endTemplate().endSpec().build();
    }

    /** The vSphere CPI DaemonSet of CAPV v1.12.0's cluster template. */
    static DaemonSet vsphereCcm() {
        return new DaemonSetBuilder().withNewMetadata().withName("vsphere-cpi").withNamespace("kube-system")
                .endMetadata()
                .withNewSpec().withNewSelector().addToMatchLabels("app", "vsphere-cpi").endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", "vsphere-cpi").endMetadata()
                .withNewSpec()
                .withTolerations(new TolerationBuilder().withKey("node.cloudprovider.kubernetes.io/uninitialized")
                                .withValue("true").withEffect("NoSchedule").build(),
                        new TolerationBuilder().withKey("node-role.kubernetes.io/control-plane").withOperator("Exists")
                                .withEffect("NoSchedule").build(),
                        new TolerationBuilder().withKey("node.kubernetes.io/not-ready").withOperator("Exists")
                                .withEffect("NoSchedule").build(),
                        new TolerationBuilder().withKey("CriticalAddonsOnly").withOperator("Exists")
                                .withEffect("NoExecute").build())
                .withNewAffinity().withNewNodeAffinity().withNewRequiredDuringSchedulingIgnoredDuringExecution()
                .addNewNodeSelectorTerm().withMatchExpressions(new NodeSelectorRequirementBuilder()
                        .withKey("node-role.kubernetes.io/control-plane").withOperator("Exists").build())
                .endNodeSelectorTerm().endRequiredDuringSchedulingIgnoredDuringExecution().endNodeAffinity()
                .endAffinity()
                .withServiceAccountName("cloud-controller-manager").withHostNetwork(true)
                .withPriorityClassName("system-node-critical")
                .addNewContainer().withName("vsphere-cpi")
                .withImage("registry.k8s.io/cloud-pv-vsphere/cloud-provider-vsphere:v1.31.0")
                .withArgs(List.of("--cloud-provider=vsphere", "--v=2", "--cloud-config=/etc/cloud/vsphere.conf"))
                .addNewVolumeMount().withMountPath("/etc/cloud").withName("vsphere-config-volume").withReadOnly(true)
                .endVolumeMount()
                .endContainer()
                .addNewVolume().withName("vsphere-config-volume").withNewConfigMap().withName("cloud-config")
                .endConfigMap().endVolume()
                .endSpec().endTemplate().endSpec().build();
    }
}
