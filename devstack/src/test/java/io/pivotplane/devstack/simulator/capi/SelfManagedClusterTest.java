package io.pivotplane.devstack.simulator.capi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pivotplane.capi.Capi;
import io.pivotplane.capi.ObjectMaps;
import io.pivotplane.capi.RenderPhase;
import io.pivotplane.capi.components.ProviderComponents;
import io.pivotplane.capi.request.Provider;
import io.pivotplane.devstack.simulator.KubectlEdit;
import io.pivotplane.devstack.simulator.ManagementCredentials;
import io.pivotplane.devstack.simulator.SimulatorSettings;
import io.pivotplane.devstack.testing.ClusterAddons;
import io.pivotplane.devstack.testing.TestClusters;
import io.pivotplane.devstack.testing.TestCredentials;
import io.pivotplane.events.model.ClusterSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A cluster that manages itself, after its CAPI objects were moved into it and its providers installed there: its
 * controllers take over the VMs the management cluster's made (none is made again), scale it, and deleting it ends
 * with its own API server gone.
 */
class SelfManagedClusterTest {

    static final String NAMESPACE = "self";

    ManagementCluster management;

    @BeforeEach
    void start() {
        management = new ManagementCluster(SimulatorSettings.IMMEDIATE.withManagementProviders(Set.of(Provider.VSPHERE)));
    }

    @AfterEach
    void stop() {
        management.close();
    }

    @Test
    void afterAMoveTheClusterRunsItselfScalesItselfAndItsDeletionTakesItsOwnApiServerAway() {
        ClusterSpec spec = TestClusters.vsphere(NAMESPACE, "own", 1, 1, List.of());
        management.create(spec, RenderPhase.FULL);
        KubernetesClient workload = management.awaitWorkload(NAMESPACE, "own");
        ClusterAddons.install(management.client(), workload, spec);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(management.list(Kind.MACHINE, NAMESPACE))
                .hasSize(2).allSatisfy(m -> assertThat(ObjectMaps.string(m, "status", "phase")).hasValue("Running")));
        Set<String> providerIds = management.list(Kind.MACHINE, NAMESPACE).stream()
                .map(m -> ObjectMaps.string(m, "spec", "providerID").orElseThrow()).collect(Collectors.toSet());

        ClusterctlInit.install(workload, List.of(ProviderComponents.core(), ProviderComponents.kubeadmBootstrap(),
                ProviderComponents.kubeadmControlPlane(), ProviderComponents.infrastructure("vsphere")),
                ManagementCredentials.FAKE.variables());
        move(management.api, new Api(workload), "own");

