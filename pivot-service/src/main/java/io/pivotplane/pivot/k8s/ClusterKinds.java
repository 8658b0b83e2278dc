package io.pivotplane.pivot.k8s;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The kinds a cluster's providers installed, as clusterctl finds them: the CRDs carrying the label
 * {@code clusterctl.cluster.x-k8s.io} ({@code getDiscoveryTypes} in cmd/clusterctl/client/cluster/objectgraph.go).
 * Only what the API server serves is asked for, so a management cluster that runs only the providers it uses
 * is read and written like any other.
 */
public final class ClusterKinds {

    public static final String CLUSTERCTL_LABEL = "clusterctl.cluster.x-k8s.io";

    private final KubernetesClient client;
    private final List<CustomResourceDefinition> definitions;
    private final Map<String, ResourceDefinitionContext> byApiVersionAndKind = new LinkedHashMap<>();

    private ClusterKinds(KubernetesClient client, List<CustomResourceDefinition> definitions) {
        this.client = client;
        this.definitions = definitions;
        for (CustomResourceDefinition crd : definitions) {
            for (CustomResourceDefinitionVersion version : crd.getSpec().getVersions()) {
                if (Boolean.TRUE.equals(version.getServed())) {
                    ResourceDefinitionContext context = new ResourceDefinitionContext.Builder()
                            .withGroup(crd.getSpec().getGroup()).withVersion(version.getName())
                            .withKind(crd.getSpec().getNames().getKind())
                            .withPlural(crd.getSpec().getNames().getPlural())
                            .withNamespaced("Namespaced".equals(crd.getSpec().getScope())).build();
                    byApiVersionAndKind.put(key(crd.getSpec().getGroup() + "/" + version.getName(),
                            crd.getSpec().getNames().getKind()), context);
                }
            }
        }
    }

    /** The kinds clusterctl's providers installed in the cluster behind {@code client}. */
    public static ClusterKinds of(KubernetesClient client) {
        return new ClusterKinds(client, client.apiextensions().v1().customResourceDefinitions()
                .withLabel(CLUSTERCTL_LABEL).list().getItems());
    }

    /** The CRDs the kinds come from, for the move's discovery types. */
    public List<CustomResourceDefinition> definitions() {
        return definitions;
    }

    public boolean serves(String apiVersion, String kind) {
        return byApiVersionAndKind.containsKey(key(apiVersion, kind));
    }

    /** Objects of a kind of these CRDs, read without API discovery; Secrets and ConfigMaps as any other kind. */
    public MixedOperation<GenericKubernetesResource, GenericKubernetesResourceList, Resource<GenericKubernetesResource>>
            resources(String apiVersion, String kind) {
        ResourceDefinitionContext context = byApiVersionAndKind.get(key(apiVersion, kind));
        return context == null ? client.genericKubernetesResources(apiVersion, kind)
                : client.genericKubernetesResources(context);
    }

    /** One object, namespaced or cluster-scoped (namespace null). */
    public Resource<GenericKubernetesResource> resource(String apiVersion, String kind, String namespace, String name) {
        var resources = resources(apiVersion, kind);
        return namespace == null ? resources.withName(name) : resources.inNamespace(namespace).withName(name);
    }

    private static String key(String apiVersion, String kind) {
        return apiVersion + "/" + kind;
    }
}
