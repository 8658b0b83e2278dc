package io.pivotplane.devstack.simulator.capi;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.pivotplane.capi.request.Provider;
import io.pivotplane.devstack.simulator.SimulatorSettings;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ManagementInitTest {

    private static final ResourceDefinitionContext INVENTORY = new ResourceDefinitionContext.Builder()
            .withGroup("clusterctl.cluster.x-k8s.io").withVersion("v1alpha3").withKind("Provider")
            .withPlural("providers").withNamespaced(true).build();

    @Test
    void installsCertManagerTheCoreAndKubeadmProvidersAndEveryInfrastructureProviderByDefault() {
        try (ManagementCluster management = new ManagementCluster(SimulatorSettings.IMMEDIATE)) {
            assertThat(deployments(management)).contains("cert-manager/cert-manager",
                    "capi-system/capi-controller-manager",
                    "capi-kubeadm-bootstrap-system/capi-kubeadm-bootstrap-controller-manager",
                    "capi-kubeadm-control-plane-system/capi-kubeadm-control-plane-controller-manager",
                    "capa-system/capa-controller-manager", "capg-system/capg-controller-manager",
                    "capz-system/capz-controller-manager", "capv-system/capv-controller-manager",
                    "capmaas-system/capmaas-controller-manager");
            assertThat(management.client().genericKubernetesResources(INVENTORY).inAnyNamespace().list().getItems())
                    .extracting(p -> p.getMetadata().getName())
                    .containsExactlyInAnyOrder("cluster-api", "bootstrap-kubeadm", "control-plane-kubeadm",
                            "infrastructure-aws", "infrastructure-gcp", "infrastructure-azure",
                            "infrastructure-vsphere", "infrastructure-maas");
            // clusterctl's variables became the controllers' credentials
            assertThat(Api.data(management.api.secret("capv-system", "capv-manager-bootstrap-credentials"),
                    "credentials.yaml")).contains("simulated-user@vsphere.local");
            assertThat(Api.data(management.api.secret("capmaas-system", "capmaas-manager-bootstrap-credentials"),
                    "MAAS_ENDPOINT")).startsWith("http://");
        }
    }

    @Test
    void installsOnlyTheInfrastructureProvidersTheSettingsName() {
        SimulatorSettings vsphereOnly = SimulatorSettings.IMMEDIATE.withManagementProviders(Set.of(Provider.VSPHERE));
        try (ManagementCluster management = new ManagementCluster(vsphereOnly)) {
            List<String> deployments = deployments(management);
            assertThat(deployments).contains("capi-system/capi-controller-manager",
                    "capi-kubeadm-bootstrap-system/capi-kubeadm-bootstrap-controller-manager",
                    "capi-kubeadm-control-plane-system/capi-kubeadm-control-plane-controller-manager",
                    "capv-system/capv-controller-manager");
            assertThat(deployments).noneMatch(d -> d.startsWith("capa-") || d.startsWith("capg-")
                    || d.startsWith("capz-") || d.startsWith("capmaas-"));
            assertThat(management.client().apiextensions().v1().customResourceDefinitions()
                    .withName(Kind.AWS_CLUSTER.crdName()).get()).isNull();
        }
    }

    private static List<String> deployments(ManagementCluster management) {
        return management.client().apps().deployments().inAnyNamespace().list().getItems().stream()
                .map(Deployment::getMetadata).map(m -> m.getNamespace() + "/" + m.getName()).toList();
    }
}
