package io.pivotplane.devstack.simulator.capi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pivotplane.capi.CapiCrds;
import io.pivotplane.capi.ObjectMaps;
import io.pivotplane.capi.RenderPhase;
import io.pivotplane.capi.Renderers;
import io.pivotplane.capi.components.ProviderComponents;
import io.pivotplane.devstack.infra.DaemonThreads;
import io.pivotplane.devstack.infra.MultiClusterApiServer.ClusterApi;
import io.pivotplane.devstack.simulator.ManagementCredentials;
import io.pivotplane.devstack.simulator.SimulatorSettings;
import io.pivotplane.devstack.simulator.WorkloadApiServers;
import io.pivotplane.devstack.simulator.cluster.ClusterInternals;
import io.pivotplane.devstack.testing.ClusterAddons;
import io.pivotplane.devstack.testing.TestClusters;
import io.pivotplane.devstack.testing.TestCredentials;
import io.pivotplane.events.model.ClusterSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A workload cluster holding CAPI objects, as after a move: its controllers act only once the providers run there
 * (Deployments available, CRDs Established), each provider for its own kinds, and never on a paused cluster.
 */
class WorkloadClusterProvidersTest {

    static final String NAMESPACE = "team-moved";

    ScheduledExecutorService scheduler;
    WorkloadApiServers workloads;
    Map<String, ClusterInternals> internals = new ConcurrentHashMap<>();
    ControllerHost controllers;
    KubernetesClient workload;

    @BeforeEach
    void start() {
        scheduler = Executors.newScheduledThreadPool(4, DaemonThreads.named("test-simulator"));
        workloads = new WorkloadApiServers(api -> internals.put(api.url(), ClusterInternals.startInWorkload(api, scheduler)),
                api -> internals.remove(api.url()).close());
        Simulation simulation = new Simulation(SimulatorSettings.IMMEDIATE, scheduler, workloads,
                api -> Optional.ofNullable(internals.get(api.url())));
        ClusterApi api = workloads.start();
        controllers = ControllerHost.inWorkload(api, simulation);
        workload = api.client();
        // a worker whose network works, where the providers' Deployments can run
        internals.get(api.url()).registerNode("worker-0", false, Map.of(), Optional.empty());
        ClusterAddons.cni(workload);
        TestCredentials.namespace(workload, NAMESPACE);
        CapiCrds.all().forEach(crd -> workload.apiextensions().v1().customResourceDefinitions().resource(crd).create());
        await().atMost(Duration.ofSeconds(10)).until(() -> workload.apiextensions().v1().customResourceDefinitions()
                .list().getItems().stream().allMatch(crd -> crd.getStatus() != null
                        && crd.getStatus().getConditions().stream().anyMatch(c -> "Established".equals(c.getType()))));
    }

    @AfterEach
    void stop() {
        controllers.close();
        scheduler.shutdownNow();
        workloads.close();
    }

    @Test
    void capiObjectsWithoutProvidersStayAsTheyAreUntilTheProvidersRunThenEachProviderTakesItsKinds() {
        ClusterSpec spec = TestClusters.vsphere(NAMESPACE, "moved", 1, 0, List.of());
        createObjects(spec);

        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(finalizers(Kind.CLUSTER, "moved")).isEmpty();
            assertThat(finalizers(Kind.KUBEADM_CONTROL_PLANE, "moved")).isEmpty();
            assertThat(ObjectMaps.at(get(Kind.CLUSTER, "moved"), "status")).isEmpty();
        });

        install(ProviderComponents.core());
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(finalizers(Kind.CLUSTER, "moved")).containsExactly(ClusterController.FINALIZER);
            assertThat(ObjectMaps.string(get(Kind.CLUSTER, "moved"), "status", "phase")).hasValue("Provisioning");
        });
        // the control-plane provider does not run here: the KubeadmControlPlane is left alone
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).untilAsserted(() ->
                assertThat(finalizers(Kind.KUBEADM_CONTROL_PLANE, "moved")).isEmpty());

        install(ProviderComponents.kubeadmControlPlane());
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(finalizers(Kind.KUBEADM_CONTROL_PLANE,
                "moved")).containsExactly(KubeadmControlPlaneController.FINALIZER));
        assertThat(finalizers(Kind.VSPHERE_CLUSTER, "moved")).isEmpty();

        install(ProviderComponents.infrastructure("vsphere"));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(finalizers(Kind.VSPHERE_CLUSTER, "moved")).containsExactly(VSphereClusterController.FINALIZER);
            assertThat(ObjectMaps.isTrue(get(Kind.VSPHERE_CLUSTER, "moved"), "status", "ready")).isTrue();
        });
    }

    @Test
    void aPausedClusterIsLeftAloneByProvidersThatRun() {
        install(ProviderComponents.core());
        install(ProviderComponents.kubeadmControlPlane());
        ClusterSpec spec = TestClusters.vsphere(NAMESPACE, "paused", 1, 0, List.of());
        for (GenericKubernetesResource object : Renderers.forProvider("vsphere").render("id", spec, RenderPhase.MANAGEMENT)) {
            if (Kind.CLUSTER.kind().equals(object.getKind())) {
                ObjectMaps.mapAt(object, "spec").put("paused", true);
            }
            workload.resource(object).create();
        }

        // CAPI's controllers add their finalizers before they look at pausing; nothing else happens
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(ObjectMaps.at(get(Kind.CLUSTER, "paused"), "status", "phase")).isEmpty();
            assertThat(Api.owners(get(Kind.KUBEADM_CONTROL_PLANE, "paused"))).isEmpty();
            assertThat(ObjectMaps.at(get(Kind.KUBEADM_CONTROL_PLANE, "paused"), "status")).isEmpty();
            assertThat(new Api(workload).list(Kind.MACHINE, NAMESPACE, Map.of())).isEmpty();
        });
    }

    private void createObjects(ClusterSpec spec) {
        TestCredentials.create(workload, spec);
        for (GenericKubernetesResource object : Renderers.forProvider("vsphere").render("id", spec, RenderPhase.MANAGEMENT)) {
            workload.resource(object).create();
        }
    }

    /** clusterctl init of one more provider in the workload cluster (cert-manager the first time). */
    private void install(ProviderComponents provider) {
        ClusterctlInit.install(workload, List.of(provider), ManagementCredentials.FAKE.variables());
    }

    private GenericKubernetesResource get(Kind kind, String name) {
        return new Api(workload).get(kind, NAMESPACE, name);
    }

    private List<String> finalizers(Kind kind, String name) {
        return java.util.Objects.requireNonNullElse(get(kind, name).getMetadata().getFinalizers(), List.of());
    }
}
