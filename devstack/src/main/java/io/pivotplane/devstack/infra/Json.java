package io.pivotplane.devstack.infra;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;

/** The JSON the API server reads and writes, with fabric8's mapper. */
final class Json {

    private static final ObjectMapper MAPPER = Serialization.jsonMapper();

    private Json() {
    }

    /** An object's JSON; a body that is not one is a bad request. */
    static ObjectNode parse(String json) {
        try {
            JsonNode node = MAPPER.readTree(json);
            if (node == null || !node.isObject()) {
                throw Refusal.badRequest("the body is not an object");
            }
            return (ObjectNode) node;
        } catch (JsonProcessingException e) {
            throw Refusal.badRequest("the body is not JSON: " + e.getOriginalMessage());
        }
    }

    static String write(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    /** The child object of that name, made when missing. */
    static ObjectNode child(ObjectNode parent, String field) {
        JsonNode child = parent.get(field);
        return child != null && child.isObject() ? (ObjectNode) child : parent.putObject(field);
    }

    static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Now, as Kubernetes writes times. */
    static String now() {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    }
}
