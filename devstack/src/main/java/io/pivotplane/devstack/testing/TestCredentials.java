package io.pivotplane.devstack.testing;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.pivotplane.events.model.ClusterSpec;
import java.util.List;
import java.util.Map;

/**
 * The cloud credentials a cluster of {@link TestClusters} refers to, as its operator creates them next to the
 * management cluster's providers (obviously fake values): the namespace of its project, and per infrastructure what
 * its {@code credentialsRef} names: vSphere's Secret ({@code username}/{@code password}), AWS's
 * {@code AWSClusterStaticIdentity} (for every namespace) with its Secret in CAPA's namespace, GCP's service-account key Secret, Azure's
 * service principal secret (the identity is rendered with the cluster). MAAS uses the controller's credentials.
 */
public final class TestCredentials {

    public static final String CAPA_NAMESPACE = "capa-system";

    private TestCredentials() {
    }

    /** The secret values among these credentials, for a test that looks for them where they must not be. */
    public static final List<String> SECRET_VALUES = List.of("simulated-password-not-real",
            "simulated-secret-access-key-not-real", "simulated, not a key", "simulated-client-secret-not-real");

    /** The project's namespace and the spec's credentials. */
    public static void create(KubernetesClient management, ClusterSpec spec) {
        namespace(management, spec.project());
        String name = spec.infrastructure().credentialsRef();
        switch (spec.infrastructure().provider()) {
            case "vsphere" -> secret(management, spec.project(), name, Map.of(
                    "username", "simulated-user@vsphere.local", "password", "simulated-password-not-real"));
            case "aws" -> {
                ClusterAddons.createIfMissing(management, awsStaticIdentityForEveryNamespace(name));
                secret(management, CAPA_NAMESPACE, name, Map.of("AccessKeyID", "SIMULATED-KEY-ID",
                        "SecretAccessKey", "simulated-secret-access-key-not-real"));
            }
            case "gcp" -> secret(management, spec.project(), name, Map.of("credentials", """
                    {"type": "service_account", "project_id": "team-clusters", "private_key_id": "simulated",
                     "private_key": "-----BEGIN PRIVATE KEY-----\\nsimulated, not a key\\n-----END PRIVATE KEY-----\\n",
                     "client_email": "clusters@team-clusters.iam.gserviceaccount.com", "client_id": "0"}
                    """));
            case "azure" -> secret(management, spec.project(), name, Map.of("clientSecret",
                    "simulated-client-secret-not-real"));
            default -> {
            }
        }
    }

    /**
     * Readies a REST request body as its operator would: a vSphere cluster gets a vCenter Secret of its own (CAPV
     * takes ownership of the Secret its {@code identityRef} names, and refuses one another cluster owns), and the
     * credentials the request names are created.
     *
     * @return the body, with its vSphere {@code credentialsRef} made the cluster's own
     */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> prepare(KubernetesClient management, Map<String, Object> body) {
        Map<String, Object> infrastructure = (Map<String, Object>) body.get("infrastructure");
        if ("vsphere".equals(infrastructure.get("provider"))) {
            Map<String, Object> own = new java.util.LinkedHashMap<>(infrastructure);
            own.put("credentialsRef", body.get("name") + "-vcenter");
            body.put("infrastructure", own);
        }
        create(management, new io.pivotplane.capi.request.ClusterRequestValidator().validateAllButStoredProfile(
                io.pivotplane.capi.request.ClusterRequestDocument.input(body)));
        return body;
    }

    public static void namespace(KubernetesClient client, String name) {
        ClusterAddons.createIfMissing(client, new NamespaceBuilder().withNewMetadata().withName(name).endMetadata()
                .build());
    }

    public static void secret(KubernetesClient client, String namespace, String name, Map<String, String> data) {
        namespace(client, namespace);
        ClusterAddons.createIfMissing(client, new SecretBuilder().withNewMetadata().withName(name)
                .withNamespace(namespace).endMetadata().withType("Opaque").withStringData(data).build());
    }

    /** CAPA's static identity (cluster-scoped), its Secret of the same name in CAPA's namespace. */
    public static GenericKubernetesResource awsStaticIdentity(String name, List<String> allowedNamespaces) {
        GenericKubernetesResource identity = new GenericKubernetesResourceBuilder()
                .withApiVersion("infrastructure.cluster.x-k8s.io/v1beta2").withKind("AWSClusterStaticIdentity")
                .withNewMetadata().withName(name).endMetadata().build();
        identity.setAdditionalProperty("spec", Map.of("secretRef", name,
                "allowedNamespaces", Map.of("list", allowedNamespaces)));
        return identity;
    }

    /**
     * CAPA's static identity shared by every project, as a platform team sets one up for its teams: an empty
     * {@code allowedNamespaces} object allows every namespace (a missing one, none).
     */
    public static GenericKubernetesResource awsStaticIdentityForEveryNamespace(String name) {
        GenericKubernetesResource identity = awsStaticIdentity(name, List.of());
        identity.setAdditionalProperty("spec", Map.of("secretRef", name, "allowedNamespaces", Map.of()));
        return identity;
    }

    static final ResourceDefinitionContext AWS_STATIC_IDENTITIES = new ResourceDefinitionContext.Builder()
            .withGroup("infrastructure.cluster.x-k8s.io").withVersion("v1beta2").withKind("AWSClusterStaticIdentity")
            .withPlural("awsclusterstaticidentities").withNamespaced(false).build();
}
