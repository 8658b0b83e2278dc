package io.pivotplane.devstack.simulator.capi;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pivotplane.capi.Capi;
import io.pivotplane.capi.ObjectMaps;
import java.security.SecureRandom;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** What CAPI's {@code util} package answers about Clusters, Machines and Nodes, for every simulated controller. */
final class Clusters {

    static final String PAUSED_ANNOTATION = "cluster.x-k8s.io/paused";
    static final String DELETE_MACHINE_ANNOTATION = "cluster.x-k8s.io/delete-machine";
    static final String PRE_DRAIN_HOOK_PREFIX = "pre-drain.delete.hook.machine.cluster.x-k8s.io";
    static final String PRE_TERMINATE_HOOK_PREFIX = "pre-terminate.delete.hook.machine.cluster.x-k8s.io";
    static final String SECRET_TYPE = "cluster.x-k8s.io/secret";
    /** The alphabet of Kubernetes' {@code SimpleNameGenerator}: no vowels, no confusable characters. */
    private static final String NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";
    private static final SecureRandom RANDOM = new SecureRandom();

    private Clusters() {
    }

    /** The Cluster an object's ownerReferences name ({@code util.GetOwnerCluster}); null while there is none. */
    static GenericKubernetesResource ownerCluster(Api api, GenericKubernetesResource object) {
        for (OwnerReference owner : Api.owners(object)) {
            if (Capi.CLUSTER.equals(owner.getKind()) && owner.getApiVersion().startsWith(Kind.CLUSTER.group() + "/")) {
                return api.get(Kind.CLUSTER, object.getMetadata().getNamespace(), owner.getName());
            }
        }
        return null;
    }

    /** The Machine an infrastructure or bootstrap object's ownerReferences name; null while there is none. */
    static GenericKubernetesResource ownerMachine(Api api, GenericKubernetesResource object) {
        for (OwnerReference owner : Api.owners(object)) {
            if (Capi.MACHINE.equals(owner.getKind()) && owner.getApiVersion().startsWith(Kind.MACHINE.group() + "/")) {
                return api.get(Kind.MACHINE, object.getMetadata().getNamespace(), owner.getName());
            }
        }
        return null;
    }

    /**
     * {@code annotations.IsPaused}: the Cluster is paused ({@code spec.paused}), or it or the object carries the
     * {@code cluster.x-k8s.io/paused} annotation.
     */
    static boolean paused(GenericKubernetesResource cluster, GenericKubernetesResource object) {
        return ObjectMaps.isTrue(cluster, "spec", "paused")
                || Api.annotations(cluster).containsKey(PAUSED_ANNOTATION)
                || (object != null && Api.annotations(object).containsKey(PAUSED_ANNOTATION));
    }

    /** {@code spec.controlPlaneEndpoint} has a host and a port. */
    static boolean endpointValid(GenericKubernetesResource cluster) {
        return ObjectMaps.string(cluster, "spec", "controlPlaneEndpoint", "host").filter(h -> !h.isEmpty()).isPresent()
                && ObjectMaps.integer(cluster, 0, "spec", "controlPlaneEndpoint", "port") != 0;
    }

    static String endpoint(GenericKubernetesResource cluster) {
        return ObjectMaps.string(cluster, "spec", "controlPlaneEndpoint", "host").orElse("") + ":"
                + ObjectMaps.integer(cluster, 0, "spec", "controlPlaneEndpoint", "port");
    }

    static boolean controlPlaneMachine(GenericKubernetesResource machine) {
        return Api.labels(machine).containsKey(Capi.CONTROL_PLANE_LABEL);
    }

    static boolean conditionTrue(GenericKubernetesResource object, String type) {
        return Conditions.of(object).isTrue(type);
    }

    static String clusterName(GenericKubernetesResource object) {
        return Api.labels(object).get(Capi.CLUSTER_NAME_LABEL);
    }

    /** Five characters as {@code names.SimpleNameGenerator} appends them. */
    static String randomSuffix() {
        StringBuilder suffix = new StringBuilder();
        for (int i = 0; i < 5; i++) {
            suffix.append(NAME_ALPHABET.charAt(RANDOM.nextInt(NAME_ALPHABET.length())));
        }
        return suffix.toString();
    }

    static String randomHex(int length) {
        StringBuilder hex = new StringBuilder();
        for (int i = 0; i < length; i++) {
            hex.append(Character.forDigit(RANDOM.nextInt(16), 16));
        }
        return hex.toString();
    }

    static int randomInt(int bound) {
        return RANDOM.nextInt(bound);
    }

    // Nodes

    static Optional<Node> nodeByProviderId(KubernetesClient workload, String providerId) {
        return workload.nodes().list().getItems().stream()
                .filter(node -> node.getSpec() != null && providerId.equals(node.getSpec().getProviderID()))
                .findFirst();
    }

    /** {@code noderefutil.IsNodeReady}: its Ready condition is True. */
    static boolean nodeReady(Node node) {
        return node != null && node.getStatus() != null && node.getStatus().getConditions() != null
                && node.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    static Optional<String> nodeCondition(Node node, String type) {
        if (node == null || node.getStatus() == null || node.getStatus().getConditions() == null) {
            return Optional.empty();
        }
        return node.getStatus().getConditions().stream().filter(c -> type.equals(c.getType()))
                .map(c -> c.getStatus()).findFirst();
    }

    static boolean hasTaint(Node node, String key, String effect) {
        return node.getSpec() != null && Objects.requireNonNullElse(node.getSpec().getTaints(), List.<io.fabric8.kubernetes.api.model.Taint>of())
                .stream().anyMatch(t -> key.equals(t.getKey()) && (effect == null || effect.equals(t.getEffect())));
    }
}
