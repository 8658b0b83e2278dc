package io.pivotplane.capi.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.pivotplane.capi.Examples;
import io.pivotplane.capi.Manifests;
import io.pivotplane.capi.ObjectMaps;
import io.pivotplane.capi.components.NamespacedName;
import io.pivotplane.events.model.ClusterSpec;
import io.pivotplane.events.model.Infrastructure;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CloudControllerManagersTest {

    private static final Set<String> CLUSTER_WIDE = Set.of("ClusterRole", "ClusterRoleBinding");

    private static CloudControllerManager ccm(ClusterSpec spec) {
        return CloudControllerManagers.forCluster(spec).orElseThrow();
    }

    private static ClusterSpec withInfrastructure(ClusterSpec spec, String name, Map<String, String> parameters) {
        Map<String, String> merged = new HashMap<>(spec.infrastructure().parameters());
        merged.putAll(parameters);
        return new ClusterSpec(name, spec.project(), new Infrastructure(spec.infrastructure().provider(),
                spec.infrastructure().credentialsRef(), merged), spec.kubernetesVersion(), spec.controlPlane(),
                spec.workerPools(), spec.sshAuthorizedKeys(), spec.profile());
    }

    private static ClusterSpec withKubernetes(ClusterSpec spec, String version) {
        return new ClusterSpec(spec.name(), spec.project(), spec.infrastructure(), version, spec.controlPlane(),
                spec.workerPools(), spec.sshAuthorizedKeys(), spec.profile());
    }

    @ParameterizedTest
    @ValueSource(strings = {"aws", "azure", "vsphere"})
    void theClustersWithAnExternalCloudProviderGetACloudControllerManagerInKubeSystem(String provider) {
        CloudControllerManager ccm = ccm(Examples.spec(provider));

        assertThat(ccm.provider()).isEqualTo(provider);
        assertThat(ccm.objects()).isNotEmpty().allSatisfy(o -> assertThat(o.getMetadata().getNamespace())
                .as("%s %s", o.getKind(), o.getMetadata().getName())
                .isEqualTo(CLUSTER_WIDE.contains(o.getKind()) ? null : "kube-system"));
        assertThat(ccm.objects()).extracting(GenericKubernetesResource::getKind)
                .contains("ServiceAccount", "ClusterRole", "ClusterRoleBinding").doesNotContain("Secret");
        assertThat(ccm.workloads()).isNotEmpty();
        assertThat(Manifests.yamlStream(ccm.objects())).doesNotContain("${");
    }

    @ParameterizedTest
    @ValueSource(strings = {"gcp", "maas"})
    void gcpWithItsInTreeProviderAndMaasWithNoneGetNone(String provider) {
        assertThat(CloudControllerManagers.forCluster(Examples.spec(provider))).isEmpty();
        assertThat(CloudControllerManagers.forCluster(withKubernetes(Examples.spec(provider), "v1.27.3"))).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"aws", "azure", "vsphere"})
    void serviceAccountsRbacAndConfigurationComeBeforeTheWorkloads(String provider) {
        List<String> kinds = ccm(Examples.spec(provider)).objects().stream().map(GenericKubernetesResource::getKind)
                .toList();

        assertThat(kinds.get(0)).isEqualTo("ServiceAccount");
        int firstWorkload = kinds.indexOf(kinds.stream().filter(k -> k.equals("DaemonSet") || k.equals("Deployment"))
                .findFirst().orElseThrow());
        assertThat(kinds.subList(firstWorkload, kinds.size())).allMatch(k -> k.equals("DaemonSet") || k.equals("Deployment"));
    }

    @Test
    void awsRunsCapasManifestsWithTheCloudProviderReleaseOfTheClustersMinor() {
        CloudControllerManager ccm = ccm(Examples.spec("aws"));

        assertThat(ccm.version()).isEqualTo("v1.30.10");
        assertThat(ccm.workloads()).extracting(Object::toString)
                .containsExactly("DaemonSet kube-system/aws-cloud-controller-manager");
        assertThat(images(ccm.objects())).containsExactly("registry.k8s.io/provider-aws/cloud-controller-manager:v1.30.10");
        assertThat(String.valueOf(daemonSet(ccm, "aws-cloud-controller-manager").getAdditionalProperties()))
                .contains("--cloud-provider=aws", "--use-service-account-credentials=true");
        assertThat(ccm.credentialsSecret()).as("the instance profile holds the credentials").isEmpty();
    }

    @Test
    void vsphereCarriesTheRequestsServerDatacenterAndThumbprint() throws IOException {
        ClusterSpec spec = withInfrastructure(Examples.spec("vsphere"), "edge-7",
                Map.of("server", "vc.lab.example.org", "datacenter", "dc-west"));
        CloudControllerManager ccm = ccm(spec);

        assertThat(ccm.version()).isEqualTo("v1.30.2");
        assertThat(images(ccm.objects())).containsExactly("registry.k8s.io/cloud-pv-vsphere/cloud-provider-vsphere:v1.30.2");
        Map<?, ?> conf = vsphereConf(ccm);
        Map<?, ?> global = (Map<?, ?>) conf.get("global");
        assertThat(global.get("thumbprint")).isEqualTo(spec.infrastructure().parameters().get("thumbprint"));
        Map<?, ?> vcenter = (Map<?, ?>) ((Map<?, ?>) conf.get("vcenter")).get("vc.lab.example.org");
        assertThat(vcenter.get("server")).isEqualTo("vc.lab.example.org");
        assertThat(vcenter.get("datacenters")).isEqualTo(List.of("dc-west"));
        assertThat(ccm.workloads()).extracting(Object::toString).containsExactly("DaemonSet kube-system/vsphere-cpi");
    }

    @Test
    void vsphereWithoutAThumbprintLeavesItEmpty() throws IOException {
        Map<String, String> parameters = new HashMap<>(Examples.spec("vsphere").infrastructure().parameters());
        parameters.remove("thumbprint");
        ClusterSpec spec = Examples.spec("vsphere");
        spec = new ClusterSpec(spec.name(), spec.project(), new Infrastructure("vsphere",
                spec.infrastructure().credentialsRef(), parameters), spec.kubernetesVersion(), spec.controlPlane(),
                spec.workerPools(), spec.sshAuthorizedKeys(), spec.profile());

        assertThat(((Map<?, ?>) vsphereConf(ccm(spec)).get("global")).get("thumbprint")).isEqualTo("");
    }

    @Test
    void vsphereNamesTheCredentialsSecretItReadsAndWhereItsValuesComeFromWithoutAnyValue() throws IOException {
        ClusterSpec spec = Examples.spec("vsphere");
        CloudControllerManager ccm = ccm(spec);

        CredentialsSecret secret = ccm.credentialsSecret().orElseThrow();
        assertThat(secret.name()).isEqualTo(new NamespacedName("kube-system", "cloud-provider-vsphere-credentials"));
        assertThat(secret.type()).isEqualTo("Opaque");
        assertThat(secret.source()).isEqualTo(new NamespacedName("team-a", "team-a-vcenter"));
        assertThat(secret.keys()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "vcenter.example.com.username", "username", "vcenter.example.com.password", "password"));
        assertThat(secret.labels()).containsEntry("component", "cloud-controller-manager");
        // the CPI looks for exactly that Secret
        Map<?, ?> global = (Map<?, ?>) vsphereConf(ccm).get("global");
        assertThat(global.get("secretName")).isEqualTo(secret.name().name());
        assertThat(global.get("secretNamespace")).isEqualTo(secret.name().namespace());
    }

    @Test
    void azureCarriesTheClustersNameAndPodCidrAndTheCloudProviderReleaseOfItsMinor() {
        ClusterSpec spec = withInfrastructure(Examples.spec("azure"), "edge-west", Map.of());
        CloudControllerManager ccm = ccm(spec);

        assertThat(ccm.version()).isEqualTo("v1.30.18");
        String deployment = String.valueOf(ccm.objects().stream()
                .filter(o -> "Deployment".equals(o.getKind())).findFirst().orElseThrow().getAdditionalProperties());
        // the pod CIDR of the Cluster AzureRenderer renders
        assertThat(deployment).contains("--cluster-name=edge-west", "--cluster-cidr=192.168.0.0/16",
                "--cloud-config=/etc/kubernetes/azure.json");
        assertThat(images(ccm.objects())).containsExactlyInAnyOrder(
                "mcr.microsoft.com/oss/kubernetes/azure-cloud-controller-manager:v1.30.18",
                "mcr.microsoft.com/oss/kubernetes/azure-cloud-node-manager:v1.30.18",
                "mcr.microsoft.com/oss/kubernetes/azure-cloud-node-manager:v1.30.18");
        assertThat(ccm.workloads()).extracting(Object::toString).containsExactly(
                "DaemonSet kube-system/cloud-node-manager", "DaemonSet kube-system/cloud-node-manager-windows",
                "Deployment kube-system/cloud-controller-manager");
        assertThat(ccm.credentialsSecret()).as("CAPZ writes azure.json on every node").isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"aws", "azure", "vsphere"})
    void anImageRepositoryMovesEveryImage(String provider) {
        CloudControllerManager ccm = ccm(Examples.spec(provider));

        List<String> before = images(ccm.objects());
        List<String> after = images(ccm.objects(Optional.of("mirror.example.com/ccm")));
        assertThat(after).hasSameSizeAs(before).allMatch(i -> i.startsWith("mirror.example.com/ccm/"));
        for (int i = 0; i < before.size(); i++) {
            assertThat(after.get(i).substring("mirror.example.com/ccm/".length()))
                    .isEqualTo(before.get(i).substring(before.get(i).lastIndexOf('/') + 1));
        }
        assertThat(images(ccm.objects())).isEqualTo(before);
    }

    @Test
    void aKubernetesMinorWithoutAKnownReleaseIsRefusedByName() {
        assertThat(CloudControllerManagers.kubernetesMinors()).containsExactly("v1.30");
        assertThatThrownBy(() -> CloudControllerManagers.forCluster(withKubernetes(Examples.spec("vsphere"), "v1.31.2")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("v1.31.2").hasMessageContaining("v1.30");
    }

    private static GenericKubernetesResource daemonSet(CloudControllerManager ccm, String name) {
        return ccm.objects().stream().filter(o -> "DaemonSet".equals(o.getKind()) && name.equals(o.getMetadata().getName()))
                .findFirst().orElseThrow();
    }

    private static Map<?, ?> vsphereConf(CloudControllerManager ccm) throws IOException {
        GenericKubernetesResource config = ccm.objects().stream().filter(o -> "ConfigMap".equals(o.getKind())
                && "cloud-config".equals(o.getMetadata().getName())).findFirst().orElseThrow();
        String conf = ObjectMaps.string(config, "data", "vsphere.conf").orElseThrow();
        return new ObjectMapper(new YAMLFactory()).readValue(conf, Map.class);
    }

    @SuppressWarnings("unchecked")
    private static List<String> images(List<GenericKubernetesResource> objects) {
        List<String> images = new ArrayList<>();
        for (GenericKubernetesResource object : objects) {
            if (!Set.of("DaemonSet", "Deployment").contains(object.getKind())) {
                continue;
            }
            Map<String, Object> spec = (Map<String, Object>) ObjectMaps.at(object, "spec", "template", "spec").orElseThrow();
            for (String field : List.of("containers", "initContainers")) {
                for (Object container : (List<Object>) spec.getOrDefault(field, List.of())) {
                    images.add((String) ((Map<String, Object>) container).get("image"));
                }
            }
        }
        return images;
    }
}
