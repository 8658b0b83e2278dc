package io.pivotplane.pivot.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pivotplane.capi.Capi;
import io.pivotplane.devstack.infra.KubernetesApiServer;
import io.pivotplane.pivot.domain.GraphNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Which objects a pivot moves when several clusters share a namespace, against an API server with the CAPI CRDs. */
class MoveOperationsDiscoverTest {

    static final String NAMESPACE = "team-shared";

    static KubernetesApiServer api;
    static KubernetesClient client;

    @BeforeAll
    static void start() {
        api = KubernetesApiServer.start(0);
        client = api.client();
        for (String cluster : List.of("alpha", "beta")) {
            HasMetadata clusterObject = create(capi(Capi.CORE_API_VERSION, Capi.CLUSTER, cluster, null));
            HasMetadata controlPlane = create(owned(capi(Capi.CONTROL_PLANE_API_VERSION, Capi.KUBEADM_CONTROL_PLANE,
                    cluster, cluster), clusterObject));
            create(owned(capi(Capi.CORE_API_VERSION, Capi.MACHINE, cluster + "-cp-1", cluster), controlPlane));
            // the kubeconfig Secret is the cluster's by its name (clusterctl's soft ownership), label or not
            create(new SecretBuilder().withNewMetadata().withName(Capi.kubeconfigSecretName(cluster))
                    .withNamespace(NAMESPACE).endMetadata().build());
            create(new SecretBuilder().withNewMetadata().withName(cluster + "-bootstrap").withNamespace(NAMESPACE)
                    .addToLabels(Capi.CLUSTER_NAME_LABEL, cluster).endMetadata().build());
        }
        // the project's cloud credentials: referenced by the clusters, owned by none, moved with none
        create(new SecretBuilder().withNewMetadata().withName("team-credentials").withNamespace(NAMESPACE)
                .endMetadata().build());
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    @Test
    void movesTheClustersOwnObjectsOwnersFirstAndNoneOfItsNeighbours() {
        List<GraphNode> moved = MoveOperations.discover(client, NAMESPACE, "alpha");

        assertThat(moved).extracting(node -> node.kind() + "/" + node.name()).containsExactlyInAnyOrder(
                "Cluster/alpha", "KubeadmControlPlane/alpha", "Machine/alpha-cp-1",
                "Secret/" + Capi.kubeconfigSecretName("alpha"), "Secret/alpha-bootstrap");
        assertThat(moved.get(0).kind()).isEqualTo(Capi.CLUSTER);
        assertThat(moved).extracting(GraphNode::name)
                .containsSubsequence("alpha", "alpha-cp-1");
    }

    private static GenericKubernetesResource capi(String apiVersion, String kind, String name, String cluster) {
        GenericKubernetesResourceBuilder builder = new GenericKubernetesResourceBuilder().withApiVersion(apiVersion)
                .withKind(kind).withNewMetadata().withName(name).withNamespace(NAMESPACE).endMetadata();
        GenericKubernetesResource object = builder.build();
        if (cluster != null) {
            object.getMetadata().setLabels(Map.of(Capi.CLUSTER_NAME_LABEL, cluster));
        }
        object.setAdditionalProperty("spec", Map.of());
        return object;
    }

    private static <T extends HasMetadata> T owned(T object, HasMetadata owner) {
        object.getMetadata().setOwnerReferences(List.of(new OwnerReferenceBuilder().withApiVersion(
                owner.getApiVersion()).withKind(owner.getKind()).withName(owner.getMetadata().getName())
                .withUid(owner.getMetadata().getUid()).build()));
        return object;
    }

    private static <T extends HasMetadata> T create(T object) {
        return client.resource(object).create();
    }
}
