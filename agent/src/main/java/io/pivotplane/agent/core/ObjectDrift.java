package io.pivotplane.agent.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Whether a live object still holds what was applied: every field the applied object sets has the same value live.
 * Fields the API server or a controller added (defaults, status, the metadata it keeps) are not drift; a field
 * someone changed or removed is. The same rule as a server-side apply's field ownership, without managed fields.
 */
final class ObjectDrift {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> SERVER_METADATA = Set.of("resourceVersion", "uid",
            "generation", "creationTimestamp", "managedFields", "selfLink", "finalizers", "ownerReferences");

    private ObjectDrift() {
    }

    /** Whether two states of an object differ in their status and what the server keeps in their metadata only. */
    static boolean sameBesidesStatus(Object before, Object after) {
        return owned(JSON.valueToTree(before)).equals(owned(JSON.valueToTree(after)));
    }

    private static JsonNode owned(JsonNode object) {
        ObjectNode copy = ((ObjectNode) object).deepCopy();
        copy.remove("status");
        if (copy.get("metadata") instanceof ObjectNode metadata) {
            metadata.remove(SERVER_METADATA);
        }
        return copy;
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
