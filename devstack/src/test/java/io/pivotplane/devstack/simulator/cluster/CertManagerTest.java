package io.pivotplane.devstack.simulator.cluster;

import static io.pivotplane.devstack.simulator.cluster.SimulatedCluster.deployment;
import static io.pivotplane.devstack.simulator.cluster.SimulatedCluster.eventually;
import static io.pivotplane.devstack.simulator.cluster.SimulatedCluster.throughout;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CertManagerTest {

    final SimulatedCluster cluster = new SimulatedCluster();

    @BeforeEach
    void start() {
        cluster.internals.registerNode("worker-0", false, Map.of(), Optional.empty());
        cluster.installCalico();
        for (String kind : List.of("Certificate", "Issuer", "ClusterIssuer")) {
            cluster.client.apiextensions().v1().customResourceDefinitions().resource(crd("cert-manager.io", kind,
                    !kind.equals("ClusterIssuer"))).create();
        }
        namespace("cert-manager");
        namespace("capi-system");
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    @Test
    void certificatesAreIssuedOnlyWhileCertManagerRuns() {
        create(issuer("capi-system", "capi-selfsigned-issuer"));
        create(certificate("capi-system", "capi-serving-cert", "capi-webhook-service-cert"));
        throughout().until(() -> secret("capi-system", "capi-webhook-service-cert") == null);

        installCertManager();

        eventually().untilAsserted(() -> {
            Secret secret = secret("capi-system", "capi-webhook-service-cert");
            assertThat(secret).isNotNull();
            assertThat(secret.getType()).isEqualTo("kubernetes.io/tls");
            assertThat(secret.getData()).containsKeys("tls.crt", "tls.key", "ca.crt");
            assertThat(secret.getMetadata().getAnnotations())
                    .containsEntry("cert-manager.io/certificate-name", "capi-serving-cert")
                    .containsEntry("cert-manager.io/issuer-name", "capi-selfsigned-issuer")
                    .containsEntry("cert-manager.io/alt-names", "capi-webhook-service.capi-system.svc");
            assertThat(readyCondition(get("Certificate", "capi-system", "capi-serving-cert")))
                    .containsEntry("status", "True").containsEntry("reason", "Ready");
            assertThat(readyCondition(get("Issuer", "capi-system", "capi-selfsigned-issuer")))
                    .containsEntry("status", "True").containsEntry("reason", "IsReady");
        });

        cluster.client.apps().deployments().inNamespace("cert-manager").withName("cert-manager").scale(0);
        create(certificate("capi-system", "late-cert", "late-cert-secret"));
        throughout().until(() -> secret("capi-system", "late-cert-secret") == null);
        cluster.client.apps().deployments().inNamespace("cert-manager").withName("cert-manager").scale(1);
        eventually().until(() -> secret("capi-system", "late-cert-secret") != null);
    }

    @Test
    void aProviderManagerBecomesAvailableOnlyOnceCertManagerIssuedItsWebhookCertificateAndItsCaIsInjected() {
        cluster.client.serviceAccounts().inNamespace("capi-system").resource(new ServiceAccountBuilder()
                .withNewMetadata().withName("capi-manager").endMetadata().build()).create();
        cluster.client.apps().deployments().inNamespace("capi-system").resource(deployment("capi-system",
                "capi-controller-manager").editSpec().editTemplate().editSpec().withServiceAccountName("capi-manager")
                .addNewVolume().withName("cert").withNewSecret().withSecretName("capi-webhook-service-cert")
                .endSecret().endVolume().endSpec().endTemplate().endSpec().build()).create();
        create(issuer("capi-system", "capi-selfsigned-issuer"));
        create(certificate("capi-system", "capi-serving-cert", "capi-webhook-service-cert"));
        cluster.client.admissionRegistration().v1().validatingWebhookConfigurations().resource(
                new ValidatingWebhookConfigurationBuilder().withNewMetadata()
                        .withName("capi-validating-webhook-configuration")
                        .addToAnnotations("cert-manager.io/inject-ca-from", "capi-system/capi-serving-cert")
                        .endMetadata()
                        .addNewWebhook().withName("validation.cluster.cluster.x-k8s.io")
                        .withAdmissionReviewVersions("v1").withSideEffects("None")
                        .withNewClientConfig().withNewService().withName("capi-webhook-service")
                        .withNamespace("capi-system").withPath("/validate-cluster").endService().endClientConfig()
                        .addNewRule().withApiGroups("cluster.x-k8s.io").withApiVersions("v1beta1")
                        .withOperations("CREATE", "UPDATE").withResources("clusters").endRule()
                        .endWebhook().build()).create();
        CustomResourceDefinition converted = new CustomResourceDefinitionBuilder(crd("cluster.x-k8s.io", "Cluster",
                true)).editMetadata().addToAnnotations("cert-manager.io/inject-ca-from",
                        "capi-system/capi-serving-cert").endMetadata()
                .editSpec().withNewConversion().withStrategy("Webhook").withNewWebhook()
                .withConversionReviewVersions("v1").withNewClientConfig().withNewService()
                .withName("capi-webhook-service").withNamespace("capi-system").withPath("/convert").endService()
                .endClientConfig().endWebhook().endConversion().endSpec().build();
        cluster.client.apiextensions().v1().customResourceDefinitions().resource(converted).create();

        cluster.client.services().inNamespace("capi-system").resource(new ServiceBuilder().withNewMetadata()
                .withName("capi-webhook-service").endMetadata().withNewSpec()
                .addToSelector("app", "capi-controller-manager").addNewPort().withPort(443)
                .withTargetPort(new IntOrString(9443)).endPort().endSpec().build()).create();

        throughout().until(() -> !cluster.available("capi-system", "capi-controller-manager"));
        try (KubernetesClient client = cluster.clientWithoutRetries()) {
            assertThatThrownBy(() -> client.resource(capiCluster("early")).create())
                    .hasMessageContaining("no endpoints available for service \"capi-webhook-service\"");
        }

        installCertManager();

        eventually().until(() -> cluster.available("capi-system", "capi-controller-manager"));
        try (KubernetesClient client = cluster.clientWithoutRetries()) {
            eventually().ignoreExceptions().until(() -> client.resource(capiCluster("later")).create() != null);
        }
        String ca = secret("capi-system", "capi-webhook-service-cert").getData().get("ca.crt");
        eventually().untilAsserted(() -> {
            ValidatingWebhookConfiguration webhooks = cluster.client.admissionRegistration().v1()
                    .validatingWebhookConfigurations().withName("capi-validating-webhook-configuration").get();
            assertThat(webhooks.getWebhooks().get(0).getClientConfig().getCaBundle()).isEqualTo(ca);
            assertThat(cluster.client.apiextensions().v1().customResourceDefinitions()
                    .withName("clusters.cluster.x-k8s.io").get().getSpec().getConversion().getWebhook()
                    .getClientConfig().getCaBundle()).isEqualTo(ca);
        });
        assertThat(cluster.client.secrets().inNamespace("cert-manager").withName("cert-manager-webhook-ca").get()
                .getMetadata().getAnnotations()).as("the webhook's own CA")
                .containsEntry("cert-manager.io/allow-direct-injection", "true");
    }

    @Test
    void certManagerWithoutTolerationsDoesNotRunOnTaintedControlPlaneNodesOnly() {
        cluster.internals.removeNode("worker-0");
        cluster.internals.registerNode("cp-0", true, Map.of(), Optional.empty());
        create(issuer("capi-system", "capi-selfsigned-issuer"));
        create(certificate("capi-system", "capi-serving-cert", "capi-webhook-service-cert"));

        installCertManager();

        throughout().until(() -> secret("capi-system", "capi-webhook-service-cert") == null
                && !cluster.available("cert-manager", "cert-manager"));
        try (KubernetesClient client = cluster.clientWithoutRetries()) {
            assertThatThrownBy(() -> client.resource(issuer("capi-system", "another")).create())
                    .as("its webhook does not run either").isInstanceOf(KubernetesClientException.class)
                    .hasMessageContaining("failed calling webhook \"webhook.cert-manager.io\"")
                    .hasMessageContaining("no endpoints available for service \"cert-manager-webhook\"");
        }
    }

    /** cert-manager v1.16.3's three Deployments as its release manifest has them (labels, selectors, accounts). */
    private void installCertManager() {
        for (String[] component : List.of(new String[] {"cert-manager-cainjector", "cainjector", "cainjector"},
                new String[] {"cert-manager", "cert-manager", "controller"},
                new String[] {"cert-manager-webhook", "webhook", "webhook"})) {
            cluster.client.serviceAccounts().inNamespace("cert-manager").resource(new ServiceAccountBuilder()
                    .withNewMetadata().withName(component[0]).endMetadata().build()).create();
            Map<String, String> labels = Map.of("app.kubernetes.io/name", component[1],
                    "app.kubernetes.io/instance", "cert-manager", "app.kubernetes.io/component", component[2]);
            Deployment deployment = deployment("cert-manager", component[0]).editMetadata().withLabels(labels)
                    .endMetadata().editSpec().editSelector().withMatchLabels(labels).endSelector().editTemplate()
                    .editMetadata().withLabels(labels).endMetadata().editSpec().withServiceAccountName(component[0])
                    .withEnableServiceLinks(false).addToNodeSelector("kubernetes.io/os", "linux")
                    .editFirstContainer().withArgs(component[2].equals("webhook") ? List.of("--v=2",
                            "--secure-port=10250", "--dynamic-serving-ca-secret-namespace=$(POD_NAMESPACE)",
                            "--dynamic-serving-ca-secret-name=cert-manager-webhook-ca",
                            "--dynamic-serving-dns-names=cert-manager-webhook") : List.of("--v=2"))
                    .endContainer().endSpec().endTemplate().endSpec().build();
            if (component[2].equals("webhook")) {
                deployment.getSpec().getTemplate().getSpec().getContainers().get(0).setPorts(List.of(
                        new io.fabric8.kubernetes.api.model.ContainerPortBuilder().withName("https")
                                .withContainerPort(10250).build()));
                cluster.client.services().inNamespace("cert-manager").resource(new ServiceBuilder().withNewMetadata()
                        .withName("cert-manager-webhook").withLabels(labels).endMetadata().withNewSpec()
                        .withSelector(labels).addNewPort().withName("https").withPort(443)
                        .withTargetPort(new IntOrString("https")).endPort().endSpec().build()).create();
            }
            cluster.client.apps().deployments().inNamespace("cert-manager").resource(deployment).create();
        }
        // its webhook, which validates every cert-manager resource outside namespaces that opt out
        cluster.client.admissionRegistration().v1().validatingWebhookConfigurations().resource(
                new ValidatingWebhookConfigurationBuilder().withNewMetadata().withName("cert-manager-webhook")
                        .addToAnnotations("cert-manager.io/inject-ca-from-secret",
                                "cert-manager/cert-manager-webhook-ca").endMetadata()
                        .addNewWebhook().withName("webhook.cert-manager.io")
                        .withNewNamespaceSelector().addNewMatchExpression().withKey("cert-manager.io/disable-validation")
                        .withOperator("NotIn").withValues("true").endMatchExpression().endNamespaceSelector()
                        .addNewRule().withApiGroups("cert-manager.io", "acme.cert-manager.io").withApiVersions("v1")
                        .withOperations("CREATE", "UPDATE").withResources("*/*").endRule()
                        .withAdmissionReviewVersions("v1").withMatchPolicy("Equivalent").withFailurePolicy("Fail")
                        .withSideEffects("None").withNewClientConfig().withNewService().withName("cert-manager-webhook")
                        .withNamespace("cert-manager").withPath("/validate").endService().endClientConfig()
                        .endWebhook().build()).create();
    }

    private static GenericKubernetesResource capiCluster(String name) {
        return new GenericKubernetesResourceBuilder().withApiVersion("cluster.x-k8s.io/v1beta1").withKind("Cluster")
                .withNewMetadata().withName(name).withNamespace("capi-system").endMetadata()
                .addToAdditionalProperties("spec", Map.of()).build();
    }

    private static CustomResourceDefinition crd(String group, String kind, boolean namespaced) {
        String plural = kind.toLowerCase() + "s";
        return new CustomResourceDefinitionBuilder().withNewMetadata().withName(plural + "." + group).endMetadata()
                .withNewSpec().withGroup(group).withScope(namespaced ? "Namespaced" : "Cluster")
                .withNewNames().withKind(kind).withPlural(plural).withSingular(kind.toLowerCase()).endNames()
                .addNewVersion().withName(group.equals("cert-manager.io") ? "v1" : "v1beta1").withServed(true)
                .withStorage(true).withNewSubresources().withNewStatus().endStatus().endSubresources()
                .withNewSchema().withNewOpenAPIV3Schema().withType("object").withXKubernetesPreserveUnknownFields(true)
                .endOpenAPIV3Schema().endSchema().endVersion()
                .endSpec().build();
    }

    private void namespace(String name) {
        cluster.client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata()
                .build()).create();
    }

    private static GenericKubernetesResource issuer(String namespace, String name) {
        return new GenericKubernetesResourceBuilder().withApiVersion("cert-manager.io/v1").withKind("Issuer")
                .withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
                .addToAdditionalProperties("spec", Map.of("selfSigned", Map.of())).build();
    }

    private static GenericKubernetesResource certificate(String namespace, String name, String secretName) {
        return new GenericKubernetesResourceBuilder().withApiVersion("cert-manager.io/v1").withKind("Certificate")
                .withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
                .addToAdditionalProperties("spec", Map.of("secretName", secretName,
                        "dnsNames", List.of("capi-webhook-service." + namespace + ".svc"),
                        "issuerRef", Map.of("kind", "Issuer", "name", "capi-selfsigned-issuer")))
                .build();
    }

    private void create(GenericKubernetesResource object) {
        cluster.client.resource(object).create();
    }

    private GenericKubernetesResource get(String kind, String namespace, String name) {
        return cluster.client.genericKubernetesResources("cert-manager.io/v1", kind).inNamespace(namespace)
                .withName(name).get();
    }

    private Secret secret(String namespace, String name) {
        return cluster.client.secrets().inNamespace(namespace).withName(name).get();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> readyCondition(GenericKubernetesResource object) {
        Map<String, Object> status = (Map<String, Object>) object.getAdditionalProperties().get("status");
        if (status == null || status.get("conditions") == null) {
            return Map.of();
        }
        return ((List<Map<String, Object>>) status.get("conditions")).stream()
                .filter(c -> "Ready".equals(c.get("type"))).findFirst().orElse(Map.of());
    }
}
