package io.pivotplane.capi.k8s;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pivotplane.capi.Capi;
import io.pivotplane.capi.CapiCrds;
import io.pivotplane.events.model.ObjectReference;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Deprovisions a cluster in the order Cluster API tears one down: the workers first (their
 * {@code MachineDeployment}s, until their Machines are gone), then the control plane (until its Machines are gone),
 * then the {@code Cluster} (which takes its infrastructure with it), and last whatever of the cluster is left
 * (templates, the desired-spec ConfigMap, the control plane's Secrets). Each wait ends after {@code stepTimeout}
 * with {@link TeardownIncompleteException} naming what is still there; running it again carries on.
 */
public final class Teardown {

    private static final Duration POLL = Duration.ofMillis(200);

    private final KubernetesClient client;
    private final String namespace;
    private final String clusterName;
    private final Duration stepTimeout;
    private final Set<ObjectReference> deleted = new LinkedHashSet<>();

    private Teardown(KubernetesClient client, String namespace, String clusterName, Duration stepTimeout) {
        this.client = client;
        this.namespace = namespace;
        this.clusterName = clusterName;
        this.stepTimeout = stepTimeout;
    }

    /** @return every object this run deleted, in the order it deleted them */
    public static List<ObjectReference> run(KubernetesClient client, String namespace, String clusterName,
                                            Duration stepTimeout) {
        return new Teardown(client, namespace, clusterName, stepTimeout).run();
    }

    private List<ObjectReference> run() {
        deleteAll(ofKind(Capi.CORE_API_VERSION, Capi.MACHINE_DEPLOYMENT));
        await("the workers' Machines", () -> machines(false));
        deleteAll(ofKind(Capi.CONTROL_PLANE_API_VERSION, Capi.KUBEADM_CONTROL_PLANE));
        await("the control plane's Machines", () -> machines(true));
        deleteAll(ofKind(Capi.CORE_API_VERSION, Capi.CLUSTER));
        await("the Cluster", () -> ofKind(Capi.CORE_API_VERSION, Capi.CLUSTER));
        deleteAll(remaining());
        await("the cluster's other objects", this::remaining);
        return List.copyOf(deleted);
    }

    private List<GenericKubernetesResource> ofKind(String apiVersion, String kind) {
        return client.genericKubernetesResources(apiVersion, kind).inNamespace(namespace)
                .withLabel(Capi.CLUSTER_NAME_LABEL, clusterName).list().getItems();
    }

    private List<GenericKubernetesResource> machines(boolean controlPlane) {
        return ofKind(Capi.CORE_API_VERSION, Capi.MACHINE).stream()
                .filter(m -> controlPlane || !labels(m).containsKey(Capi.CONTROL_PLANE_LABEL))
                .toList();
    }

    /** Every object of the cluster still there: each CAPI kind by label, its Secrets and ConfigMaps. */
    private List<HasMetadata> remaining() {
        List<HasMetadata> objects = new ArrayList<>();
        for (CapiCrds.StoredKind kind : CapiCrds.storedKinds()) {
            if (kind.namespaced()) {
                objects.addAll(ofKind(kind.apiVersion(), kind.kind()));
            }
        }
        objects.addAll(client.configMaps().inNamespace(namespace).withLabel(Capi.CLUSTER_NAME_LABEL, clusterName)
                .list().getItems());
        objects.addAll(client.secrets().inNamespace(namespace).withLabel(Capi.CLUSTER_NAME_LABEL, clusterName)
                .list().getItems());
        for (String secret : Capi.controlPlaneSecretNames(clusterName)) {
            var found = client.secrets().inNamespace(namespace).withName(secret).get();
            if (found != null && objects.stream().noneMatch(o -> o.getMetadata().getUid().equals(found.getMetadata().getUid()))) {
                objects.add(found);
            }
        }
        return objects;
    }

    private void deleteAll(List<? extends HasMetadata> objects) {
        for (HasMetadata object : objects) {
            client.resource(object).delete();
            deleted.add(new ObjectReference(object.getApiVersion() == null ? "v1" : object.getApiVersion(),
                    object.getKind(), namespace, object.getMetadata().getName()));
        }
    }

    private void await(String what, Supplier<? extends List<? extends HasMetadata>> stillThere) {
        Instant deadline = Instant.now().plus(stepTimeout);
        List<? extends HasMetadata> left = stillThere.get();
        while (!left.isEmpty()) {
            if (Instant.now().isAfter(deadline)) {
                throw new TeardownIncompleteException(namespace + "/" + clusterName + ": " + what + " still exist after "
                        + stepTimeout + ": " + left.stream().map(o -> o.getKind() + " " + o.getMetadata().getName()).toList());
            }
            try {
                Thread.sleep(POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TeardownIncompleteException("interrupted while waiting for " + what + " to go");
            }
            left = stillThere.get();
        }
    }

    private static Map<String, String> labels(HasMetadata object) {
        return object.getMetadata().getLabels() == null ? Map.of() : object.getMetadata().getLabels();
    }

    /** Some of the cluster's objects did not go within the step's time. */
    public static final class TeardownIncompleteException extends RuntimeException {
        public TeardownIncompleteException(String message) {
            super(message);
        }
    }
}
