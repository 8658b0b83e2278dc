package io.pivotplane.spec.k8s;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pivotplane.capi.Capi;
import io.pivotplane.capi.k8s.DesiredState;
import io.pivotplane.capi.k8s.WriteResult;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Optional;

/** The management cluster, where a cluster's CAPI objects live until the pivot. */
@ApplicationScoped
public class ManagementCluster {

    private final KubernetesClient client;

    public ManagementCluster(KubernetesClient client) {
        this.client = client;
    }

    public WriteResult ensureNamespace(String namespace) {
        if (client.namespaces().withName(namespace).get() != null) {
            return WriteResult.UNCHANGED;
        }
        return DesiredState.ensure(client, new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata()
                .build());
    }

    public WriteResult ensure(HasMetadata object) {
        return DesiredState.ensure(client, object);
    }

    /** The {@code Cluster} of that name, if one exists. */
    public Optional<GenericKubernetesResource> findCluster(String namespace, String name) {
        return Optional.ofNullable(client.genericKubernetesResources(Capi.CORE_API_VERSION, Capi.CLUSTER)
                .inNamespace(namespace).withName(name).get());
    }

    /** Makes the Cluster the owner of the object, as CAPI's controllers do for what belongs to a cluster. */
    public static <T extends HasMetadata> T ownedBy(T object, GenericKubernetesResource cluster) {
        object.getMetadata().setOwnerReferences(List.of(new OwnerReferenceBuilder()
                .withApiVersion(cluster.getApiVersion())
                .withKind(cluster.getKind())
                .withName(cluster.getMetadata().getName())
                .withUid(cluster.getMetadata().getUid())
                .build()));
        return object;
    }
}
