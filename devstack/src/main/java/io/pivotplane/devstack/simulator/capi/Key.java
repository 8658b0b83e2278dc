package io.pivotplane.devstack.simulator.capi;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.pivotplane.capi.Capi;
import java.util.Optional;

/** What a controller reconciles at a time: most of them a whole Cluster ({@code namespace/name}). */
record Key(String namespace, String name) {

    /** The Cluster an object belongs to: itself, or the one its {@code cluster.x-k8s.io/cluster-name} label names. */
    static Optional<Key> clusterOf(GenericKubernetesResource object) {
        String namespace = object.getMetadata().getNamespace();
        if (Capi.CLUSTER.equals(object.getKind()) && Kind.CLUSTER.group().equals(group(object.getApiVersion()))) {
            return Optional.of(new Key(namespace, object.getMetadata().getName()));
        }
        String cluster = Api.labels(object).get(Capi.CLUSTER_NAME_LABEL);
        return cluster == null || namespace == null ? Optional.empty() : Optional.of(new Key(namespace, cluster));
    }

    static Key of(GenericKubernetesResource object) {
        return new Key(object.getMetadata().getNamespace() == null ? "" : object.getMetadata().getNamespace(),
                object.getMetadata().getName());
    }

    private static String group(String apiVersion) {
        int slash = apiVersion == null ? -1 : apiVersion.indexOf('/');
        return slash < 0 ? "" : apiVersion.substring(0, slash);
    }

    @Override
    public String toString() {
        return namespace.isEmpty() ? name : namespace + "/" + name;
    }
}
