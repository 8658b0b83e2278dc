package io.pivotplane.devstack.infra;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.mockwebserver.http.MockResponse;
import io.pivotplane.devstack.infra.ApiResources.Resource;
import java.net.HttpURLConnection;
import java.util.List;

/** A request the API server answers with a {@code Status} instead of handling it, as a real one words it. */
final class Refusal extends RuntimeException {

    private final transient MockResponse response;

    private Refusal(int code, String body) {
        super(body, null, false, false);
        this.response = new MockResponse().setResponseCode(code).setBody(body);
    }

    private Refusal(int code, String reason, String message, String name, String kind, List<String> causes) {
        this(code, status(code, reason, message, name, kind, causes));
    }

    MockResponse response() {
        return response;
    }

    /** What an unknown path or a resource nobody serves gets. */
    static Refusal notFound() {
        return new Refusal(HttpURLConnection.HTTP_NOT_FOUND, "NotFound",
                "the server could not find the requested resource", null, null, List.of());
    }

    static Refusal notFound(String resource, String name) {
        return new Refusal(HttpURLConnection.HTTP_NOT_FOUND, "NotFound", resource + " \"" + name + "\" not found",
                name, resource, List.of());
    }

    static Refusal forbidden(String message) {
        return new Refusal(HttpURLConnection.HTTP_FORBIDDEN, "Forbidden", message, null, null, List.of());
    }

    static Refusal methodNotAllowed(String message) {
        return new Refusal(HttpURLConnection.HTTP_BAD_METHOD, "MethodNotAllowed", message, null, null, List.of());
    }

    static Refusal badRequest(String message) {
        return new Refusal(HttpURLConnection.HTTP_BAD_REQUEST, "BadRequest", message, null, null, List.of());
    }

    static Refusal conflict(String resource, String name, String message) {
        return new Refusal(HttpURLConnection.HTTP_CONFLICT, "Conflict", "Operation cannot be fulfilled on " + resource
                + " \"" + name + "\": " + message, name, resource, List.of());
    }

    /** A write based on an old resourceVersion of the object. */
    static Refusal stale(Resource resource, String name) {
        String qualified = resource.group().isEmpty() ? resource.plural() : resource.plural() + "." + resource.group();
        return conflict(qualified, name, "the object has been modified; please apply your changes to the latest "
                + "version and try again");
    }

    /** An object that fails validation: each cause is {@code <field>: <what>}. */
    static Refusal invalid(String kind, String name, List<String> causes) {
        String message = kind + " \"" + name + "\" is invalid: "
                + (causes.size() == 1 ? causes.get(0) : "[" + String.join(", ", causes) + "]");
        return new Refusal(422, "Invalid", message, name, kind, causes);
    }

    static Refusal internalError(String message) {
        return new Refusal(HttpURLConnection.HTTP_INTERNAL_ERROR, "InternalError", "Internal error occurred: " + message,
                null, null, List.of());
    }

    private static String status(int code, String reason, String message, String name, String kind,
                                 List<String> causes) {
        ObjectNode status = Json.object().put("kind", "Status").put("apiVersion", "v1");
        status.putObject("metadata");
        status.put("status", "Failure").put("message", message).put("reason", reason);
        ObjectNode details = status.putObject("details");
        if (name != null) {
            details.put("name", name);
        }
        if (kind != null) {
            details.put("kind", kind);
        }
        if (!causes.isEmpty()) {
            ArrayNode array = details.putArray("causes");
            causes.forEach(cause -> {
                int colon = cause.indexOf(": ");
                array.addObject().put("reason", "FieldValueInvalid").put("message", cause.substring(colon + 2))
                        .put("field", cause.substring(0, colon));
            });
        }
        status.put("code", code);
        return Json.write(status);
    }
}
