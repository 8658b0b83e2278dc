package io.pivotplane.capi.k8s;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.net.HttpURLConnection;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * "This object should exist like this": creates it, replaces it when what we own differs (labels,
 * annotations, and everything but metadata and status), or leaves it alone. Writes are create and PUT with
 * the current {@code resourceVersion}, which a real API server and fabric8's mock agree on; a conflict is
 * retried on the fresh object.
 */
public final class DesiredState {

    private static final int ATTEMPTS = 5;

    private DesiredState() {
    }

    public static <T extends HasMetadata> WriteResult ensure(KubernetesClient client, T desired) {
        for (int attempt = 1; ; attempt++) {
            try {
                return ensureOnce(client, desired);
            } catch (KubernetesClientException e) {
                if (e.getCode() != HttpURLConnection.HTTP_CONFLICT || attempt >= ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static <T extends HasMetadata> WriteResult ensureOnce(KubernetesClient client, T desired) {
        T current = client.resource(desired).get();
        if (current == null) {
            try {
                client.resource(desired).create();
                return WriteResult.CREATED;
            } catch (KubernetesClientException e) {
                if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
                    throw e;
                }
                current = client.resource(desired).get();
                if (current == null) {
                    throw e;
                }
            }
        }
        if (matches(desired, current)) {
            return WriteResult.UNCHANGED;
        }
        T replacement = (T) Serialization.clone(desired);
        ObjectMeta metadata = replacement.getMetadata();
        metadata.setResourceVersion(current.getMetadata().getResourceVersion());
        metadata.setUid(current.getMetadata().getUid());
        if (metadata.getOwnerReferences() == null || metadata.getOwnerReferences().isEmpty()) {
            metadata.setOwnerReferences(current.getMetadata().getOwnerReferences());
        }
        metadata.setFinalizers(current.getMetadata().getFinalizers());
        client.resource(replacement).update();
        return WriteResult.UPDATED;
    }

    /** Whether the current object already holds everything the desired one says. */
    static boolean matches(HasMetadata desired, HasMetadata current) {
        return contains(current.getMetadata().getLabels(), desired.getMetadata().getLabels())
                && contains(current.getMetadata().getAnnotations(), desired.getMetadata().getAnnotations())
                && Objects.equals(content(desired), content(current));
    }

    private static boolean contains(Map<String, String> current, Map<String, String> desired) {
        if (desired == null || desired.isEmpty()) {
            return true;
        }
        return current != null && current.entrySet().containsAll(desired.entrySet());
    }

    /** The object as a map without metadata and status: the part a writer owns. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> content(HasMetadata object) {
        Map<String, Object> map = new HashMap<>(Serialization.jsonMapper().convertValue(object, Map.class));
        map.remove("metadata");
        map.remove("status");
        map.remove("apiVersion");
        map.remove("kind");
        return map;
    }
}
