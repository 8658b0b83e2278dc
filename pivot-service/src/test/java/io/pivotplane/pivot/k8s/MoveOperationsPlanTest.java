package io.pivotplane.pivot.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pivotplane.capi.Capi;
import io.pivotplane.capi.components.ProviderComponents;
import io.pivotplane.devstack.infra.KubernetesApiServer;
import io.pivotplane.pivot.domain.MovePlan;
import io.pivotplane.pivot.domain.MovePlan.PlannedObject;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Which objects a pivot moves when several clusters share a namespace, read from an API server that serves only the
 * kinds of the providers installed in it (core, kubeadm and CAPV here), as clusterctl's discovery reads them.
 */
class MoveOperationsPlanTest {

    static final String NAMESPACE = "team-shared";
    static final String VSPHERE = "infrastructure.cluster.x-k8s.io/v1beta1";

    static KubernetesApiServer api;
    static KubernetesClient client;

    @BeforeAll
    static void start() {
        api = KubernetesApiServer.start(0);
        client = api.client();
        Stream.of(ProviderComponents.core(), ProviderComponents.kubeadmBootstrap(),
                        ProviderComponents.kubeadmControlPlane(), ProviderComponents.infrastructure("vsphere"))
                .flatMap(component -> component.render(Map.of(), Optional.empty(), false).stream())
                .filter(object -> "CustomResourceDefinition".equals(object.getKind()))
                .forEach(crd -> client.resource(crd).create());
        ProviderComponents.inventoryCustomResourceDefinition().forEach(crd -> client.resource(crd).create());
        client.resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build()).create();
        for (String cluster : List.of("alpha", "beta")) {
            HasMetadata clusterObject = create(capi(Capi.CORE_API_VERSION, Capi.CLUSTER, cluster, cluster));
            HasMetadata infrastructure = create(owned(capi(VSPHERE, "VSphereCluster", cluster, cluster),
                    clusterObject));
            HasMetadata controlPlane = create(owned(capi(Capi.CONTROL_PLANE_API_VERSION, Capi.KUBEADM_CONTROL_PLANE,
                    cluster, cluster), clusterObject));
            create(owned(capi(Capi.CORE_API_VERSION, Capi.MACHINE, cluster + "-cp-1", cluster), controlPlane));
            // the kubeconfig Secret is the cluster's by its name (clusterctl's soft ownership), label or not
            create(new SecretBuilder().withNewMetadata().withName(Capi.kubeconfigSecretName(cluster))
                    .withNamespace(NAMESPACE).endMetadata().build());
            // CAPV makes the VSphereCluster the owner of its identity Secret, which carries no label
            create(owned(new SecretBuilder().withNewMetadata().withName(cluster + "-vcenter").withNamespace(NAMESPACE)
                    .endMetadata().build(), infrastructure));
        }
        // a Secret of the project that no cluster owns or names: moved with none
        create(new SecretBuilder().withNewMetadata().withName("team-notes").withNamespace(NAMESPACE).endMetadata()
                .build());
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    @Test
    void movesTheClustersOwnTreeOwnersFirstWithItsUnlabelledIdentitySecretAndNoneOfItsNeighbours() {
        MovePlan plan = MoveOperations.plan(client, ClusterKinds.of(client), NAMESPACE, "alpha");

        assertThat(plan.problems()).isEmpty();
        assertThat(plan.objects()).extracting(o -> o.identity().kind() + "/" + o.identity().name())
                .containsExactlyInAnyOrder("Cluster/alpha", "VSphereCluster/alpha", "KubeadmControlPlane/alpha",
                        "Machine/alpha-cp-1", "Secret/" + Capi.kubeconfigSecretName("alpha"), "Secret/alpha-vcenter");
        assertThat(plan.objects().get(0).identity().kind()).isEqualTo(Capi.CLUSTER);
        assertThat(plan.objects()).extracting(o -> o.identity().name()).containsSubsequence("alpha", "alpha-cp-1");
        assertThat(plan.objects()).allMatch(PlannedObject::deleteFromSource);
    }

    @Test
    void readsOnlyTheKindsTheServerServes() {
        ClusterKinds kinds = ClusterKinds.of(client);

        assertThat(kinds.serves(VSPHERE, "VSphereCluster")).isTrue();
        assertThat(kinds.serves("infrastructure.cluster.x-k8s.io/v1beta2", "AWSCluster")).isFalse();
        assertThat(kinds.definitions()).allSatisfy(crd -> assertThat(crd.getMetadata().getLabels())
                .containsKey(ClusterKinds.CLUSTERCTL_LABEL));
    }

    private static GenericKubernetesResource capi(String apiVersion, String kind, String name, String cluster) {
        GenericKubernetesResource object = new GenericKubernetesResourceBuilder().withApiVersion(apiVersion)
                .withKind(kind).withNewMetadata().withName(name).withNamespace(NAMESPACE)
                .addToLabels(Capi.CLUSTER_NAME_LABEL, cluster).endMetadata().build();
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
