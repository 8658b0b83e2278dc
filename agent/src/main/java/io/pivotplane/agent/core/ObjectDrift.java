package io.pivotplane.agent.core;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;

/**
 * Whether a live object still holds what was applied: every field the applied object sets has the same value live.
 * Fields the API server or a controller added (defaults, status, the metadata it keeps) are not drift; a field
 * someone changed or removed is. The same rule as a server-side apply's field ownership, without managed fields.
 */
final class ObjectDrift {

    private static final java.util.Set<String> SERVER_METADATA = java.util.Set.of("resourceVersion", "uid",
            "generation", "creationTimestamp", "managedFields", "selfLink", "finalizers", "ownerReferences");

    private ObjectDrift() {
    }

    /** The path of the first field that differs, e.g. {@code spec.replicas}, or empty when the live object holds all. */
    static Optional<String> firstDifference(JsonNode applied, JsonNode live) {
        return difference("", applied, live);
    }

    private static Optional<String> difference(String path, JsonNode applied, JsonNode live) {
        if (applied == null || applied.isNull()) {
            return Optional.empty();
        }
        if (live == null || live.isMissingNode() || live.isNull()) {
            return Optional.of(path.isEmpty() ? "(object)" : path);
        }
        if (applied.isObject()) {
            if (!live.isObject()) {
                return Optional.of(path);
            }
            for (Iterator<Map.Entry<String, JsonNode>> fields = applied.fields(); fields.hasNext(); ) {
                Map.Entry<String, JsonNode> field = fields.next();
                if (path.isEmpty() && field.getKey().equals("status")
                        || path.equals("metadata") && SERVER_METADATA.contains(field.getKey())) {
                    continue;
                }
                Optional<String> inner = difference(path.isEmpty() ? field.getKey() : path + "." + field.getKey(),
                        field.getValue(), live.get(field.getKey()));
                if (inner.isPresent()) {
                    return inner;
                }
            }
            return Optional.empty();
        }
        if (applied.isArray()) {
            if (!live.isArray() || live.size() != applied.size()) {
                return Optional.of(path);
            }
            for (int i = 0; i < applied.size(); i++) {
                Optional<String> inner = difference(path + "[" + i + "]", applied.get(i), live.get(i));
                if (inner.isPresent()) {
                    return inner;
                }
            }
            return Optional.empty();
        }
        if (applied.isNumber() && live.isNumber()) {
            return applied.decimalValue().compareTo(live.decimalValue()) == 0 ? Optional.empty() : Optional.of(path);
        }
        return applied.asText().equals(live.asText()) && applied.getNodeType() == live.getNodeType()
                ? Optional.empty() : Optional.of(path);
    }
}
