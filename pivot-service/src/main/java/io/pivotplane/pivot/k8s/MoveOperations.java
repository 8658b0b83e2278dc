package io.pivotplane.pivot.k8s;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.pivotplane.capi.Capi;
import io.pivotplane.capi.CapiCrds;
import io.pivotplane.capi.ObjectMaps;
import io.pivotplane.capi.k8s.DesiredState;
import io.pivotplane.capi.k8s.Kubeconfigs;
import io.pivotplane.pivot.domain.GraphNode;
import io.pivotplane.pivot.domain.MoveGraph;
import io.pivotplane.pivot.persistence.MovedObject;
import java.net.HttpURLConnection;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/** The Kubernetes side of a move, with the semantics of {@code clusterctl move}, written as plain reads and writes. */
public final class MoveOperations {

    private MoveOperations() {
    }

    /** What clusterctl checks before a move; empty when the cluster may move. */
    public static List<String> preflight(KubernetesClient source, String namespace, String clusterName) {
        List<String> problems = new ArrayList<>();
        GenericKubernetesResource cluster = source.genericKubernetesResources(Capi.CORE_API_VERSION, Capi.CLUSTER)
                .inNamespace(namespace).withName(clusterName).get();
        if (cluster == null) {
            problems.add("Cluster " + namespace + "/" + clusterName + " does not exist in the management cluster");
            return problems;
        }
        if (!ObjectMaps.isTrue(cluster, "status", "infrastructureReady")) {
            problems.add("the infrastructure is not ready (Cluster.status.infrastructureReady)");
        }
        if (!ObjectMaps.conditionTrue(cluster, Capi.CONDITION_CONTROL_PLANE_INITIALIZED)) {
            problems.add("the control plane is not initialized (condition ControlPlaneInitialized)");
        }
        if (!ObjectMaps.isTrue(cluster, "status", "controlPlaneReady")) {
            problems.add("the control plane is not ready (Cluster.status.controlPlaneReady)");
        }
        for (GenericKubernetesResource machine : source.genericKubernetesResources(Capi.CORE_API_VERSION,
                Capi.MACHINE).inNamespace(namespace).withLabel(Capi.CLUSTER_NAME_LABEL, clusterName).list().getItems()) {
            if (ObjectMaps.at(machine, "status", "nodeRef").isEmpty()) {
                problems.add("Machine " + machine.getMetadata().getName() + " has no node yet (status.nodeRef)");
            }
        }
        return problems;
    }

    /**
     * A client of the workload cluster, from the kubeconfig Secret the control-plane provider wrote. It shares the
     * HTTP client factory it is given and the source client's JSON mapping: a client of its own of each would cost
     * every new cluster a Vert.x instance and a cold Jackson serializer cache (most of a pivot's CPU time).
     */
    public static KubernetesClient workloadClient(KubernetesClient source, HttpClient.Factory httpClients,
                                                  String namespace, String clusterName) {
        Secret secret = source.secrets().inNamespace(namespace).withName(Capi.kubeconfigSecretName(clusterName)).get();
        Config kubeconfig = Kubeconfigs.fromSecret(secret).orElseThrow(() -> new IllegalStateException(
                "the kubeconfig Secret of " + namespace + "/" + clusterName + " is missing from the management cluster"));
        return new KubernetesClientBuilder().withConfig(kubeconfig).withHttpClientFactory(httpClients)
                .withKubernetesSerialization(source.getKubernetesSerialization()).build();
    }

    public static void apply(KubernetesClient client, List<HasMetadata> objects) {
        objects.forEach(object -> DesiredState.ensure(client, object));
    }

    /** Sets {@code Cluster.spec.paused}: CAPI's controllers leave a paused cluster alone. */
    public static void setPaused(KubernetesClient client, String namespace, String clusterName, boolean paused) {
        Resource<GenericKubernetesResource> cluster = client.genericKubernetesResources(Capi.CORE_API_VERSION,
                Capi.CLUSTER).inNamespace(namespace).withName(clusterName);
        GenericKubernetesResource current = cluster.get();
        if (current == null || ObjectMaps.isTrue(current, "spec", "paused") == paused) {
            return;
        }
        cluster.edit(object -> {
            ObjectMaps.mapAt(object, "spec").put("paused", paused);
            return object;
        });
    }

