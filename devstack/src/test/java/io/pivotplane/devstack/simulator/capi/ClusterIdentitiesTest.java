package io.pivotplane.devstack.simulator.capi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.pivotplane.capi.ObjectMaps;
import io.pivotplane.capi.RenderPhase;
import io.pivotplane.capi.Renderers;
import io.pivotplane.devstack.simulator.SimulatorSettings;
import io.pivotplane.devstack.testing.TestClusters;
import io.pivotplane.devstack.testing.TestCredentials;
import io.pivotplane.events.model.ClusterSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The providers' cluster identities, as their code checks them: the namespaces an identity allows, the Secrets the
 * providers take ownership of, the identity CAPA creates for its controller's own credentials.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterIdentitiesTest {

    ManagementCluster management;

    @BeforeAll
    void start() {
        management = new ManagementCluster(SimulatorSettings.IMMEDIATE);
    }

    @AfterAll
    void stop() {
        management.close();
    }

    @Test
    void capaUsesAStaticIdentityOnlyFromTheNamespacesItAllowsAndOwnsItsSecret() {
        ClusterSpec spec = TestClusters.of("aws", "aws-denied", "denied", 1, 0, List.of());
        TestCredentials.secret(management.client(), TestCredentials.CAPA_NAMESPACE, "aws-identity",
                Map.of("AccessKeyID", "SIMULATED-KEY-ID", "SecretAccessKey", "simulated-not-real"));
        management.client().resource(TestCredentials.awsStaticIdentity("aws-identity", List.of("somewhere-else"))).create();
        management.render(spec, RenderPhase.MANAGEMENT);

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            Secret secret = management.api.secret(TestCredentials.CAPA_NAMESPACE, "aws-identity");
            assertThat(secret.getMetadata().getOwnerReferences()).singleElement()
                    .satisfies(owner -> assertThat(owner.getKind()).isEqualTo("AWSClusterStaticIdentity"));
        });
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(ObjectMaps.at(management.get(Kind.AWS_CLUSTER, "aws-denied", "denied"), "status")).isEmpty();
            assertThat(management.list(Kind.MACHINE, "aws-denied")).isEmpty();
        });

        edit(Kind.AWS_STATIC_IDENTITY, null, "aws-identity", identity -> ObjectMaps.mapAt(identity, "spec")
                .put("allowedNamespaces", Map.of("list", List.of("aws-denied"))));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(ObjectMaps.isTrue(management.get(Kind.AWS_CLUSTER, "aws-denied", "denied"), "status", "ready"))
                        .isTrue());
    }

    @Test
    void capaCreatesTheControllerIdentityAClusterAsksForAndUsesTheControllersOwnCredentials() {
        ClusterSpec spec = TestClusters.of("aws", "aws-controller", "controller", 1, 0, List.of());
        TestCredentials.namespace(management.client(), spec.project());
        for (GenericKubernetesResource object : Renderers.forProvider("aws").render("id", spec, RenderPhase.MANAGEMENT)) {
            if (Kind.AWS_CLUSTER.kind().equals(object.getKind())) {
                ObjectMaps.mapAt(object, "spec").put("identityRef",
                        Map.of("kind", AwsCredentials.CONTROLLER_IDENTITY, "name", "default"));
            }
            management.client().resource(object).create();
        }

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            GenericKubernetesResource identity = management.get(Kind.AWS_CONTROLLER_IDENTITY, null, "default");
            assertThat(identity).isNotNull();
            assertThat(ObjectMaps.at(identity, "spec", "allowedNamespaces")).hasValue(Map.of());
            assertThat(ObjectMaps.isTrue(management.get(Kind.AWS_CLUSTER, spec.project(), "controller"), "status",
                    "ready")).isTrue();
        });
    }

    @Test
    void capzRefusesAnIdentityThatDoesNotAllowTheClustersNamespace() {
        ClusterSpec spec = TestClusters.of("azure", "azure-denied", "denied", 1, 0, List.of());
        TestCredentials.create(management.client(), spec);
        for (GenericKubernetesResource object : Renderers.forProvider("azure").render("id", spec, RenderPhase.MANAGEMENT)) {
            if (Kind.AZURE_CLUSTER_IDENTITY.kind().equals(object.getKind())) {
                ObjectMaps.mapAt(object, "spec").put("allowedNamespaces", Map.of("list", List.of("another")));
            }
            management.client().resource(object).create();
        }

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(Conditions.of(
                management.get(Kind.AZURE_CLUSTER, spec.project(), "denied")).get("NetworkInfrastructureReady"))
                .hasValueSatisfying(c -> {
                    assertThat(c.get("status")).isEqualTo("False");
                    assertThat(c.get("reason")).isEqualTo("NamespaceNotAllowedByIdentity");
                }));
        assertThat(management.list(Kind.MACHINE, spec.project())).isEmpty();
    }

    @Test
    void capvUsesAClusterIdentityWhoseSelectorMatchesTheClustersNamespace() {
        TestCredentials.secret(management.client(), "capv-system", "vsphere-identity",
                Map.of("username", "simulated-user@vsphere.local", "password", "simulated-not-real"));
        GenericKubernetesResource identity = new GenericKubernetesResourceBuilder()
                .withApiVersion(Kind.VSPHERE_CLUSTER_IDENTITY.apiVersion()).withKind(Kind.VSPHERE_CLUSTER_IDENTITY.kind())
                .withNewMetadata().withName("shared").endMetadata().build();
        identity.setAdditionalProperty("spec", Map.of("secretName", "vsphere-identity",
                "allowedNamespaces", Map.of("selector", Map.of("matchLabels", Map.of("vsphere", "allowed")))));
        management.client().resource(identity).create();
        ClusterSpec spec = TestClusters.vsphere("vsphere-identity", "shared", 1, 0, List.of());
        management.client().resource(new NamespaceBuilder().withNewMetadata().withName(spec.project()).endMetadata()
                .build()).create();
        for (GenericKubernetesResource object : Renderers.forProvider("vsphere").render("id", spec, RenderPhase.MANAGEMENT)) {
            if (Kind.VSPHERE_CLUSTER.kind().equals(object.getKind())) {
                ObjectMaps.mapAt(object, "spec").put("identityRef",
                        Map.of("kind", Kind.VSPHERE_CLUSTER_IDENTITY.kind(), "name", "shared"));
            }
            management.client().resource(object).create();
        }

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            GenericKubernetesResource ready = management.get(Kind.VSPHERE_CLUSTER_IDENTITY, null, "shared");
            assertThat(ObjectMaps.isTrue(ready, "status", "ready")).isTrue();
            assertThat(management.api.secret("capv-system", "vsphere-identity").getMetadata().getOwnerReferences())
                    .singleElement().satisfies(owner -> assertThat(owner.getKind()).isEqualTo("VSphereClusterIdentity"));
            assertThat(Conditions.of(management.get(Kind.VSPHERE_CLUSTER, spec.project(), "shared"))
                    .get(VSphereClusterController.VCENTER_AVAILABLE)).hasValueSatisfying(c -> assertThat(c.get("message"))
                    .asString().contains("namespace vsphere-identity is not allowed"));
        });

        management.client().namespaces().withName(spec.project()).edit(ns -> {
            ns.getMetadata().setLabels(Map.of("vsphere", "allowed"));
            return ns;
        });
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(ObjectMaps.isTrue(management.get(Kind.VSPHERE_CLUSTER, spec.project(), "shared"), "status",
                    "ready")).isTrue();
            assertThat(management.list(Kind.MACHINE, spec.project())).hasSize(1);
        });
        assertThat(ObjectMaps.string(management.get(Kind.CLUSTER, spec.project(), "shared"), "spec",
                "controlPlaneEndpoint", "host")).hasValue("10.0.0.10");
    }

    private void edit(Kind kind, String namespace, String name, Consumer<GenericKubernetesResource> change) {
        GenericKubernetesResource object = management.get(kind, namespace, name);
        change.accept(object);
        management.api.update(kind, object);
    }
}
