package io.pivotplane.devstack.simulator.capi;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pivotplane.capi.Capi;
import io.pivotplane.capi.RenderPhase;
import io.pivotplane.capi.Renderers;
import io.pivotplane.capi.k8s.Kubeconfigs;
import io.pivotplane.devstack.infra.KubernetesApiServer;
import io.pivotplane.devstack.simulator.InfrastructureSimulator;
import io.pivotplane.devstack.simulator.SimulatorSettings;
import io.pivotplane.devstack.testing.TestCredentials;
import io.pivotplane.events.model.ClusterSpec;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;

/** An empty management cluster with the simulator started on it: clusterctl init, then the providers' controllers. */
final class ManagementCluster implements AutoCloseable {

    final KubernetesApiServer server;
    final InfrastructureSimulator simulator;
    final Api api;

    ManagementCluster(SimulatorSettings settings) {
        server = KubernetesApiServer.startEmpty(0);
        simulator = InfrastructureSimulator.start(server.client(), settings);
        api = new Api(server.client());
    }

    KubernetesClient client() {
        return server.client();
    }

    /** The cluster's objects as spec-service renders them, without any credentials. */
    void render(ClusterSpec spec, RenderPhase phase) {
        render(spec, phase, UnaryOperator.identity());
    }

    /** The cluster's objects as spec-service renders them, each as {@code adjust} makes it, without any credentials. */
    void render(ClusterSpec spec, RenderPhase phase, UnaryOperator<GenericKubernetesResource> adjust) {
        TestCredentials.namespace(client(), spec.project());
        for (GenericKubernetesResource object : Renderers.forProvider(spec.infrastructure().provider())
                .render("cluster-id-" + spec.name(), spec, phase)) {
            client().resource(adjust.apply(object)).create();
        }
    }

    /** The cluster's objects and the credentials its operator created. */
    void create(ClusterSpec spec, RenderPhase phase) {
        create(spec, phase, UnaryOperator.identity());
    }

    /** The cluster's objects, each as {@code adjust} makes it, and the credentials its operator created. */
    void create(ClusterSpec spec, RenderPhase phase, UnaryOperator<GenericKubernetesResource> adjust) {
        TestCredentials.create(client(), spec);
        render(spec, phase, adjust);
    }

    GenericKubernetesResource get(Kind kind, String namespace, String name) {
        return api.get(kind, namespace, name);
    }

    List<GenericKubernetesResource> list(Kind kind, String namespace) {
        return api.list(kind, namespace, java.util.Map.of());
    }

    /** The workload cluster's API, while the kubeconfig next to the Cluster names one that answers. */
    Optional<KubernetesClient> workload(String namespace, String cluster) {
        Secret secret = client().secrets().inNamespace(namespace).withName(Capi.kubeconfigSecretName(cluster)).get();
        return Kubeconfigs.fromSecret(secret).flatMap(config -> simulator.workloadClient(config.getMasterUrl()));
    }

    /** The URL of the workload cluster's API server, as its kubeconfig names it. */
    String workloadUrl(String namespace, String cluster) {
        Secret secret = client().secrets().inNamespace(namespace).withName(Capi.kubeconfigSecretName(cluster)).get();
        return Kubeconfigs.fromSecret(secret).orElseThrow().getMasterUrl();
    }

    KubernetesClient awaitWorkload(String namespace, String cluster) {
        return await().atMost(Duration.ofSeconds(30)).until(() -> workload(namespace, cluster).orElse(null),
                Objects::nonNull);
    }

    @Override
    public void close() {
        simulator.close();
        server.close();
    }
}
