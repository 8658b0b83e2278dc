package io.pivotplane.devstack.simulator.cluster;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pivotplane.devstack.infra.DaemonThreads;
import io.pivotplane.devstack.infra.MultiClusterApiServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.awaitility.core.ConditionFactory;

/** A workload cluster's API with its simulated internals, and the manifests the tests install into it. */
public final class SimulatedCluster implements AutoCloseable {

    public final MultiClusterApiServer server = MultiClusterApiServer.start(0);
    public final ScheduledExecutorService scheduler =
            Executors.newScheduledThreadPool(2, DaemonThreads.named("test-sim"));
    public final MultiClusterApiServer.ClusterApi api = server.addCluster();
    public final KubernetesClient client = api.client();
    public final ClusterInternals internals = ClusterInternals.startInWorkload(api, scheduler);

    /** A client that takes a server error as the answer: fabric8 retries a 500 for a minute otherwise. */
    public KubernetesClient clientWithoutRetries() {
        return new io.fabric8.kubernetes.client.KubernetesClientBuilder().withConfig(
                new io.fabric8.kubernetes.client.ConfigBuilder(io.fabric8.kubernetes.client.Config.empty())
                        .withMasterUrl(api.url()).withRequestRetryBackoffLimit(0).build()).build();
    }

    /** A control-plane machine of kubeadm's defaults, its kubelet with an external cloud provider. */
    public void controlPlaneNode(String name) {
        internals.registerNode(name, true, Map.of("kubeletExtraArgs", Map.of("cloud-provider", "external")),
                Optional.empty());
    }

    public void workerNode(String name) {
        internals.registerNode(name, false, Map.of("kubeletExtraArgs", Map.of("cloud-provider", "external")),
                Optional.empty());
    }

    public Node node(String name) {
        return client.nodes().withName(name).get();
    }

    public static List<String> taints(Node node) {
        return Objects.requireNonNullElse(node.getSpec().getTaints(), List.<Taint>of()).stream()
                .map(t -> t.getKey() + (t.getValue() == null ? "" : "=" + t.getValue()) + ":" + t.getEffect())
                .toList();
    }

    public static NodeCondition ready(Node node) {
        return node.getStatus().getConditions().stream().filter(c -> c.getType().equals("Ready")).findFirst()
                .orElseThrow();
    }

    public boolean available(String namespace, String deployment) {
        Deployment object = client.apps().deployments().inNamespace(namespace).withName(deployment).get();
        return object != null && object.getStatus() != null && object.getStatus().getConditions().stream()
                .anyMatch(c -> c.getType().equals("Available") && c.getStatus().equals("True"));
    }

    /** Calico's node DaemonSet as its manifest has it: host network, every NoSchedule tolerated, the CNI host dirs. */
    public void installCalico() {
        client.serviceAccounts().inNamespace("kube-system").resource(new ServiceAccountBuilder().withNewMetadata()
                .withName("calico-node").endMetadata().build()).create();
        client.configMaps().inNamespace("kube-system").resource(new ConfigMapBuilder().withNewMetadata()
                .withName("calico-config").endMetadata().withData(Map.of("calico_backend", "bird", "veth_mtu", "0"))
                .build()).create();
        client.apps().daemonSets().inNamespace("kube-system").resource(calico()).create();
    }

    public static DaemonSet calico() {
        return new DaemonSetBuilder().withNewMetadata().withName("calico-node").withNamespace("kube-system")
                .addToLabels("k8s-app", "calico-node").endMetadata()
                .withNewSpec().withNewSelector().addToMatchLabels("k8s-app", "calico-node").endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("k8s-app", "calico-node").endMetadata()
                .withNewSpec().withHostNetwork(true).withServiceAccountName("calico-node")
                .withPriorityClassName("system-node-critical")
                .addToNodeSelector("kubernetes.io/os", "linux")
                .withTolerations(new TolerationBuilder().withEffect("NoSchedule").withOperator("Exists").build(),
                        new TolerationBuilder().withKey("CriticalAddonsOnly").withOperator("Exists").build(),
                        new TolerationBuilder().withEffect("NoExecute").withOperator("Exists").build())
                .addNewContainer().withName("calico-node").withImage("docker.io/calico/node:v3.29.1")
                .addNewEnv().withName("CALICO_NETWORKING_BACKEND").withNewValueFrom().withNewConfigMapKeyRef()
                .withName("calico-config").withKey("calico_backend").endConfigMapKeyRef().endValueFrom().endEnv()
                .endContainer()
                .addNewVolume().withName("cni-bin-dir").withNewHostPath().withPath("/opt/cni/bin").endHostPath()
                .endVolume()
                .addNewVolume().withName("cni-net-dir").withNewHostPath().withPath("/etc/cni/net.d").endHostPath()
                .endVolume()
                .endSpec().endTemplate().endSpec().build();
    }

    /** A Deployment of one replica with nothing special: no tolerations, no host network. */
    public static DeploymentBuilder deployment(String namespace, String name) {
        return new DeploymentBuilder().withNewMetadata().withName(name).withNamespace(namespace)
                .addToLabels("app", name).endMetadata()
                .withNewSpec().withReplicas(1).withNewSelector().addToMatchLabels("app", name).endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", name).endMetadata()
                .withNewSpec().addNewContainer().withName(name).withImage("example/" + name + ":1").endContainer()
                .endSpec().endTemplate().endSpec();
    }

    public static ConditionFactory eventually() {
        return await().atMost(Duration.ofSeconds(20));
    }

    /** Holds for a while: what must not happen has had its chance to. */
    public static ConditionFactory throughout() {
        return await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10));
    }

    @Override
    public void close() {
        internals.close();
        scheduler.shutdownNow();
        server.close();
    }
}
