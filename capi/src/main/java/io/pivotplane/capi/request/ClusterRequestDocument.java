package io.pivotplane.capi.request;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A cluster request written as a {@code ClusterRequest} of {@code pivotplane.io/v1alpha1}: the fields of the REST
 * body under {@code spec}, the cluster's name and project as {@code metadata.name} and {@code metadata.namespace}.
 * This is what {@code pivotctl} reads and what a user applies to a management cluster.
 */
public final class ClusterRequestDocument {

    public static final String API_VERSION = "pivotplane.io/v1alpha1";
    public static final String KIND = "ClusterRequest";
    public static final String PROFILE_KIND = "ClusterProfile";

    /** A key given twice is an error, as in the REST API, rather than the last one winning. */
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    /**
     * Unknown fields are errors: a typo in a request should not silently fall back to a default; nor are 2.5
     * replicas rounded.
     */
    private static final ObjectMapper STRICT = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);

    private ClusterRequestDocument() {
    }

    /**
     * The REST body the document stands for ({@code name}, {@code project} and the fields of {@code spec}).
     *
     * @throws InvalidClusterRequestException naming each problem of the document's form
     */
    public static Map<String, Object> body(String yaml) {
        List<Violation> violations = new java.util.ArrayList<>();
        Resource resource = resource(yaml, KIND, violations);
        Map<String, Object> metadata = resource.metadata();
        Map<String, Object> spec = resource.spec();
        for (String field : List.of("name", "project")) {
            if (spec.containsKey(field)) {
                violations.add(new Violation("spec." + field, "is not a field of spec: the "
                        + (field.equals("name") ? "name is metadata.name" : "project is metadata.namespace")));
            }
        }
        if (!violations.isEmpty()) {
            throw new InvalidClusterRequestException(violations);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", metadata.get("name"));
        body.put("project", metadata.get("namespace"));
        body.putAll(spec);
        return body;
    }

    /**
     * The REST body of a stored profile that a {@code ClusterProfile} document stands for: its name as
     * {@code metadata.name}, its version, description and add-ons under {@code spec}.
     *
     * @throws InvalidClusterRequestException naming each problem of the document's form
     */
    public static Map<String, Object> profileBody(String yaml) {
        List<Violation> violations = new java.util.ArrayList<>();
        Resource resource = resource(yaml, PROFILE_KIND, violations);
        Map<String, Object> metadata = resource.metadata();
        Map<String, Object> spec = resource.spec();
        if (spec.containsKey("name")) {
            violations.add(new Violation("spec.name", "is not a field of spec: the name is metadata.name"));
        }
        if (!violations.isEmpty()) {
            throw new InvalidClusterRequestException(violations);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", metadata.get("name"));
        body.putAll(spec);
        return body;
    }

    /** A document's metadata and spec. */
    private record Resource(Map<String, Object> metadata, Map<String, Object> spec) {
    }

    /** The document's metadata and spec, once its apiVersion and kind are checked; problems go to {@code violations}. */
    private static Resource resource(String yaml, String kind, List<Violation> violations) {
        Map<String, Object> document = parse(yaml);
        expect(violations, document, "apiVersion", API_VERSION);
        expect(violations, document, "kind", kind);
        return new Resource(object(violations, document, "metadata"), object(violations, document, "spec"));
    }

    /** A profile's REST body as the validator's input; unknown fields and wrong types are named as violations. */
    public static ClusterProfileInput profileInput(Map<String, Object> body) {
        return convert(body, ClusterProfileInput.class);
    }

    /** The request the document stands for, before validation; see {@link ClusterRequestValidator}. */
    public static ClusterRequestInput read(String yaml) {
        return input(body(yaml));
    }

    /** A REST body as the validator's input; unknown fields and wrong types are named as violations. */
    public static ClusterRequestInput input(Map<String, Object> body) {
        return convert(body, ClusterRequestInput.class);
    }

    private static <T> T convert(Map<String, Object> body, Class<T> type) {
        try {
            return STRICT.convertValue(body, type);
        } catch (IllegalArgumentException e) {
            Throwable cause = e.getCause() instanceof JsonMappingException ? e.getCause() : e;
            throw new InvalidClusterRequestException(List.of(mappingViolation(cause)));
        }
    }

    private static Violation mappingViolation(Throwable failure) {
        if (failure instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()) {
            String path = mapping.getPath().stream()
                    .map(ref -> ref.getIndex() >= 0 ? "[" + ref.getIndex() + "]" : "." + ref.getFieldName())
                    .collect(Collectors.joining()).replaceFirst("^\\.", "");
            String field = path.startsWith("name") || path.startsWith("project") ? path : "spec." + path;
            boolean unknown = mapping instanceof com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
            return new Violation(field, unknown ? "is not a known field" : "has the wrong type: " + mapping.getOriginalMessage());
        }
        return new Violation("", failure.getMessage());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> parse(String yaml) {
        if (yaml == null || yaml.isBlank()) {
            throw new InvalidClusterRequestException(List.of(new Violation("", "the document is empty")));
        }
        try {
            Object document = YAML.readValue(yaml, Object.class);
            if (!(document instanceof Map)) {
                throw new InvalidClusterRequestException(List.of(new Violation("",
                        "expected a " + KIND + " object, found " + (document == null ? "nothing" : "a " + kindOf(document)))));
            }
            return (Map<String, Object>) document;
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? ""
                    : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
            throw new InvalidClusterRequestException(List.of(new Violation("", "is not valid YAML" + where + ": "
                    + e.getOriginalMessage())));
        }
    }

    private static void expect(List<Violation> violations, Map<String, Object> document, String field, String value) {
        Object actual = document.get(field);
        if (!value.equals(actual)) {
            violations.add(new Violation(field, "must be " + value + (actual == null ? "" : ", is " + actual)));
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(List<Violation> violations, Map<String, Object> document, String field) {
        Object value = document.get(field);
        if (value instanceof Map) {
            return (Map<String, Object>) value;
        }
        violations.add(new Violation(field, value == null ? "is required" : "must be an object"));
        return Map.of();
    }

    private static String kindOf(Object value) {
        return value instanceof List ? "list" : value.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT);
    }
}
