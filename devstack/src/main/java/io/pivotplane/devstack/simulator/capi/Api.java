package io.pivotplane.devstack.simulator.capi;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import java.net.HttpURLConnection;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The API of one cluster as the simulated controllers use it: objects of known kinds as generic resources, written
 * with PUT (a stale resource version fails with 409 and the reconcile runs again, as a controller's would), status
 * through {@code /status} and only when it changed, so that a controller's own writes do not wake it forever.
 */
final class Api {

    private final KubernetesClient client;

    Api(KubernetesClient client) {
        this.client = client;
    }

    KubernetesClient client() {
        return client;
    }

    private MixedOperation<GenericKubernetesResource, GenericKubernetesResourceList, Resource<GenericKubernetesResource>>
    resources(Kind kind) {
        return client.genericKubernetesResources(kind.context());
    }

    private NonNamespaceOperation<GenericKubernetesResource, GenericKubernetesResourceList, Resource<GenericKubernetesResource>>
    in(Kind kind, String namespace) {
        return kind.namespaced() ? resources(kind).inNamespace(namespace) : resources(kind);
    }

    GenericKubernetesResource get(Kind kind, String namespace, String name) {
        if (name == null) {
            return null;
        }
        return in(kind, namespace).withName(name).get();
    }

    /** The object a reference ({@code apiVersion}, {@code kind}, {@code name}) names in the namespace. */
    Optional<GenericKubernetesResource> referenced(Object reference, String namespace) {
        if (!(reference instanceof Map<?, ?> ref) || ref.get("kind") == null || ref.get("name") == null) {
            return Optional.empty();
        }
        return kindOf(ref).map(kind -> get(kind, Objects.toString(ref.get("namespace"), namespace),
                String.valueOf(ref.get("name"))));
    }

    static Optional<Kind> kindOf(Map<?, ?> reference) {
        return Kind.known(String.valueOf(reference.get("apiVersion")), String.valueOf(reference.get("kind")));
    }

    /**
     * The objects whose labels equal these. A label required to be empty is matched here rather than by the server:
     * fabric8's mock ignores {@code key=} requirements (a real server does not).
     */
    List<GenericKubernetesResource> list(Kind kind, String namespace, Map<String, String> labels) {
        var operation = in(kind, namespace);
        Map<String, String> served = new LinkedHashMap<>();
        labels.forEach((k, v) -> {
            if (!v.isEmpty()) {
                served.put(k, v);
            }
        });
        List<GenericKubernetesResource> items = (served.isEmpty() ? operation.list() : operation.withLabels(served).list())
                .getItems();
        if (served.size() == labels.size()) {
            return items;
        }
        return items.stream().filter(o -> labels.entrySet().stream()
                .allMatch(e -> e.getValue().equals(labels(o).get(e.getKey())))).toList();
    }

    List<GenericKubernetesResource> listAll(Kind kind) {
        return kind.namespaced() ? resources(kind).inAnyNamespace().list().getItems() : resources(kind).list().getItems();
    }

    List<GenericKubernetesResource> ofCluster(Kind kind, String namespace, String cluster) {
        return list(kind, namespace, Map.of(io.pivotplane.capi.Capi.CLUSTER_NAME_LABEL, cluster));
    }

    GenericKubernetesResource create(Kind kind, GenericKubernetesResource object) {
        return in(kind, object.getMetadata().getNamespace()).resource(object).create();
    }

    /** Creates the object, or returns the one of that name that exists already. */
    GenericKubernetesResource createOrGet(Kind kind, GenericKubernetesResource object) {
        try {
            return create(kind, object);
        } catch (KubernetesClientException e) {
            if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
                return get(kind, object.getMetadata().getNamespace(), object.getMetadata().getName());
            }
            throw e;
        }
    }

    <T extends HasMetadata> T createOrGet(T object) {
        try {
            return client.resource(object).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
                return client.resource(object).get();
            }
            throw e;
        }
    }

    /** Replaces the object (PUT with its resource version); status is not written this way. */
    GenericKubernetesResource update(Kind kind, GenericKubernetesResource object) {
        return in(kind, object.getMetadata().getNamespace()).resource(object).update();
    }

    /** Writes {@code status} through {@code /status} when it differs from the object's; true when it wrote. */
    boolean writeStatus(Kind kind, GenericKubernetesResource object, Map<String, Object> status) {
        Map<String, Object> normalized = normalized(status);
        if (normalized.equals(normalized(object.getAdditionalProperties().get("status")))) {
            return false;
        }
        object.setAdditionalProperty("status", normalized);
        GenericKubernetesResource written = in(kind, object.getMetadata().getNamespace()).resource(object).updateStatus();
        object.getMetadata().setResourceVersion(written.getMetadata().getResourceVersion());
        return true;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> normalized(Object status) {
        if (status == null) {
            return Map.of();
        }
        // what comes back from the server: numbers as Integer/Long alike, no nulls
        return io.fabric8.kubernetes.client.utils.Serialization.jsonMapper().convertValue(status, Map.class);
    }

    /**
     * Adds the finalizer when missing, as CAPI's {@code finalizers.EnsureFinalizer}: true when it did, and then the
     * caller returns, to come back with the updated object.
     */
    boolean ensureFinalizer(Kind kind, GenericKubernetesResource object, String finalizer) {
        List<String> finalizers = Objects.requireNonNullElse(object.getMetadata().getFinalizers(), List.of());
        if (finalizers.contains(finalizer)) {
            return false;
        }
        List<String> updated = new ArrayList<>(finalizers);
        updated.add(finalizer);
        object.getMetadata().setFinalizers(updated);
        replaceMetadata(kind, object);
        return true;
    }

    void removeFinalizer(Kind kind, GenericKubernetesResource object, String finalizer) {
        List<String> finalizers = Objects.requireNonNullElse(object.getMetadata().getFinalizers(), List.of());
        if (!finalizers.contains(finalizer)) {
            return;
        }
        List<String> updated = new ArrayList<>(finalizers);
        updated.remove(finalizer);
        object.getMetadata().setFinalizers(updated);
        try {
            replaceMetadata(kind, object);
        } catch (KubernetesClientException e) {
            if (e.getCode() != HttpURLConnection.HTTP_NOT_FOUND) {
                throw e;
            }
        }
    }

    private void replaceMetadata(Kind kind, GenericKubernetesResource object) {
        GenericKubernetesResource written = update(kind, object);
        // removing the last finalizer of a deleted object deletes it: nothing comes back then
        if (written != null && written.getMetadata() != null) {
            object.getMetadata().setResourceVersion(written.getMetadata().getResourceVersion());
        }
    }

    /** Changes an object's metadata or spec and writes it when the change did something. */
    GenericKubernetesResource change(Kind kind, GenericKubernetesResource object, UnaryOperator<GenericKubernetesResource> edit) {
        Map<String, Object> before = normalized(Api.without(object, "status"));
        GenericKubernetesResource edited = edit.apply(object);
        if (before.equals(normalized(Api.without(edited, "status")))) {
            return object;
        }
        GenericKubernetesResource written = update(kind, edited);
        object.getMetadata().setResourceVersion(written.getMetadata().getResourceVersion());
        return written;
    }

    private static Map<String, Object> without(GenericKubernetesResource object, String field) {
        Map<String, Object> all = new LinkedHashMap<>(object.getAdditionalProperties());
        all.remove(field);
        all.put("metadata", object.getMetadata());
        return all;
    }

    /** Deletes the object unless it is gone or going already. */
    void delete(Kind kind, GenericKubernetesResource object) {
        if (object.getMetadata().getDeletionTimestamp() != null) {
            return;
        }
        in(kind, object.getMetadata().getNamespace()).withName(object.getMetadata().getName()).delete();
    }

    Secret secret(String namespace, String name) {
        return client.secrets().inNamespace(namespace).withName(name).get();
    }

    static String data(Secret secret, String key) {
        if (secret == null) {
            return null;
        }
        if (secret.getStringData() != null && secret.getStringData().containsKey(key)) {
            return secret.getStringData().get(key);
        }
        if (secret.getData() == null || !secret.getData().containsKey(key)) {
            return null;
        }
        return new String(Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8);
    }

    static Map<String, String> base64(Map<String, String> data) {
        Map<String, String> encoded = new LinkedHashMap<>();
        data.forEach((k, v) -> encoded.put(k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))));
        return encoded;
    }

    // ownerReferences

    static OwnerReference ownerReference(HasMetadata owner, boolean controller) {
        return new OwnerReferenceBuilder().withApiVersion(owner.getApiVersion()).withKind(owner.getKind())
                .withName(owner.getMetadata().getName()).withUid(owner.getMetadata().getUid())
                .withController(controller ? Boolean.TRUE : null)
                .withBlockOwnerDeletion(controller ? Boolean.TRUE : null)
                .build();
    }

    static List<OwnerReference> owners(HasMetadata object) {
        return Objects.requireNonNullElse(object.getMetadata().getOwnerReferences(), List.of());
    }

    static boolean ownedBy(HasMetadata object, HasMetadata owner) {
        return owners(object).stream().anyMatch(o -> owner.getMetadata().getUid().equals(o.getUid()));
    }

    static Optional<OwnerReference> owner(HasMetadata object, String kind) {
        return owners(object).stream().filter(o -> kind.equals(o.getKind())).findFirst();
    }

    static Optional<OwnerReference> controllerOf(HasMetadata object) {
        return owners(object).stream().filter(o -> Boolean.TRUE.equals(o.getController())).findFirst();
    }

    /** Adds or replaces the reference to {@code owner} (util.EnsureOwnerRef). */
    static void ensureOwnerReference(HasMetadata object, OwnerReference reference) {
        List<OwnerReference> updated = new ArrayList<>();
        boolean replaced = false;
        for (OwnerReference existing : owners(object)) {
            boolean same = existing.getKind().equals(reference.getKind())
                    && groupOf(existing.getApiVersion()).equals(groupOf(reference.getApiVersion()))
                    && existing.getName().equals(reference.getName());
            if (same) {
                updated.add(reference);
                replaced = true;
            } else {
                updated.add(existing);
            }
        }
        if (!replaced) {
            updated.add(reference);
        }
        object.getMetadata().setOwnerReferences(updated);
    }

    private static String groupOf(String apiVersion) {
        int slash = apiVersion.indexOf('/');
        return slash < 0 ? "" : apiVersion.substring(0, slash);
    }

    static boolean deleting(HasMetadata object) {
        return object.getMetadata().getDeletionTimestamp() != null;
    }

    static Map<String, String> labels(HasMetadata object) {
        return Objects.requireNonNullElse(object.getMetadata().getLabels(), Map.of());
    }

    static Map<String, String> annotations(HasMetadata object) {
        return Objects.requireNonNullElse(object.getMetadata().getAnnotations(), Map.of());
    }
}
