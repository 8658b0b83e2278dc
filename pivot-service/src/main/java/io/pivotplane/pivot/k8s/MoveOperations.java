package io.pivotplane.pivot.k8s;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.pivotplane.capi.Capi;
import io.pivotplane.capi.ObjectMaps;
import io.pivotplane.capi.k8s.DesiredState;
import io.pivotplane.capi.k8s.Kubeconfigs;
import io.pivotplane.pivot.domain.DiscoveryType;
import io.pivotplane.pivot.domain.GraphObject;
import io.pivotplane.pivot.domain.MovePlan;
import io.pivotplane.pivot.domain.ObjectGraph;
import io.pivotplane.pivot.persistence.MovedObject;
import java.net.HttpURLConnection;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The Kubernetes side of a move, with the semantics of {@code clusterctl move}, written as plain reads and writes. */
public final class MoveOperations {

    private MoveOperations() {
    }

    /**
     * clusterctl's {@code checkProvisioningCompleted} (cmd/clusterctl/client/cluster/mover.go, v1.9): the cluster's
     * infrastructure is ready, its control plane initialized and ready, and every Machine has its node. Before that
     * the source's controllers are still at work, and pausing them would strand what they were doing.
     *
     * @return what is not yet so; empty when the cluster may move
     */
    public static List<String> provisioningProblems(KubernetesClient source, String namespace, String clusterName) {
        List<String> problems = new ArrayList<>();
        GenericKubernetesResource cluster = source.genericKubernetesResources(Capi.CORE_API_VERSION, Capi.CLUSTER)
                .inNamespace(namespace).withName(clusterName).get();
        if (cluster == null) {
            problems.add("Cluster " + namespace + "/" + clusterName + " does not exist");
            return problems;
        }
        if (!ObjectMaps.isTrue(cluster, "status", "infrastructureReady")) {
            problems.add("the infrastructure is still being provisioned (Cluster.status.infrastructureReady)");
            return problems;
        }
        if (!ObjectMaps.conditionTrue(cluster, Capi.CONDITION_CONTROL_PLANE_INITIALIZED)) {
            problems.add("the control plane is not yet initialized (condition ControlPlaneInitialized)");
            return problems;
        }
        if (ObjectMaps.at(cluster, "spec", "controlPlaneRef").isPresent()
                && !ObjectMaps.isTrue(cluster, "status", "controlPlaneReady")) {
            problems.add("the control plane is not yet ready (Cluster.status.controlPlaneReady: no control-plane"
                    + " node is Ready)");
        }
        for (GenericKubernetesResource machine : source.genericKubernetesResources(Capi.CORE_API_VERSION,
                Capi.MACHINE).inNamespace(namespace).withLabel(Capi.CLUSTER_NAME_LABEL, clusterName).list().getItems()) {
            if (ObjectMaps.at(machine, "status", "nodeRef").isEmpty()) {
                problems.add("Machine " + machine.getMetadata().getName() + " is still provisioning its node"
                        + " (status.nodeRef)");
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
        return client(kubeconfig, httpClients, source);
    }

    static KubernetesClient client(Config config, HttpClient.Factory httpClients, KubernetesClient like) {
        return new KubernetesClientBuilder().withConfig(config).withHttpClientFactory(httpClients)
                .withKubernetesSerialization(like.getKubernetesSerialization()).build();
    }

    public static void apply(KubernetesClient client, List<? extends HasMetadata> objects) {
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
     * clusterctl's object graph for one cluster (see {@link ObjectGraph}). The candidates are what clusterctl lists,
     * narrowed the way pivotplane moves one cluster rather than a namespace: of each discovery type, the objects that
     * carry this cluster's name label and those that carry no cluster's (an object labelled for another cluster is
     * that cluster's, and listing all of them would make each pivot read the whole project); every object of the
     * cluster-scoped types (global identities); and, as clusterctl does, the Secrets of the infrastructure
     * providers' namespaces, where global identities keep theirs.
     */
    public static MovePlan plan(KubernetesClient source, ClusterKinds kinds, String namespace, String clusterName) {
        Map<String, String> providerNamespaces = ProviderInventory.infrastructureNamespaces(
                ProviderInventory.read(source));
        List<DiscoveryType> types = new ArrayList<>();
        for (CustomResourceDefinition crd : kinds.definitions()) {
            types.add(GraphObjects.of(crd));
        }
        types.add(DiscoveryType.secret());
        types.add(DiscoveryType.configMap());
        Map<String, GraphObject> candidates = new LinkedHashMap<>();
        for (DiscoveryType type : types) {
            var resources = kinds.resources(type.apiVersion(), type.kind());
            List<GenericKubernetesResource> found = new ArrayList<>();
            if (type.clusterScoped()) {
                found.addAll(resources.list().getItems());
            } else {
                found.addAll(resources.inNamespace(namespace).withLabel(Capi.CLUSTER_NAME_LABEL, clusterName).list()
                        .getItems());
                found.addAll(resources.inNamespace(namespace).withoutLabel(Capi.CLUSTER_NAME_LABEL).list().getItems());
                if ("Secret".equals(type.kind())) {
                    for (String providerNamespace : providerNamespaces.values()) {
                        if (!providerNamespace.equals(namespace)) {
                            found.addAll(resources.inNamespace(providerNamespace).list().getItems());
                        }
                    }
                }
            }
            for (GenericKubernetesResource object : found) {
                candidates.putIfAbsent(object.getMetadata().getUid(), GraphObjects.of(object, providerNamespaces));
            }
        }
        return ObjectGraph.plan(types, candidates.values(), namespace, clusterName);
    }

    /**
     * Creates the object in the target as it is now in the source, without status (the controllers rebuild it after
     * the unpause), with its owners' new uids, marked with its source uid. When it exists already from an earlier
     * attempt, that one is kept; so is an object that stays in the source (a global identity, shared credentials)
     * and that the target has already, as clusterctl keeps those.
     *
     * @return the object's uid in the target
     * @throws UnplaceableObjectException when the target holds another object of that name, or refuses it
     */
    public static String create(ClusterKinds source, ClusterKinds target, MovedObject moved,
                                Map<String, String> targetUids) {
        GenericKubernetesResource original = source.resource(moved.apiVersion(), moved.kind(), moved.namespace(),
                moved.name()).get();
        if (original == null || !moved.sourceUid().equals(original.getMetadata().getUid())) {
            throw new UnplaceableObjectException(moved, "it is no longer in the source cluster");
        }
        GenericKubernetesResource copy = copyForTarget(original, moved, targetUids);
        Resource<GenericKubernetesResource> inTarget = target.resource(moved.apiVersion(), moved.kind(),
                moved.namespace(), moved.name());
        try {
            return inTarget.create(copy).getMetadata().getUid();
        } catch (KubernetesClientException e) {
            if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
                GenericKubernetesResource existing = inTarget.get();
                if (existing == null) {
                    throw e;
                }
                String from = existing.getMetadata().getAnnotations() == null ? null
                        : existing.getMetadata().getAnnotations().get(Capi.MOVED_FROM_UID_ANNOTATION);
                if (moved.sourceUid().equals(from) || moved.keepIfExists()) {
                    return existing.getMetadata().getUid();
                }
                throw new UnplaceableObjectException(moved, "the target already has another " + moved.kind()
                        + " of that name");
            }
            if (e.getCode() >= 400 && e.getCode() < 500) {
                throw new UnplaceableObjectException(moved, "the target refused it: " + e.getMessage());
            }
            throw e;
        }
    }

    /**
     * The source object as the target should get it: as clusterctl's {@code createTargetObject}, without server-set
     * fields and status, its owner references rebuilt with the owners' uids in the target (each owner is moved
     * before what it owns). An owner without a uid in the target is a broken plan, never a reference dropped.
     */
    static GenericKubernetesResource copyForTarget(GenericKubernetesResource original, MovedObject moved,
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
        metadata.setDeletionGracePeriodSeconds(null);
        Map<String, String> annotations = new LinkedHashMap<>(Optional.ofNullable(metadata.getAnnotations())
                .orElse(Map.of()));
        annotations.put(Capi.MOVED_FROM_UID_ANNOTATION, moved.sourceUid());
        annotations.remove(Capi.DELETE_FOR_MOVE_ANNOTATION);
        metadata.setAnnotations(annotations);
        if (metadata.getOwnerReferences() != null) {
            List<OwnerReference> owners = new ArrayList<>();
            for (OwnerReference owner : metadata.getOwnerReferences()) {
                String newUid = targetUids.get(owner.getUid());
                if (newUid == null) {
                    throw new UnplaceableObjectException(moved, "its owner " + owner.getKind() + " "
                            + owner.getName() + " has not been moved before it");
                }
                owner.setUid(newUid);
                owners.add(owner);
            }
            metadata.setOwnerReferences(owners);
        }
        copy.getAdditionalProperties().remove("status");
        return copy;
    }

    public static void ensureNamespace(KubernetesClient target, String namespace) {
        if (namespace != null && target.namespaces().withName(namespace).get() == null) {
            DesiredState.ensure(target, new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata()
                    .build());
        }
    }

    /**
     * Deletes the object from the source, as clusterctl's {@code deleteSourceObject} does and in its order: marked as
     * deleted for a move, deleted, and only then stripped of its finalizers, so that no controller tears down the real
     * resources it stands for. Stripped first, a finalizer would come back: Cluster API's controllers add theirs
     * before they look whether the cluster is paused, and only while the object is not being deleted.
     */
    public static void deleteFromSource(ClusterKinds source, MovedObject moved) {
        Resource<GenericKubernetesResource> resource = source.resource(moved.apiVersion(), moved.kind(),
                moved.namespace(), moved.name());
        GenericKubernetesResource current = resource.get();
        if (current == null || !moved.sourceUid().equals(current.getMetadata().getUid())) {
            return;
        }
        if (current.getMetadata().getAnnotations() == null
                || !current.getMetadata().getAnnotations().containsKey(Capi.DELETE_FOR_MOVE_ANNOTATION)) {
            resource.edit(object -> {
                Map<String, String> annotations = new LinkedHashMap<>(Optional.ofNullable(
                        object.getMetadata().getAnnotations()).orElse(Map.of()));
                annotations.put(Capi.DELETE_FOR_MOVE_ANNOTATION, "");
                object.getMetadata().setAnnotations(annotations);
                return object;
            });
        }
        deleteWithoutFinalizers(resource, moved.sourceUid());
    }

    /** Deletes, then removes the finalizers that hold the object, if it is still the one meant. */
    private static void deleteWithoutFinalizers(Resource<GenericKubernetesResource> resource, String uid) {
        resource.delete();
        GenericKubernetesResource deleting = resource.get();
        if (deleting != null && uid.equals(deleting.getMetadata().getUid())
                && deleting.getMetadata().getFinalizers() != null && !deleting.getMetadata().getFinalizers().isEmpty()) {
            resource.edit(object -> {
                object.getMetadata().setFinalizers(List.of());
                return object;
            });
        }
    }

    /**
     * Removes an object a rolled-back move had created in the target; one the target had before (shared credentials
     * it kept) stays.
     */
    public static void deleteFromTarget(ClusterKinds target, MovedObject moved) {
        Resource<GenericKubernetesResource> resource = target.resource(moved.apiVersion(), moved.kind(),
                moved.namespace(), moved.name());
        GenericKubernetesResource current = resource.get();
        boolean createdByThisMove = current != null && current.getMetadata().getAnnotations() != null
                && moved.sourceUid().equals(current.getMetadata().getAnnotations().get(Capi.MOVED_FROM_UID_ANNOTATION));
        if (createdByThisMove
                && moved.targetUid().map(uid -> uid.equals(current.getMetadata().getUid())).orElse(false)) {
            deleteWithoutFinalizers(resource, current.getMetadata().getUid());
        }
    }
}
