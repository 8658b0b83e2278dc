package io.pivotplane.devstack.infra;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/** A {@code metav1.LabelSelector} ({@code matchLabels} and {@code matchExpressions}) against an object's labels. */
public final class LabelSelectors {

    private static final ObjectMapper MAPPER = Serialization.jsonMapper();

    private LabelSelectors() {
    }

    /**
     * The same for a selector as a custom resource's fields hold it (maps and lists; one that is not a map selects all)
     * and labels as a map.
     */
    public static boolean matches(Object selector, Map<String, String> labels) {
        if (!(selector instanceof Map<?, ?>)) {
            return true;
        }
        JsonNode selectorJson = MAPPER.valueToTree(selector);
        JsonNode labelsJson = MAPPER.valueToTree(labels);
        return matches(selectorJson, labelsJson);
    }

    /** Whether the selector (JSON) selects the labels (a JSON object, or missing); an empty selector selects all. */
    public static boolean matches(JsonNode selector, JsonNode labels) {
        for (Map.Entry<String, JsonNode> required : (Iterable<Map.Entry<String, JsonNode>>)
                () -> selector.path("matchLabels").fields()) {
            if (!labels.has(required.getKey())
                    || !labels.get(required.getKey()).asText().equals(required.getValue().asText())) {
                return false;
            }
        }
        for (JsonNode expression : selector.path("matchExpressions")) {
            String key = expression.path("key").asText();
            Set<String> values = new HashSet<>();
            expression.path("values").forEach(value -> values.add(value.asText()));
            boolean has = labels.has(key);
            String value = has ? labels.get(key).asText() : null;
            boolean ok = switch (expression.path("operator").asText()) {
                case "In" -> has && values.contains(value);
                case "NotIn" -> !has || !values.contains(value);
                case "Exists" -> has;
                case "DoesNotExist" -> !has;
                default -> false;
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