    /**
     * The cluster's objects in the order to create them: of every CAPI kind, Secrets and ConfigMaps, those with the
     * cluster's name label, the Cluster itself and the control plane's Secrets by name, and what they own.
     * clusterctl lists every object of the namespace instead and keeps the cluster's; with a project's many clusters
     * in one namespace that made each pivot read all of them, so the cost of a pivot grew with the fleet. The API
     * server selects by label: every object pivotplane renders and every object Cluster API's controllers create
     * carries the label. An object tied to the cluster only by an owner reference, without the label (one added by
     * hand), is not moved.
     */
    public static List<GraphNode> discover(KubernetesClient source, String namespace, String clusterName) {
        Map<String, GraphNode> candidates = new LinkedHashMap<>();
        Consumer<HasMetadata> add = object -> candidates.putIfAbsent(object.getMetadata().getUid(), node(object));
        for (CapiCrds.StoredKind kind : CapiCrds.storedKinds()) {
            if (kind.namespaced()) {
                source.genericKubernetesResources(kind.apiVersion(), kind.kind()).inNamespace(namespace)
                        .withLabel(Capi.CLUSTER_NAME_LABEL, clusterName).list().getItems().forEach(add);
            }
        }
        source.secrets().inNamespace(namespace).withLabel(Capi.CLUSTER_NAME_LABEL, clusterName).list().getItems()
                .forEach(add);
        source.configMaps().inNamespace(namespace).withLabel(Capi.CLUSTER_NAME_LABEL, clusterName).list().getItems()
                .forEach(add);
        Optional.ofNullable(source.genericKubernetesResources(Capi.CORE_API_VERSION, Capi.CLUSTER)
                .inNamespace(namespace).withName(clusterName).get()).ifPresent(add);
        List<String> softOwnedSecrets = Capi.controlPlaneSecretNames(clusterName);
        for (String secret : softOwnedSecrets) {
            Optional.ofNullable(source.secrets().inNamespace(namespace).withName(secret).get()).ifPresent(add);
        }
        return MoveGraph.plan(candidates.values(), node -> clusterName.equals(node.clusterNameLabel())
                || (Capi.CLUSTER.equals(node.kind()) && clusterName.equals(node.name()))
                // clusterctl's "soft ownership": the control plane's Secrets belong to the Cluster by their names
                || ("Secret".equals(node.kind()) && softOwnedSecrets.contains(node.name())));
    }

    private static GraphNode node(HasMetadata object) {
        ObjectMeta metadata = object.getMetadata();
        List<String> owners = metadata.getOwnerReferences() == null ? List.of()
                : metadata.getOwnerReferences().stream().map(OwnerReference::getUid).toList();
        String label = metadata.getLabels() == null ? null : metadata.getLabels().get(Capi.CLUSTER_NAME_LABEL);
        return new GraphNode(object.getApiVersion(), object.getKind(), metadata.getName(), metadata.getUid(), owners,
                label);
    }

