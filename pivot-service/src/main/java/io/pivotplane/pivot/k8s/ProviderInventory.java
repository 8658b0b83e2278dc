package io.pivotplane.pivot.k8s;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.pivotplane.capi.ObjectMaps;
import io.pivotplane.pivot.domain.InstalledProvider;
import java.net.HttpURLConnection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * clusterctl's inventory of a cluster: the {@code Provider} objects {@code clusterctl init} creates in each provider's
 * namespace (cmd/clusterctl/client/cluster/inventory.go). A cluster without the inventory's CRD has no providers.
 */
public final class ProviderInventory {

    static final ResourceDefinitionContext PROVIDERS = new ResourceDefinitionContext.Builder()
            .withGroup("clusterctl.cluster.x-k8s.io").withVersion("v1alpha3").withKind("Provider")
            .withPlural("providers").withNamespaced(true).build();

    private ProviderInventory() {
    }

    public static List<InstalledProvider> read(KubernetesClient client) {
        try {
            return client.genericKubernetesResources(PROVIDERS).inAnyNamespace().list().getItems().stream()
                    .map(ProviderInventory::provider).toList();
        } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
            if (e.getCode() == HttpURLConnection.HTTP_NOT_FOUND) {
                return List.of();
            }
            throw e;
        }
    }

    /** Where each infrastructure provider runs, by name: clusterctl reads the Secrets of these namespaces too. */
    public static Map<String, String> infrastructureNamespaces(List<InstalledProvider> providers) {
        Map<String, String> namespaces = new LinkedHashMap<>();
        providers.stream().filter(p -> InstalledProvider.INFRASTRUCTURE.equals(p.type()))
                .forEach(p -> namespaces.put(p.name(), p.namespace()));
        return namespaces;
    }

    private static InstalledProvider provider(GenericKubernetesResource object) {
        return new InstalledProvider(ObjectMaps.string(object, "providerName").orElse(object.getMetadata().getName()),
                ObjectMaps.string(object, "type").orElse(""), ObjectMaps.string(object, "version").orElse(""),
                object.getMetadata().getNamespace());
    }
}
