package io.pivotplane.devstack.simulator.cluster;

import static io.pivotplane.devstack.simulator.cluster.SimulatedCluster.deployment;
import static io.pivotplane.devstack.simulator.cluster.SimulatedCluster.eventually;
import static io.pivotplane.devstack.simulator.cluster.SimulatedCluster.throughout;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.NodeSelectorRequirementBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetStatus;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SchedulingTest {

    final SimulatedCluster cluster = new SimulatedCluster();

    @AfterEach
    void stop() {
        cluster.close();
    }

    @Test
    void aDeploymentWithoutTolerationsStaysUnavailableOnAControlPlaneOnlyCluster() {
        cluster.internals.registerNode("cp-0", true, Map.of(), Optional.empty());
        cluster.installCalico();
        var deployments = cluster.client.apps().deployments().inNamespace("default");
        deployments.resource(deployment("default", "plain").build()).create();
        deployments.resource(deployment("default", "tolerant").editSpec().editTemplate().editSpec()
                .addToTolerations(new TolerationBuilder().withKey("node-role.kubernetes.io/control-plane")
                        .withOperator("Exists").withEffect("NoSchedule").build())
                .endSpec().endTemplate().endSpec().build()).create();

        eventually().until(() -> cluster.available("default", "tolerant"));
        throughout().until(() -> !cluster.available("default", "plain"));
        DeploymentStatus plain = deployments.withName("plain").get().getStatus();
        assertThat(plain.getReplicas()).as("created, pending").isEqualTo(1);
        assertThat(plain.getReadyReplicas()).isZero();
        assertThat(plain.getAvailableReplicas()).isZero();
        assertThat(plain.getUnavailableReplicas()).isEqualTo(1);
        assertThat(plain.getObservedGeneration()).isEqualTo(1);
        assertThat(plain.getConditions()).anySatisfy(c -> assertThat(c.getType() + "=" + c.getStatus() + " "
                + c.getReason()).isEqualTo("Available=False MinimumReplicasUnavailable"));

        cluster.internals.registerNode("worker-0", false, Map.of(), Optional.empty());
        eventually().until(() -> cluster.available("default", "plain"));
    }

    @Test
    void aPodWithoutHostNetworkWaitsForTheNetworkPluginWhileAHostNetworkOneRuns() {
        cluster.internals.registerNode("worker-0", false, Map.of(), Optional.empty());
        var deployments = cluster.client.apps().deployments().inNamespace("default");
        var toleratesNotReady = new TolerationBuilder().withKey("node.kubernetes.io/not-ready").withOperator("Exists")
                .withEffect("NoSchedule").build();
        deployments.resource(deployment("default", "pod-network").editSpec().editTemplate().editSpec()
                .addToTolerations(toleratesNotReady).endSpec().endTemplate().endSpec().build()).create();
        deployments.resource(deployment("default", "host-network").editSpec().editTemplate().editSpec()
                .withHostNetwork(true).addToTolerations(toleratesNotReady).endSpec().endTemplate().endSpec().build())
                .create();

        eventually().until(() -> cluster.available("default", "host-network"));
        throughout().until(() -> !cluster.available("default", "pod-network"));

        cluster.installCalico();
        eventually().until(() -> cluster.available("default", "pod-network"));
    }

    @Test
    void aPodWaitsForEveryNonOptionalSecretItMountsOrReads() {
        readyWorker();
        var deployments = cluster.client.apps().deployments().inNamespace("default");
        deployments.resource(deployment("default", "manager").editSpec().editTemplate().editSpec()
                .addNewVolume().withName("cert").withNewSecret().withSecretName("webhook-cert").endSecret().endVolume()
                .addNewVolume().withName("extra").withNewSecret().withSecretName("absent").withOptional(true)
                .endSecret().endVolume()
                .editFirstContainer().addNewEnv().withName("TOKEN").withNewValueFrom().withNewSecretKeyRef()
                .withName("credentials").withKey("token").endSecretKeyRef().endValueFrom().endEnv().endContainer()
                .endSpec().endTemplate().endSpec().build()).create();

        throughout().until(() -> !cluster.available("default", "manager"));
        cluster.client.secrets().inNamespace("default").resource(new SecretBuilder().withNewMetadata()
                .withName("webhook-cert").endMetadata().withType("kubernetes.io/tls")
                .withStringData(Map.of("tls.crt", "c", "tls.key", "k")).build()).create();
        cluster.client.secrets().inNamespace("default").resource(new SecretBuilder().withNewMetadata()
                .withName("credentials").endMetadata().withStringData(Map.of("user", "u")).build()).create();
        throughout().until(() -> !cluster.available("default", "manager"));

        cluster.client.secrets().inNamespace("default").withName("credentials").edit(secret -> {
            secret.getData().put("token", "dG9rZW4=");
            return secret;
        });
        eventually().until(() -> cluster.available("default", "manager"));
    }

    @Test
    void aPodRunsOnlyWhereItsNodeSelectorAndRequiredAffinityMatchAndNeverOnACordonedNode() {
        readyWorker();
        cluster.internals.registerNode("worker-1", false, Map.of("kubeletExtraArgs",
                Map.of("node-labels", "disk=ssd")), Optional.empty());
        var deployments = cluster.client.apps().deployments().inNamespace("default");
        deployments.resource(deployment("default", "on-ssd").editSpec().editTemplate().editSpec()
                .withNewAffinity().withNewNodeAffinity().withNewRequiredDuringSchedulingIgnoredDuringExecution()
                .addNewNodeSelectorTerm().withMatchExpressions(new NodeSelectorRequirementBuilder().withKey("disk")
                        .withOperator("In").withValues("ssd").build()).endNodeSelectorTerm()
                .endRequiredDuringSchedulingIgnoredDuringExecution().endNodeAffinity().endAffinity()
                .endSpec().endTemplate().endSpec().build()).create();
        deployments.resource(deployment("default", "on-gpu").editSpec().editTemplate().editSpec()
                .addToNodeSelector("gpu", "true").endSpec().endTemplate().endSpec().build()).create();

        eventually().until(() -> cluster.available("default", "on-ssd"));
        throughout().until(() -> !cluster.available("default", "on-gpu"));

        cluster.client.nodes().withName("worker-0").edit(node -> {
            node.getMetadata().getLabels().put("gpu", "true");
            node.getSpec().setUnschedulable(true);
            return node;
        });
        throughout().until(() -> !cluster.available("default", "on-gpu"));
        cluster.client.nodes().withName("worker-0").edit(node -> {
            node.getSpec().setUnschedulable(false);
            return node;
        });
        eventually().until(() -> cluster.available("default", "on-gpu"));
    }

    @Test
    void aPodWhoseServiceAccountDoesNotExistIsNeverCreated() {
        readyWorker();
        cluster.client.apps().deployments().inNamespace("default").resource(deployment("default", "orphan")
                .editSpec().editTemplate().editSpec().withServiceAccountName("missing").endSpec().endTemplate()
                .endSpec().build()).create();

        eventually().untilAsserted(() -> assertThat(cluster.client.apps().deployments().inNamespace("default")
                .withName("orphan").get().getStatus().getConditions()).anySatisfy(c -> {
                    assertThat(c.getType()).isEqualTo("ReplicaFailure");
                    assertThat(c.getMessage()).contains("serviceaccount \"missing\" not found");
                }));
        assertThat(cluster.client.apps().deployments().inNamespace("default").withName("orphan").get().getStatus()
                .getReplicas()).isZero();
    }

    @Test
    void aDaemonSetCountsTheNodesItShouldRunOnAndWhereItRuns() {
        cluster.internals.registerNode("cp-0", true, Map.of(), Optional.empty());
        cluster.internals.registerNode("worker-0", false, Map.of(), Optional.empty());
        cluster.internals.registerNode("worker-1", false, Map.of(), Optional.empty());
        cluster.installCalico();
        var daemonSets = cluster.client.apps().daemonSets().inNamespace("default");
        // tolerates not-ready but not the control-plane taint, and needs the pod network
        daemonSets.resource(new io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder().withNewMetadata()
                .withName("agent").endMetadata().withNewSpec().withNewSelector().addToMatchLabels("app", "agent")
                .endSelector().withNewTemplate().withNewMetadata().addToLabels("app", "agent").endMetadata()
                .withNewSpec().addToTolerations(new TolerationBuilder().withKey("node.kubernetes.io/not-ready")
                        .withOperator("Exists").build())
                .addNewContainer().withName("agent").withImage("example/agent:1").endContainer()
                .endSpec().endTemplate().endSpec().build()).create();

        eventually().untilAsserted(() -> {
            DaemonSetStatus status = daemonSets.withName("agent").get().getStatus();
            assertThat(status.getDesiredNumberScheduled()).isEqualTo(2);
            assertThat(status.getCurrentNumberScheduled()).isEqualTo(2);
            assertThat(status.getNumberReady()).isEqualTo(2);
            assertThat(status.getNumberAvailable()).isEqualTo(2);
            assertThat(status.getUpdatedNumberScheduled()).isEqualTo(2);
            assertThat(status.getNumberUnavailable()).isZero();
            assertThat(status.getNumberMisscheduled()).isZero();
            assertThat(status.getObservedGeneration()).isEqualTo(1);
        });
        DaemonSet calico = cluster.client.apps().daemonSets().inNamespace("kube-system").withName("calico-node").get();
        assertThat(calico.getStatus().getDesiredNumberScheduled()).as("it tolerates every NoSchedule taint")
                .isEqualTo(3);

        daemonSets.withName("agent").edit(daemonSet -> {
            daemonSet.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("example/agent:2");
            return daemonSet;
        });
        eventually().untilAsserted(() -> {
            DaemonSetStatus status = daemonSets.withName("agent").get().getStatus();
            assertThat(status.getObservedGeneration()).isEqualTo(2);
            assertThat(status.getUpdatedNumberScheduled()).isEqualTo(2);
            assertThat(status.getNumberAvailable()).isEqualTo(2);
        });
    }

    @Test
    void aRollingUpdateKeepsTheOldPodUntilTheNewOneRunsAndRecreateDoesNot() {
        readyWorker();
        var deployments = cluster.client.apps().deployments().inNamespace("default");
        deployments.resource(deployment("default", "web").build()).create();
        eventually().until(() -> cluster.available("default", "web"));

        // the new template needs a Secret that does not exist: its pod cannot start
        deployments.withName("web").edit(d -> {
            d.getSpec().getTemplate().getSpec().getContainers().get(0).setEnvFrom(java.util.List.of(
                    new io.fabric8.kubernetes.api.model.EnvFromSourceBuilder().withNewSecretRef().withName("later")
                            .endSecretRef().build()));
            return d;
        });
        eventually().untilAsserted(() -> {
            Deployment web = deployments.withName("web").get();
            assertThat(web.getStatus().getObservedGeneration()).isEqualTo(2);
            assertThat(web.getStatus().getReplicas()).isEqualTo(2);
            assertThat(web.getStatus().getUpdatedReplicas()).isEqualTo(1);
            assertThat(web.getStatus().getAvailableReplicas()).isEqualTo(1);
        });
        assertThat(cluster.available("default", "web")).as("the old pod still serves").isTrue();

        deployments.withName("web").edit(d -> {
            d.getSpec().setStrategy(new io.fabric8.kubernetes.api.model.apps.DeploymentStrategyBuilder()
                    .withType("Recreate").build());
            return d;
        });
        eventually().until(() -> !cluster.available("default", "web"));
        assertThat(deployments.withName("web").get().getStatus().getReplicas()).isEqualTo(1);
    }

    private void readyWorker() {
        cluster.internals.registerNode("worker-0", false, Map.of(), Optional.empty());
        cluster.installCalico();
        eventually().until(() -> SimulatedCluster.ready(cluster.node("worker-0")).getStatus().equals("True")
                && SimulatedCluster.taints(cluster.node("worker-0")).isEmpty());
    }
}
