package io.pivotplane.capi.k8s;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pivotplane.capi.ObjectMaps;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Whether what was applied is rolled out, the way {@code kubectl rollout status} and Helm's {@code --wait} decide
 * it: a Deployment has its replicas updated and available for its current generation, a DaemonSet has a pod
 * available on every node it wants (none, when no node matches it), a StatefulSet its replicas ready, a Job has completed, a CRD is Established.
 * Other kinds are done once the API server accepted them.
 */
public final class Rollouts {

    private Rollouts() {
    }

    /** @return one line per object that is not rolled out yet, saying what it lacks; empty when all are */
    public static List<String> pending(KubernetesClient client, Collection<? extends HasMetadata> applied) {
        List<String> pending = new ArrayList<>();
        for (HasMetadata object : applied) {
            pending(client, object).ifPresent(pending::add);
        }
        return pending;
    }

    /** @return what the object lacks to be rolled out; empty when it is */
    static Optional<String> pending(KubernetesClient client, HasMetadata object) {
        String kind = object.getKind();
        if (!List.of("Deployment", "DaemonSet", "StatefulSet", "Job", "CustomResourceDefinition").contains(kind)) {
            return Optional.empty();
        }
        var resources = client.genericKubernetesResources(object.getApiVersion(), kind);
        String namespace = object.getMetadata().getNamespace();
        GenericKubernetesResource current = (namespace == null ? resources.withName(object.getMetadata().getName())
                : resources.inNamespace(namespace).withName(object.getMetadata().getName())).get();
        String name = kind + " " + (object.getMetadata().getNamespace() == null ? ""
                : object.getMetadata().getNamespace() + "/") + object.getMetadata().getName();
        if (current == null) {
            return Optional.of(name + " does not exist");
        }
        long generation = Objects.requireNonNullElse(current.getMetadata().getGeneration(), 0L);
        boolean observed = ObjectMaps.integer(current, 0, "status", "observedGeneration") >= generation;
        return switch (kind) {
            case "Deployment" -> {
                int wanted = ObjectMaps.integer(current, 1, "spec", "replicas");
                int updated = ObjectMaps.integer(current, 0, "status", "updatedReplicas");
                int available = ObjectMaps.integer(current, 0, "status", "availableReplicas");
                yield observed && updated >= wanted && available >= wanted ? Optional.empty()
                        : Optional.of(name + ": " + available + " of " + wanted + " replicas available");
            }
            case "DaemonSet" -> {
                int desired = ObjectMaps.integer(current, 0, "status", "desiredNumberScheduled");
                int updated = ObjectMaps.integer(current, 0, "status", "updatedNumberScheduled");
                int available = ObjectMaps.integer(current, 0, "status", "numberAvailable");
                // one that wants no node (a Windows agent on Linux nodes) is done, as for kubectl rollout status
                yield observed && updated >= desired && available >= desired ? Optional.empty()
                        : Optional.of(name + ": available on " + available + " of " + desired + " nodes");
            }
            case "StatefulSet" -> {
                int wanted = ObjectMaps.integer(current, 1, "spec", "replicas");
                int ready = ObjectMaps.integer(current, 0, "status", "readyReplicas");
                yield observed && ready >= wanted ? Optional.empty()
                        : Optional.of(name + ": " + ready + " of " + wanted + " replicas ready");
            }
            case "Job" -> ObjectMaps.conditionTrue(current, "Complete") ? Optional.empty()
                    : Optional.of(name + " has not completed");
            default -> ObjectMaps.conditionTrue(current, "Established") ? Optional.empty()
                    : Optional.of(name + " is not Established");
        };
    }
}
