package io.pivotplane.pivot.k8s;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pivotplane.capi.Capi;
import io.pivotplane.events.model.ObjectReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Deprovisions a cluster in the order Cluster API tears one down, one look at a time, as CAPI's own
 * {@code reconcileDelete} does: the workers first (their {@code MachineDeployment}s, until their Machines are gone),
 * then the control plane (until its Machines are gone), then the {@code Cluster} (which takes its infrastructure
 * with it), and last whatever of the cluster is left (templates, the desired-spec ConfigMap, its Secrets). Each
 * call deletes what the current phase may delete and says what it waits for; the caller comes back later. The
 * kinds are those the API server serves, as its providers' CRDs define them.
 */
public final class Teardown {

    /** The phases, in order. */
    public enum Phase { WORKERS, CONTROL_PLANE, CLUSTER, REMAINING, DONE }

    /** Where a teardown stands after one look: its phase, what it deleted now, what it waits for. */
    public record Progress(Phase phase, List<ObjectReference> deletedNow, String waitingFor) {

        public boolean done() {
            return phase == Phase.DONE;
        }
    }

    private final KubernetesClient client;
    private final ClusterKinds kinds;
    private final String namespace;
    private final String clusterName;
    private final List<ObjectReference> deleted = new ArrayList<>();

    private Teardown(KubernetesClient client, String namespace, String clusterName) {
        this.client = client;
        this.kinds = ClusterKinds.of(client);
        this.namespace = namespace;
        this.clusterName = clusterName;
    }

    public static Progress step(KubernetesClient client, String namespace, String clusterName) {
        return new Teardown(client, namespace, clusterName).step();
    }

    private Progress step() {
        List<GenericKubernetesResource> deployments = ofKind(Capi.CORE_API_VERSION, Capi.MACHINE_DEPLOYMENT);
        List<GenericKubernetesResource> workers = machines(false);
        if (!deployments.isEmpty() || !workers.isEmpty()) {
            deleteAll(deployments);
            return waiting(Phase.WORKERS, "the workers' Machines to go", workers.isEmpty() ? deployments : workers);
        }
        List<GenericKubernetesResource> controlPlanes = ofKind(Capi.CONTROL_PLANE_API_VERSION,
                Capi.KUBEADM_CONTROL_PLANE);
        List<GenericKubernetesResource> controlPlaneMachines = machines(true);
        if (!controlPlanes.isEmpty() || !controlPlaneMachines.isEmpty()) {
            deleteAll(controlPlanes);
            return waiting(Phase.CONTROL_PLANE, "the control plane's Machines to go",
                    controlPlaneMachines.isEmpty() ? controlPlanes : controlPlaneMachines);
        }
        List<GenericKubernetesResource> clusters = ofKind(Capi.CORE_API_VERSION, Capi.CLUSTER);
        if (!clusters.isEmpty()) {
            deleteAll(clusters);
            return waiting(Phase.CLUSTER, "the Cluster and its infrastructure to go", clusters);
        }
        List<HasMetadata> remaining = remaining();
        if (!remaining.isEmpty()) {
            deleteAll(remaining);
            return waiting(Phase.REMAINING, "the cluster's other objects to go", remaining);
        }
        return new Progress(Phase.DONE, List.copyOf(deleted), null);
    }

    private Progress waiting(Phase phase, String what, List<? extends HasMetadata> left) {
        return new Progress(phase, List.copyOf(deleted), what + ": " + left.stream()
                .map(o -> o.getKind() + " " + o.getMetadata().getName()).toList());
    }

    private List<GenericKubernetesResource> ofKind(String apiVersion, String kind) {
        if (!kinds.serves(apiVersion, kind)) {
            return List.of();
        }
        return kinds.resources(apiVersion, kind).inNamespace(namespace)
                .withLabel(Capi.CLUSTER_NAME_LABEL, clusterName).list().getItems();
    }

    private List<GenericKubernetesResource> machines(boolean controlPlane) {
        return ofKind(Capi.CORE_API_VERSION, Capi.MACHINE).stream()
                .filter(m -> controlPlane == labels(m).containsKey(Capi.CONTROL_PLANE_LABEL))
                .toList();
    }

    /** Every object of the cluster still there: each namespaced kind of the providers by label, Secrets, ConfigMaps. */
    private List<HasMetadata> remaining() {
        List<HasMetadata> objects = new ArrayList<>();
        for (CustomResourceDefinition crd : kinds.definitions()) {
            if (!"Namespaced".equals(crd.getSpec().getScope())) {
                continue;
            }
            CustomResourceDefinitionVersion stored = crd.getSpec().getVersions().stream()
                    .filter(version -> Boolean.TRUE.equals(version.getStorage())).findFirst().orElseThrow();
            objects.addAll(ofKind(crd.getSpec().getGroup() + "/" + stored.getName(), crd.getSpec().getNames().getKind()));
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

    /** Deletes what is not being deleted already: a second delete would only repeat the first. */
    private void deleteAll(List<? extends HasMetadata> objects) {
        for (HasMetadata object : objects) {
            if (object.getMetadata().getDeletionTimestamp() != null) {
                continue;
            }
            if (object instanceof GenericKubernetesResource generic) {
                kinds.resource(generic.getApiVersion(), generic.getKind(), namespace, generic.getMetadata().getName())
                        .delete();
            } else {
                client.resource(object).delete();
            }
            deleted.add(new ObjectReference(object.getApiVersion() == null ? "v1" : object.getApiVersion(),
                    object.getKind(), namespace, object.getMetadata().getName()));
        }
    }

    private static Map<String, String> labels(HasMetadata object) {
        return object.getMetadata().getLabels() == null ? Map.of() : object.getMetadata().getLabels();
    }
}
