package io.pivotplane.capi;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
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
