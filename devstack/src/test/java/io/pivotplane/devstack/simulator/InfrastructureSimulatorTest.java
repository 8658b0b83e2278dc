package io.pivotplane.devstack.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pivotplane.capi.Capi;
import io.pivotplane.capi.ObjectMaps;
import io.pivotplane.capi.RenderPhase;
import io.pivotplane.capi.k8s.Kubeconfigs;
import io.pivotplane.capi.Renderers;
import io.pivotplane.devstack.infra.KubernetesApiServer;
import io.pivotplane.devstack.testing.TestClusters;
import io.pivotplane.events.model.ClusterSpec;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class InfrastructureSimulatorTest {

    static final String NAMESPACE = "team-sim";

    KubernetesApiServer management;
    InfrastructureSimulator simulator;

    @BeforeEach
    void start() {
        management = KubernetesApiServer.start(0);
        simulator = InfrastructureSimulator.start(management.client(), SimulatorSettings.IMMEDIATE);
    }

    @AfterEach
    void stop() {
        simulator.close();
        management.close();
    }

    @Test
    void theFirstControlPlaneNodeComesUpWithItsApiServerAndKubeconfigAndStatusTrueToCapi() {
        ClusterSpec spec = TestClusters.vsphere(NAMESPACE, "first", 3, 2, List.of());
        create(management.client(), spec, RenderPhase.MANAGEMENT);

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            GenericKubernetesResource cluster = get(management.client(), Capi.CORE_API_VERSION, Capi.CLUSTER, "first");
            assertThat(ObjectMaps.isTrue(cluster, "status", "infrastructureReady")).isTrue();
            assertThat(ObjectMaps.isTrue(cluster, "status", "controlPlaneReady")).isTrue();
            assertThat(ObjectMaps.conditionTrue(cluster, Capi.CONDITION_CONTROL_PLANE_INITIALIZED)).isTrue();
            GenericKubernetesResource kcp = get(management.client(), Capi.CONTROL_PLANE_API_VERSION,
                    Capi.KUBEADM_CONTROL_PLANE, "first");
            assertThat(ObjectMaps.isTrue(kcp, "status", "initialized")).isTrue();
            assertThat(ObjectMaps.integer(kcp, 0, "status", "readyReplicas")).isEqualTo(1);
            assertThat(ObjectMaps.integer(kcp, 0, "status", "replicas")).isEqualTo(1);
        });
        KubernetesClient workload = workloadOf(management.client(), "first");
        assertThat(workload.nodes().list().getItems()).hasSize(1);
        assertThat(machines(management.client())).singleElement().satisfies(machine -> {
            assertThat(ObjectMaps.string(machine, "status", "phase")).hasValue(Capi.PHASE_RUNNING);
            assertThat(ObjectMaps.string(machine, "status", "nodeRef", "name"))
                    .hasValue(workload.nodes().list().getItems().get(0).getMetadata().getName());
            assertThat(machine.getMetadata().getOwnerReferences()).singleElement()
                    .satisfies(owner -> assertThat(owner.getKind()).isEqualTo(Capi.KUBEADM_CONTROL_PLANE));
        });
        assertThat(Capi.controlPlaneSecretNames("first")).allSatisfy(name -> assertThat(
                management.client().secrets().inNamespace(NAMESPACE).withName(name).get()).isNotNull());
    }

    @Test
    void scalesTheControlPlaneAndTheWorkersToWhatTheSpecSays() {
        ClusterSpec spec = TestClusters.vsphere(NAMESPACE, "grow", 3, 2, List.of());
        create(management.client(), spec, RenderPhase.FULL);

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(ObjectMaps.integer(get(management.client(), Capi.CONTROL_PLANE_API_VERSION,
                    Capi.KUBEADM_CONTROL_PLANE, "grow"), 0, "status", "readyReplicas")).isEqualTo(3);
            GenericKubernetesResource workers = get(management.client(), Capi.CORE_API_VERSION,
                    Capi.MACHINE_DEPLOYMENT, "grow-md-0");
            assertThat(ObjectMaps.integer(workers, 0, "status", "readyReplicas")).isEqualTo(2);
            assertThat(ObjectMaps.string(workers, "status", "phase")).hasValue("Running");
        });
        assertThat(machines(management.client())).hasSize(5);
        assertThat(workloadOf(management.client(), "grow").nodes().list().getItems()).hasSize(5);
    }

    @Test
    void aPausedClusterIsLeftAlone() {
        ClusterSpec spec = TestClusters.vsphere(NAMESPACE, "still", 1, 0, List.of());
        create(management.client(), spec, RenderPhase.MANAGEMENT);
        await().atMost(Duration.ofSeconds(30)).until(() -> machines(management.client()).size() == 1);

        management.client().genericKubernetesResources(Capi.CORE_API_VERSION, Capi.CLUSTER).inNamespace(NAMESPACE)
                .withName("still").edit(cluster -> {
                    ObjectMaps.mapAt(cluster, "spec").put("paused", true);
                    return cluster;
                });
        management.client().genericKubernetesResources(Capi.CONTROL_PLANE_API_VERSION, Capi.KUBEADM_CONTROL_PLANE)
                .inNamespace(NAMESPACE).withName("still").edit(kcp -> {
                    ObjectMaps.mapAt(kcp, "spec").put("replicas", 3);
                    return kcp;
                });

        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
                .until(() -> machines(management.client()).size() == 1);
    }

    static void create(KubernetesClient client, ClusterSpec spec, RenderPhase phase) {
        for (GenericKubernetesResource object : Renderers.forProvider(spec.infrastructure().provider())
                .render("cluster-id-" + spec.name(), spec, phase)) {
            client.resource(object).create();
        }
    }

    private KubernetesClient workloadOf(KubernetesClient client, String cluster) {
        Secret secret = client.secrets().inNamespace(NAMESPACE).withName(Capi.kubeconfigSecretName(cluster)).get();
        return simulator.workloadClient(Kubeconfigs.fromSecret(secret).orElseThrow().getMasterUrl()).orElseThrow();
    }

    private static List<GenericKubernetesResource> machines(KubernetesClient client) {
        return client.genericKubernetesResources(Capi.CORE_API_VERSION, Capi.MACHINE).inNamespace(NAMESPACE).list()
                .getItems();
    }

    private static GenericKubernetesResource get(KubernetesClient client, String apiVersion, String kind, String name) {
        return client.genericKubernetesResources(apiVersion, kind).inNamespace(NAMESPACE).withName(name).get();
    }
}
