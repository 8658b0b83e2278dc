package io.pivotplane.devstack.simulator.cluster;

import static io.pivotplane.devstack.simulator.cluster.SimulatedCluster.deployment;
import static io.pivotplane.devstack.simulator.cluster.SimulatedCluster.eventually;
import static io.pivotplane.devstack.simulator.cluster.SimulatedCluster.ready;
import static io.pivotplane.devstack.simulator.cluster.SimulatedCluster.taints;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pivotplane.devstack.infra.DaemonThreads;
import io.pivotplane.devstack.infra.KubernetesApiServer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ManagementClusterTest {

    final KubernetesApiServer management = KubernetesApiServer.start(0);
    final KubernetesClient client = management.client();
    final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2, DaemonThreads.named("test-mgmt"));
    final ClusterInternals internals = ClusterInternals.startInManagement(client, scheduler);

    @AfterEach
    void stop() {
        internals.close();
        scheduler.shutdownNow();
        management.close();
    }

    @Test
    void theManagementClusterRunsOnOneReadyUntaintedNodeWhoseNetworkIsReady() {
        eventually().untilAsserted(() -> {
            List<Node> nodes = client.nodes().list().getItems();
            assertThat(nodes).singleElement().satisfies(node -> {
                assertThat(ready(node).getStatus()).isEqualTo("True");
                assertThat(taints(node)).isEmpty();
            });
        });
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("capi-system").endMetadata()
                .build()).create();
        client.apps().deployments().inNamespace("capi-system").resource(deployment("capi-system",
                "capi-controller-manager").build()).create();

        eventually().untilAsserted(() -> {
            Deployment manager = client.apps().deployments().inNamespace("capi-system")
                    .withName("capi-controller-manager").get();
            assertThat(manager.getStatus().getAvailableReplicas()).isEqualTo(1);
        });
        assertThat(client.serviceAccounts().inNamespace("capi-system").withName("default").get())
                .as("the service-account controller's").isNotNull();
        assertThat(client.configMaps().inNamespace("capi-system").withName("kube-root-ca.crt").get()).isNotNull();
    }

    @Test
    void customKindsAreFollowedOnceTheirCrdsAreCreated() {
        client.apiextensions().v1().customResourceDefinitions().resource(new CustomResourceDefinitionBuilder()
                .withNewMetadata().withName("issuers.cert-manager.io").endMetadata()
                .withNewSpec().withGroup("cert-manager.io").withScope("Namespaced")
                .withNewNames().withKind("Issuer").withPlural("issuers").endNames()
                .addNewVersion().withName("v1").withServed(true).withStorage(true).withNewSubresources()
                .withNewStatus().endStatus().endSubresources().withNewSchema().withNewOpenAPIV3Schema()
                .withType("object").withXKubernetesPreserveUnknownFields(true).endOpenAPIV3Schema().endSchema()
                .endVersion().endSpec().build()).create();
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("cert-manager").endMetadata()
                .build()).create();
        Map<String, String> labels = Map.of("app.kubernetes.io/instance", "cert-manager",
                "app.kubernetes.io/component", "controller");
        client.apps().deployments().inNamespace("cert-manager").resource(deployment("cert-manager", "cert-manager")
                .editMetadata().withLabels(labels).endMetadata().build()).create();
        client.resource(new GenericKubernetesResourceBuilder().withApiVersion("cert-manager.io/v1").withKind("Issuer")
                .withNewMetadata().withName("selfsigned").withNamespace("default").endMetadata()
                .addToAdditionalProperties("spec", Map.of("selfSigned", Map.of())).build()).create();

        eventually().untilAsserted(() -> assertThat(client.genericKubernetesResources("cert-manager.io/v1", "Issuer")
                .inNamespace("default").withName("selfsigned").get().getAdditionalProperties().get("status"))
                .asString().contains("IsReady"));
    }
}
