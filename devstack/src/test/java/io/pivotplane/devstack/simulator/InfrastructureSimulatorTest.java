package io.pivotplane.devstack.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.pivotplane.capi.Capi;
import io.pivotplane.capi.ObjectMaps;
import io.pivotplane.capi.RenderPhase;
import io.pivotplane.capi.Renderers;
import io.pivotplane.capi.k8s.Kubeconfigs;
import io.pivotplane.capi.request.Provider;
import io.pivotplane.devstack.infra.KubernetesApiServer;
import io.pivotplane.devstack.testing.ClusterAddons;
import io.pivotplane.devstack.testing.TestClusters;
import io.pivotplane.devstack.testing.TestCredentials;
import io.pivotplane.events.model.ClusterSpec;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The simulator as the services' tests use it: clusterctl init in an empty management cluster, a cluster's objects
 * and its credentials there, a CNI and the cloud's CCM installed in the workload cluster once its kubeconfig exists.
 */
class InfrastructureSimulatorTest {

    static final String NAMESPACE = "team-sim";
    static final SimulatorSettings VSPHERE_ONLY = SimulatorSettings.IMMEDIATE.withManagementProviders(Set.of(Provider.VSPHERE));

    KubernetesApiServer management;
    InfrastructureSimulator simulator;

    @BeforeEach
    void start() {
        management = KubernetesApiServer.startEmpty(0);
        simulator = InfrastructureSimulator.start(management.client(), VSPHERE_ONLY);
    }

    @AfterEach
    void stop() {
        simulator.close();
        management.close();
    }

    @Test
    void theFirstControlPlaneNodeComesUpWithItsApiServerAndKubeconfigAndIsReadyOnceTheClusterHasItsCniAndCcm() {
        ClusterSpec spec = TestClusters.vsphere(NAMESPACE, "first", 3, 2, List.of());
        create(management.client(), spec, RenderPhase.MANAGEMENT);

        KubernetesClient workload = awaitWorkload(management.client(), "first");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            GenericKubernetesResource cluster = get(management.client(), Capi.CORE_API_VERSION, Capi.CLUSTER, "first");
            assertThat(ObjectMaps.isTrue(cluster, "status", "infrastructureReady")).isTrue();
            assertThat(ObjectMaps.conditionTrue(cluster, Capi.CONDITION_CONTROL_PLANE_INITIALIZED)).isTrue();
            assertThat(ObjectMaps.isTrue(cluster, "status", "controlPlaneReady")).isFalse();
        });
        ClusterAddons.install(management.client(), workload, spec);

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            GenericKubernetesResource cluster = get(management.client(), Capi.CORE_API_VERSION, Capi.CLUSTER, "first");
            assertThat(ObjectMaps.isTrue(cluster, "status", "controlPlaneReady")).isTrue();
            GenericKubernetesResource kcp = get(management.client(), Capi.CONTROL_PLANE_API_VERSION,
                    Capi.KUBEADM_CONTROL_PLANE, "first");
            assertThat(ObjectMaps.isTrue(kcp, "status", "initialized")).isTrue();
            assertThat(ObjectMaps.integer(kcp, 0, "status", "readyReplicas")).isEqualTo(1);
            assertThat(ObjectMaps.integer(kcp, 0, "status", "replicas")).isEqualTo(1);
            assertThat(machines(management.client())).singleElement().satisfies(machine ->
                    assertThat(ObjectMaps.string(machine, "status", "phase")).hasValue(Capi.PHASE_RUNNING));
        });
        assertThat(workload.nodes().list().getItems()).hasSize(1);
        assertThat(machines(management.client())).singleElement().satisfies(machine -> {
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
        ClusterAddons.install(management.client(), awaitWorkload(management.client(), "grow"), spec);

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
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
        ClusterAddons.install(management.client(), awaitWorkload(management.client(), "still"), spec);
        await().atMost(Duration.ofSeconds(30)).until(() -> ObjectMaps.at(machines(management.client()).get(0),
                "status", "nodeRef").isPresent());

        KubectlEdit.edit(management.client().genericKubernetesResources(Capi.CORE_API_VERSION, Capi.CLUSTER)
                .inNamespace(NAMESPACE).withName("still"), cluster -> {
                    ObjectMaps.mapAt(cluster, "spec").put("paused", true);
                    return cluster;
                });
        KubectlEdit.edit(management.client().genericKubernetesResources(Capi.CONTROL_PLANE_API_VERSION,
                Capi.KUBEADM_CONTROL_PLANE).inNamespace(NAMESPACE).withName("still"), kcp -> {
                    ObjectMaps.mapAt(kcp, "spec").put("replicas", 3);
                    return kcp;
                });

        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
                .until(() -> machines(management.client()).size() == 1);
    }

    /** The cluster's objects, as spec-service renders them, and the credentials its operator created. */
    static void create(KubernetesClient client, ClusterSpec spec, RenderPhase phase) {
        TestCredentials.create(client, spec);
        for (GenericKubernetesResource object : Renderers.forProvider(spec.infrastructure().provider())
                .render("cluster-id-" + spec.name(), spec, phase)) {
            client.resource(object).create();
        }
    }

    /** The workload cluster, once the control plane's kubeconfig names its API server. */
    private KubernetesClient awaitWorkload(KubernetesClient client, String cluster) {
        return await().atMost(Duration.ofSeconds(30)).until(() -> {
            Secret secret = client.secrets().inNamespace(NAMESPACE).withName(Capi.kubeconfigSecretName(cluster)).get();
            return Kubeconfigs.fromSecret(secret).flatMap(config -> simulator.workloadClient(config.getMasterUrl()))
                    .orElse(null);
        }, java.util.Objects::nonNull);
    }

    private KubernetesClient workloadOf(KubernetesClient client, String cluster) {
        Secret secret = client.secrets().inNamespace(NAMESPACE).withName(Capi.kubeconfigSecretName(cluster)).get();
        return simulator.workloadClient(Kubeconfigs.fromSecret(secret).orElseThrow().getMasterUrl()).orElseThrow();
    }

    private static List<GenericKubernetesResource> machines(KubernetesClient client) {
        return client.genericKubernetesResources(MACHINES).inNamespace(NAMESPACE).list().getItems();
    }

    private static final ResourceDefinitionContext MACHINES = new ResourceDefinitionContext.Builder()
            .withGroup("cluster.x-k8s.io").withVersion("v1beta1").withKind(Capi.MACHINE).withPlural("machines")
            .withNamespaced(true).build();

    private static GenericKubernetesResource get(KubernetesClient client, String apiVersion, String kind, String name) {
        return client.genericKubernetesResources(apiVersion, kind).inNamespace(NAMESPACE).withName(name).get();
    }
}