    /**
     * Creates the object in the target as it is now in the source, without status (the controllers rebuild
     * it after the unpause), with its owners' new uids, marked with its source uid. When it exists already
     * from an earlier attempt, that one is kept.
     *
     * @return the object's uid in the target
     * @throws UnplaceableObjectException when the target holds another object of that name, or refuses it
     */
    public static String create(KubernetesClient source, KubernetesClient target, String namespace, MovedObject moved,
                                Map<String, String> targetUids) {
        Resource<GenericKubernetesResource> inSource = source.genericKubernetesResources(moved.apiVersion(),
                moved.kind()).inNamespace(namespace).withName(moved.name());
        GenericKubernetesResource original = inSource.get();
        if (original == null || !moved.sourceUid().equals(original.getMetadata().getUid())) {
            throw new UnplaceableObjectException(moved, "it is no longer in the management cluster");
        }
        GenericKubernetesResource copy = copyForTarget(original, moved.sourceUid(), targetUids);
        Resource<GenericKubernetesResource> inTarget = target.genericKubernetesResources(moved.apiVersion(),
                moved.kind()).inNamespace(namespace).withName(moved.name());
        try {
            return inTarget.create(copy).getMetadata().getUid();
        } catch (KubernetesClientException e) {
            if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
                GenericKubernetesResource existing = inTarget.get();
                String from = existing == null || existing.getMetadata().getAnnotations() == null ? null
                        : existing.getMetadata().getAnnotations().get(Capi.MOVED_FROM_UID_ANNOTATION);
                if (moved.sourceUid().equals(from)) {
                    return existing.getMetadata().getUid();
                }
                throw new UnplaceableObjectException(moved, "the workload cluster already has another "
                        + moved.kind() + " of that name");
            }
            if (e.getCode() >= 400 && e.getCode() < 500) {
                throw new UnplaceableObjectException(moved, "the workload cluster refused it: " + e.getMessage());
            }
            throw e;
        }
    }

    static GenericKubernetesResource copyForTarget(GenericKubernetesResource original, String sourceUid,
                                                   Map<String, String> targetUids) {
        GenericKubernetesResource copy = io.fabric8.kubernetes.client.utils.Serialization.clone(original);
        ObjectMeta metadata = copy.getMetadata();
        metadata.setUid(null);
        metadata.setResourceVersion(null);
        metadata.setCreationTimestamp(null);
        metadata.setGeneration(null);
        metadata.setManagedFields(null);
        metadata.setGenerateName(null);
        metadata.setSelfLink(null);
        metadata.setDeletionTimestamp(null);
        Map<String, String> annotations = new LinkedHashMap<>(Optional.ofNullable(metadata.getAnnotations())
                .orElse(Map.of()));
        annotations.put(Capi.MOVED_FROM_UID_ANNOTATION, sourceUid);
        metadata.setAnnotations(annotations);
        if (metadata.getOwnerReferences() != null) {
            List<OwnerReference> owners = new ArrayList<>();
            for (OwnerReference owner : metadata.getOwnerReferences()) {
                String newUid = targetUids.get(owner.getUid());
                if (newUid != null) {
                    owner.setUid(newUid);
                    owners.add(owner);
                }
            }
            metadata.setOwnerReferences(owners);
        }
        copy.getAdditionalProperties().remove("status");
        return copy;
    }

    public static void ensureNamespace(KubernetesClient target, String namespace) {
        if (target.namespaces().withName(namespace).get() == null) {
            DesiredState.ensure(target, new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata()
                    .build());
        }
    }

    /**
     * Deletes the object from the source, as clusterctl does: marked as deleted for a move, without its
     * finalizers, so that no controller tears down the real resources it stands for.
     */
    public static void deleteFromSource(KubernetesClient source, String namespace, MovedObject moved) {
        Resource<GenericKubernetesResource> resource = source.genericKubernetesResources(moved.apiVersion(),
                moved.kind()).inNamespace(namespace).withName(moved.name());
        GenericKubernetesResource current = resource.get();
        if (current == null || !moved.sourceUid().equals(current.getMetadata().getUid())) {
            return;
        }
        resource.edit(object -> {
            Map<String, String> annotations = new LinkedHashMap<>(Optional.ofNullable(
                    object.getMetadata().getAnnotations()).orElse(Map.of()));
            annotations.put(Capi.DELETE_FOR_MOVE_ANNOTATION, "");
            object.getMetadata().setAnnotations(annotations);
            object.getMetadata().setFinalizers(List.of());
            return object;
        });
        resource.delete();
    }

    /** Removes an object a rolled-back move had created in the target. */
    public static void deleteFromTarget(KubernetesClient target, String namespace, MovedObject moved) {
        Resource<GenericKubernetesResource> resource = target.genericKubernetesResources(moved.apiVersion(),
                moved.kind()).inNamespace(namespace).withName(moved.name());
        GenericKubernetesResource current = resource.get();
        if (current != null && moved.targetUid().map(uid -> uid.equals(current.getMetadata().getUid())).orElse(false)) {
            resource.edit(object -> {
                object.getMetadata().setFinalizers(List.of());
                return object;
            });
            resource.delete();
        }
    }
}
