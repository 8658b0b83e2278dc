package io.pivotplane.capi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.pivotplane.events.model.Addon;
import io.pivotplane.events.model.ClusterSpec;
import io.pivotplane.events.model.ControlPlane;
import io.pivotplane.events.model.Infrastructure;
import io.pivotplane.events.model.Profile;
import io.pivotplane.events.model.WorkerPool;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class VSphereRendererTest {

    static final String CLUSTER_ID = "6f1c2d2e-8a61-4a83-9b1e-1f7f0e0c0a01";

    static ClusterSpec spec() {
        Map<String, Object> machine = Map.of("numCPUs", 4, "memoryMiB", 8192, "diskGiB", 40);
        return new ClusterSpec("edge-42", "team-a",
                new Infrastructure("vsphere", "vsphere-creds", Map.of("server", "vcenter.example.com",
                        "datacenter", "dc-1", "datastore", "ds-1", "network", "vm-net", "template", "ubuntu",
                        "resourcePool", "*/Resources", "controlPlaneEndpoint", "10.0.0.10")),
                "v1.30.5", new ControlPlane(3, machine), List.of(new WorkerPool("default", 3, machine)),
                List.of("ssh-ed25519 AAAA ops@example.com"),
                new Profile("default", List.of(new Addon("calico", "cni", null, List.of()))));
    }

    @Test
    void managementPhaseIsTheFirstControlPlaneNodeOnly() {
        List<GenericKubernetesResource> objects = Renderers.forProvider("vsphere")
                .render(CLUSTER_ID, spec(), RenderPhase.MANAGEMENT);

        assertThat(objects).extracting(GenericKubernetesResource::getKind)
                .containsExactly("Cluster", "VSphereCluster", "VSphereMachineTemplate", "KubeadmControlPlane");
        assertThat(ObjectMaps.integer(find(objects, "KubeadmControlPlane"), 0, "spec", "replicas")).isEqualTo(1);
        assertThat(objects).allSatisfy(o -> {
            assertThat(o.getMetadata().getNamespace()).isEqualTo("team-a");
            assertThat(o.getMetadata().getLabels()).containsEntry(Capi.CLUSTER_NAME_LABEL, "edge-42")
                    .containsEntry(Capi.CLUSTER_ID_LABEL, CLUSTER_ID);
        });
    }

    @Test
    void fullPhaseHasTheDesiredSizeAndEveryReferenceResolvesWithinTheSet() {
        List<GenericKubernetesResource> objects = Renderers.forProvider("vsphere")
                .render(CLUSTER_ID, spec(), RenderPhase.FULL);

        assertThat(ObjectMaps.integer(find(objects, "KubeadmControlPlane"), 0, "spec", "replicas")).isEqualTo(3);
        GenericKubernetesResource workers = find(objects, "MachineDeployment");
        assertThat(ObjectMaps.integer(workers, 0, "spec", "replicas")).isEqualTo(3);
        Set<String> present = objects.stream().map(o -> o.getKind() + "/" + o.getMetadata().getName())
                .collect(Collectors.toSet());
        List<String> references = List.of(
                ref(find(objects, "Cluster"), "spec", "infrastructureRef"),
                ref(find(objects, "Cluster"), "spec", "controlPlaneRef"),
                ref(find(objects, "KubeadmControlPlane"), "spec", "machineTemplate", "infrastructureRef"),
                ref(workers, "spec", "template", "spec", "bootstrap", "configRef"),
                ref(workers, "spec", "template", "spec", "infrastructureRef"));
        assertThat(present).containsAll(references);
    }

    @Test
    void sshKeysReachNodesThroughCloudInitAndCredentialsOnlyAsReference() {
        List<GenericKubernetesResource> objects = Renderers.forProvider("vsphere")
                .render(CLUSTER_ID, spec(), RenderPhase.FULL);

        assertThat(ObjectMaps.at(find(objects, "KubeadmControlPlane"), "spec", "kubeadmConfigSpec", "users"))
                .hasValueSatisfying(users -> assertThat(users.toString()).contains("ssh-ed25519 AAAA ops@example.com"));
        assertThat(ObjectMaps.at(find(objects, "VSphereCluster"), "spec", "identityRef"))
                .hasValue(Map.of("kind", "Secret", "name", "vsphere-creds"));
    }

    @Test
    void anInfrastructureWithoutRendererIsRefusedByName() {
        assertThatThrownBy(() -> Renderers.forProvider("openstack"))
                .isInstanceOf(UnsupportedInfrastructureException.class)
                .hasMessageContaining("'openstack'");
    }

    @Test
    void everyUpstreamCrdIsOnTheClasspathWithItsStorageVersion() {
        assertThat(CapiCrds.storedKinds()).hasSize(21)
                .extracting(CapiCrds.StoredKind::kind)
                .contains("Cluster", "KubeadmControlPlane", "VSphereCluster", "VSphereMachineTemplate", "Machine");
        assertThat(CapiCrds.storedKinds()).filteredOn(k -> k.kind().equals("VSphereCluster"))
                .extracting(CapiCrds.StoredKind::apiVersion).containsExactly(VSphereRenderer.API_VERSION);
    }

    private static GenericKubernetesResource find(List<GenericKubernetesResource> objects, String kind) {
        return objects.stream().filter(o -> o.getKind().equals(kind)).findFirst().orElseThrow();
    }

    private static String ref(GenericKubernetesResource object, String... path) {
        Map<?, ?> reference = (Map<?, ?>) ObjectMaps.at(object, path).orElseThrow();
        return reference.get("kind") + "/" + reference.get("name");
    }
}
