package io.pivotplane.capi;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Reads and builds the nested maps of {@link GenericKubernetesResource}s: spec, status, references. */
public final class ObjectMaps {

    private ObjectMaps() {
    }

    /** A map that keeps the order of its entries, from alternating keys and values; null values are left out. */
    public static Map<String, Object> map(Object... keysAndValues) {
        if (keysAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("keys and values must come in pairs");
        }
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            if (keysAndValues[i + 1] != null) {
                map.put((String) keysAndValues[i], keysAndValues[i + 1]);
            }
        }
        return map;
    }

    public static Map<String, Object> reference(String apiVersion, String kind, String name) {
        return map("apiVersion", apiVersion, "kind", kind, "name", name);
    }

    /** The value at a path of keys, e.g. {@code at(cluster, "status", "infrastructureReady")}. */
    public static Optional<Object> at(GenericKubernetesResource resource, String... path) {
        Object current = resource.getAdditionalProperties();
        for (String key : path) {
            if (!(current instanceof Map<?, ?> map)) {
                return Optional.empty();
            }
            current = map.get(key);
        }
        return Optional.ofNullable(current);
    }

    public static boolean isTrue(GenericKubernetesResource resource, String... path) {
        return at(resource, path).map(value -> Boolean.TRUE.equals(value) || "true".equals(value)).orElse(false);
    }

    public static Optional<String> string(GenericKubernetesResource resource, String... path) {
        return at(resource, path).map(Object::toString);
    }

    public static int integer(GenericKubernetesResource resource, int fallback, String... path) {
        return at(resource, path).filter(Number.class::isInstance).map(n -> ((Number) n).intValue()).orElse(fallback);
    }

    /** Whether {@code status.conditions} holds the condition with status {@code True}. */
    public static boolean conditionTrue(GenericKubernetesResource resource, String type) {
        return at(resource, "status", "conditions")
                .filter(List.class::isInstance)
                .map(list -> ((List<?>) list).stream()
                        .filter(Map.class::isInstance)
                        .map(Map.class::cast)
                        .anyMatch(c -> type.equals(c.get("type")) && "True".equals(c.get("status"))))
                .orElse(false);
    }

    /** A copy that shares nothing that can change with the original: metadata's maps, nested maps and lists. */
    public static GenericKubernetesResource copy(GenericKubernetesResource object) {
        GenericKubernetesResource copy = new GenericKubernetesResource();
        copy.setApiVersion(object.getApiVersion());
        copy.setKind(object.getKind());
        ObjectMeta metadata = object.getMetadata();
        if (metadata != null) {
            ObjectMeta copied = new ObjectMetaBuilder(metadata).build();
            copied.setLabels(metadata.getLabels() == null ? null : new LinkedHashMap<>(metadata.getLabels()));
            copied.setAnnotations(metadata.getAnnotations() == null ? null : new LinkedHashMap<>(metadata.getAnnotations()));
            copy.setMetadata(copied);
        }
        copy.setAdditionalProperties(deepCopy(object.getAdditionalProperties()));
        return copy;
    }

    @SuppressWarnings("unchecked")
    private static <T> T deepCopy(T value) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>(map.size() * 4 / 3 + 1);
            map.forEach((key, item) -> copy.put((String) key, deepCopy(item)));
            return (T) copy;
        }
        if (value instanceof List<?> list) {
            List<Object> copy = new ArrayList<>(list.size());
            list.forEach(item -> copy.add(deepCopy(item)));
            return (T) copy;
        }
        return value;
    }

    /** The map at a path, created empty where missing, so that a caller can set values below it. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> mapAt(GenericKubernetesResource resource, String... path) {
        Map<String, Object> current = resource.getAdditionalProperties();
        for (String key : path) {
            Object next = current.get(key);
            if (!(next instanceof Map)) {
                next = new LinkedHashMap<String, Object>();
                current.put(key, next);
            }
            current = (Map<String, Object>) next;
        }
        return current;
    }
}