        Api self = new Api(workload);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(self.list(Kind.MACHINE, NAMESPACE, Map.of())).hasSize(2).allSatisfy(m -> {
                assertThat(ObjectMaps.string(m, "status", "phase")).hasValue("Running");
                assertThat(ObjectMaps.at(m, "status", "nodeRef")).isPresent();
            });
            GenericKubernetesResource kcp = self.get(Kind.KUBEADM_CONTROL_PLANE, NAMESPACE, "own");
            assertThat(ObjectMaps.integer(kcp, 0, "status", "readyReplicas")).isEqualTo(1);
            assertThat(ObjectMaps.isTrue(self.get(Kind.CLUSTER, NAMESPACE, "own"), "status", "controlPlaneReady")).isTrue();
        });
        assertThat(self.list(Kind.MACHINE, NAMESPACE, Map.of())).extracting(m ->
                ObjectMaps.string(m, "spec", "providerID").orElseThrow()).containsExactlyInAnyOrderElementsOf(providerIds);
        assertThat(workload.nodes().list().getItems()).hasSize(2);

        KubectlEdit.edit(workload.genericKubernetesResources(Kind.KUBEADM_CONTROL_PLANE.context()).inNamespace(NAMESPACE)
                .withName("own"), kcp -> {
                    ObjectMaps.mapAt(kcp, "spec").put("replicas", 3);
                    return kcp;
                });
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(ObjectMaps.integer(self.get(Kind.KUBEADM_CONTROL_PLANE, NAMESPACE, "own"), 0,
                    "status", "readyReplicas")).isEqualTo(3);
            assertThat(workload.nodes().list().getItems()).hasSize(4);
        });

        String url = workload.getMasterUrl().toString();
        self.delete(Kind.CLUSTER, self.get(Kind.CLUSTER, NAMESPACE, "own"));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(management.simulator.workloadClient(url)).isEmpty());
        assertThat(management.simulator.workloadClusters()).isZero();
    }

    @Test
    void movedWithoutItsCredentialsTheClusterNeverScales() {
        ClusterSpec spec = TestClusters.vsphere(NAMESPACE, "stranded", 1, 1, List.of());
        management.create(spec, RenderPhase.FULL);
        KubernetesClient workload = management.awaitWorkload(NAMESPACE, "stranded");
        ClusterAddons.install(management.client(), workload, spec);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(management.list(Kind.MACHINE, NAMESPACE))
                .hasSize(2).allSatisfy(m -> assertThat(ObjectMaps.string(m, "status", "phase")).hasValue("Running")));
        ClusterctlInit.install(workload, List.of(ProviderComponents.core(), ProviderComponents.kubeadmBootstrap(),
                ProviderComponents.kubeadmControlPlane(), ProviderComponents.infrastructure("vsphere")),
                ManagementCredentials.FAKE.variables());

        // what a label-only discovery did: the vCenter Secret, owned by the VSphereCluster but unlabelled, stays behind
        String credentials = spec.infrastructure().credentialsRef();
        move(management.api, new Api(workload), "stranded", o -> credentials.equals(o.getMetadata().getName()));
        KubectlEdit.edit(workload.genericKubernetesResources(Kind.KUBEADM_CONTROL_PLANE.context()).inNamespace(NAMESPACE)
                .withName("stranded"), kcp -> {
                    ObjectMaps.mapAt(kcp, "spec").put("replicas", 3);
                    return kcp;
                });

        Api self = new Api(workload);
        throughout().untilAsserted(() -> {
            assertThat(self.list(Kind.MACHINE, NAMESPACE, Map.of())).hasSize(2);
            assertThat(ObjectMaps.isTrue(self.get(Kind.VSPHERE_CLUSTER, NAMESPACE, "stranded"), "status", "ready"))
                    .isFalse();
        });
        assertThat(workload.nodes().list().getItems()).hasSize(2);
    }

    /** Holds for a while, as a cluster that cannot scale stays as it is. */
    private static org.awaitility.core.ConditionFactory throughout() {
        return await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(10));
    }

    private static void move(Api from, Api to, String cluster) {
        move(from, to, cluster, o -> false);
    }

    /**
     * clusterctl move, as far as these tests need it: pause, create owners first with new uids, delete, unpause;
     * {@code leftBehind} objects are neither created in the target nor deleted from the source.
     */
    private static void move(Api from, Api to, String cluster,
                             java.util.function.Predicate<GenericKubernetesResource> leftBehind) {
        TestCredentials.namespace(to.client(), NAMESPACE);
        GenericKubernetesResource source = from.get(Kind.CLUSTER, NAMESPACE, cluster);
        from.change(Kind.CLUSTER, source, c -> {
            ObjectMaps.mapAt(c, "spec").put("paused", true);
            return c;
        });
        List<Kind> kinds = List.of(Kind.CLUSTER, Kind.VSPHERE_CLUSTER, Kind.KUBEADM_CONTROL_PLANE,
                Kind.VSPHERE_MACHINE_TEMPLATE, Kind.KUBEADM_CONFIG_TEMPLATE, Kind.MACHINE_DEPLOYMENT, Kind.MACHINE_SET,
                Kind.MACHINE, Kind.VSPHERE_MACHINE, Kind.VSPHERE_VM, Kind.KUBEADM_CONFIG, Kind.SECRET, Kind.CONFIG_MAP);
        Map<GenericKubernetesResource, Kind> objects = new LinkedHashMap<>();
        for (Kind kind : kinds) {
            from.list(kind, NAMESPACE, Map.of()).stream().filter(leftBehind.negate()).forEach(o -> objects.put(o, kind));
        }
        Map<String, String> uids = new HashMap<>();
        List<GenericKubernetesResource> pending = new ArrayList<>(objects.keySet());
        while (!pending.isEmpty()) {
            List<GenericKubernetesResource> ready = pending.stream().filter(o -> Api.owners(o).stream()
                    .allMatch(owner -> uids.containsKey(owner.getUid()) || objects.keySet().stream()
                            .noneMatch(x -> x.getMetadata().getUid().equals(owner.getUid())))).toList();
            assertThat(ready).as("objects whose owners are moved").isNotEmpty();
            for (GenericKubernetesResource object : ready) {
                String oldUid = object.getMetadata().getUid();
                GenericKubernetesResource copy = io.fabric8.kubernetes.client.utils.Serialization.clone(object);
                copy.getMetadata().setUid(null);
                copy.getMetadata().setResourceVersion(null);
                copy.getMetadata().setCreationTimestamp(null);
                copy.getAdditionalProperties().remove("status");
                List<OwnerReference> owners = new ArrayList<>();
                for (OwnerReference owner : Api.owners(copy)) {
                    if (uids.containsKey(owner.getUid())) {
                        owner.setUid(uids.get(owner.getUid()));
                        owners.add(owner);
                    }
                }
                copy.getMetadata().setOwnerReferences(owners);
                GenericKubernetesResource created = to.createOrGet(objects.get(object), copy);
                uids.put(oldUid, created.getMetadata().getUid());
            }
            pending.removeAll(ready);
        }
        // children first, as clusterctl deletes the source's objects
        List<Map.Entry<GenericKubernetesResource, Kind>> entries = new ArrayList<>(objects.entrySet());
        java.util.Collections.reverse(entries);
        for (Map.Entry<GenericKubernetesResource, Kind> entry : entries) {
            GenericKubernetesResource object = from.get(entry.getValue(), NAMESPACE, entry.getKey().getMetadata().getName());
            if (object == null) {
                continue;
            }
            object.getMetadata().setFinalizers(List.of());
            Map<String, String> annotations = new LinkedHashMap<>(Api.annotations(object));
            annotations.put(Capi.DELETE_FOR_MOVE_ANNOTATION, "");
            object.getMetadata().setAnnotations(annotations);
            try {
                from.update(entry.getValue(), object);
                from.delete(entry.getValue(), object);
            } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
                // the garbage collector took it meanwhile
                assertThat(e.getCode()).isIn(404, 409);
            }
        }
        GenericKubernetesResource target = to.get(Kind.CLUSTER, NAMESPACE, cluster);
        to.change(Kind.CLUSTER, target, c -> {
            ObjectMaps.mapAt(c, "spec").put("paused", false);
            return c;
        });
    }
}
