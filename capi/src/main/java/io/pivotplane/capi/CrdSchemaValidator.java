package io.pivotplane.capi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Validates objects against the {@code openAPIV3Schema} of the upstream CRDs in {@link CapiCrds} (and of
 * pivotplane's own {@code ClusterRequest}), as strictly as
 * an API server would take them: a field the schema does not know is an error here, because the API server would
 * silently prune it and the provider would never see it.
 *
 * <p>A Kubernetes structural schema is turned into JSON Schema draft 4: {@code additionalProperties: false} on
 * every object that does not preserve unknown fields, {@code nullable} as a {@code null} type, and
 * {@code x-kubernetes-int-or-string} as integer or string. CEL rules ({@code x-kubernetes-validations}) are not
 * evaluated.
 */
public final class CrdSchemaValidator {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4);
    private static final Map<String, Schema> SCHEMAS = new ConcurrentHashMap<>();

    private CrdSchemaValidator() {
    }

    /**
     * The problems of an object against the schema of its kind at its API version, each as
     * {@code <path>: <message>}; empty when it is valid.
     *
     * @throws IllegalArgumentException when no CRD of the project serves that kind at that version
     */
    public static List<String> problems(HasMetadata object) {
        Schema schema = SCHEMAS.computeIfAbsent(object.getApiVersion() + "/" + object.getKind(),
                key -> REGISTRY.getSchema(toJsonSchema(openApiSchema(object.getApiVersion(), object.getKind()), true)));
        JsonNode instance = JSON.valueToTree(object);
        return schema.validate(instance).stream()
                .map(error -> error.getInstanceLocation() + ": " + error.getMessage())
                .toList();
    }

    private static JsonNode openApiSchema(String apiVersion, String kind) {
        String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
        String version = apiVersion.substring(apiVersion.indexOf('/') + 1);
        CustomResourceDefinition crd = java.util.stream.Stream.concat(CapiCrds.all().stream(),
                        io.pivotplane.capi.request.ClusterRequestCrd.all().stream())
                .filter(c -> c.getSpec().getGroup().equals(group) && c.getSpec().getNames().getKind().equals(kind))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no CRD of " + kind + " in " + group));
        CustomResourceDefinitionVersion served = crd.getSpec().getVersions().stream()
                .filter(v -> v.getName().equals(version) && Boolean.TRUE.equals(v.getServed()))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException(kind + " is not served at " + apiVersion));
        return JSON.valueToTree(served.getSchema().getOpenAPIV3Schema());
    }

    /** The structural schema as JSON Schema; {@code root} keeps the object's metadata free-form, as the API server does. */
    private static JsonNode toJsonSchema(JsonNode structural, boolean root) {
        ObjectNode schema = NODES.objectNode();
        boolean preserveUnknown = structural.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
        boolean intOrString = structural.path("x-kubernetes-int-or-string").asBoolean(false);
        for (Iterator<Map.Entry<String, JsonNode>> fields = structural.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            String keyword = field.getKey();
            JsonNode value = field.getValue();
            switch (keyword) {
                case "properties" -> {
                    ObjectNode properties = schema.putObject("properties");
                    value.fields().forEachRemaining(p -> properties.set(p.getKey(),
                            root && p.getKey().equals("metadata") ? NODES.objectNode().put("type", "object")
                                    : toJsonSchema(p.getValue(), false)));
                }
                case "items", "additionalProperties", "not" -> schema.set(keyword,
                        value.isObject() ? toJsonSchema(value, false) : value);
                case "allOf", "anyOf", "oneOf" -> {
                    ArrayNode parts = schema.putArray(keyword);
                    value.forEach(part -> parts.add(toJsonSchema(part, false)));
                }
                case "pattern" -> schema.put(keyword, javaPattern(value.asText()));
                case "type", "enum", "required", "minimum", "maximum", "exclusiveMinimum",
                     "exclusiveMaximum", "minLength", "maxLength", "minItems", "maxItems", "uniqueItems",
                     "minProperties", "maxProperties", "multipleOf" -> schema.set(keyword, value);
                default -> {
                    // descriptions, formats, defaults and x-kubernetes-* extensions constrain nothing here
                }
            }
        }
        if (structural.path("nullable").asBoolean(false) && schema.has("type")) {
            schema.set("type", NODES.arrayNode().add(schema.get("type").asText()).add("null"));
        }
        if (intOrString && !schema.has("anyOf") && !schema.has("type")) {
            schema.putArray("anyOf").add(NODES.objectNode().put("type", "integer"))
                    .add(NODES.objectNode().put("type", "string"));
        }
        boolean isObject = "object".equals(structural.path("type").asText());
        if (isObject && !preserveUnknown && !schema.has("additionalProperties")) {
            schema.put("additionalProperties", false);
        }
        return schema;
    }

    /**
     * The upstream patterns are Go (RE2) regular expressions. They read the same in Java but for one thing: an
     * unescaped {@code [} inside a character class is a literal in RE2 and opens a nested class in Java.
     */
    static String javaPattern(String re2) {
        StringBuilder java = new StringBuilder(re2.length() + 4);
        boolean inClass = false;
        for (int i = 0; i < re2.length(); i++) {
            char c = re2.charAt(i);
            if (c == '\\' && i + 1 < re2.length()) {
                java.append(c).append(re2.charAt(++i));
            } else if (c == '[' && inClass) {
                java.append("\\[");
            } else {
                if (c == '[') {
                    inClass = true;
                    if (i + 1 < re2.length() && re2.charAt(i + 1) == ']') {
                        // a class that starts with ']' holds it as a literal
                        java.append("[\\]");
                        i++;
                        continue;
                    }
                } else if (c == ']') {
                    inClass = false;
                }
                java.append(c);
            }
        }
        return java.toString();
    }

    /** Whether the project holds the CRD of this kind, so that {@link #problems} can check it. */
    public static boolean knows(String apiVersion, String kind) {
        try {
            openApiSchema(apiVersion, kind);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
