package io.pivotplane.capi.request;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.util.List;
import java.util.Set;

/**
 * What an add-on's manifests may hold, checked when the request comes in rather than when the agent applies them:
 * Kubernetes objects (YAML documents with {@code apiVersion}, {@code kind} and {@code metadata.name}); no Secret, whose
 * values would otherwise travel in clear through Kafka, the services' databases and the API's answers; no binding that
 * gives {@code cluster-admin} to anonymous or unauthenticated callers.
 */
final class ManifestAdmission {

    private static final YAMLMapper YAML = new YAMLMapper();
    private static final Set<String> ANONYMOUS_SUBJECTS = Set.of("system:anonymous", "system:unauthenticated");
    private static final Set<String> BINDINGS = Set.of("ClusterRoleBinding", "RoleBinding");

    private ManifestAdmission() {
    }

    /** Adds a violation at {@code path} (e.g. {@code profile.addons[0].manifests[1]}) for each refused document. */
    static void check(List<Violation> violations, String path, String manifest) {
        int document = 0;
        // one document at a time: a reader of many values would take a top-level list for several documents
        try (JsonParser documents = YAML.createParser(manifest)) {
            JsonNode object;
            while ((object = YAML.readTree(documents)) != null) {
                document++;
                if (object.isNull() || object.isMissingNode()) {
                    continue;
                }
                String refusal = refusal(object);
                if (refusal != null) {
                    violations.add(new Violation(path, "document " + document + ": " + refusal));
                }
            }
        } catch (IOException | RuntimeException e) {
            violations.add(new Violation(path, "document " + (document + 1) + " is not YAML: "
                    + firstLine(e.getMessage())));
        }
    }

    private static String refusal(JsonNode object) {
        if (!object.isObject()) {
            return "must be a Kubernetes object (a mapping), is " + object.getNodeType().name().toLowerCase();
        }
        String kind = object.path("kind").asText("");
        if (object.path("apiVersion").asText("").isBlank() || kind.isBlank()
                || object.path("metadata").path("name").asText("").isBlank()) {
            return "a Kubernetes object needs apiVersion, kind and metadata.name";
        }
        String name = object.path("metadata").path("name").asText();
        if (kind.equals("Secret") && object.path("apiVersion").asText().equals("v1")) {
            return "Secret '" + name + "' is refused: its values would travel in clear through Kafka, the services'"
                    + " databases and the API's answers; have the cluster get it another way (an external-secrets"
                    + " operator in the profile, or the cloud's secret store)";
        }
        if (BINDINGS.contains(kind) && object.path("roleRef").path("name").asText("").equals("cluster-admin")) {
            for (JsonNode subject : object.path("subjects")) {
                String subjectName = subject.path("name").asText("");
                if (ANONYMOUS_SUBJECTS.contains(subjectName)) {
                    return kind + " '" + name + "' gives cluster-admin to '" + subjectName
                            + "': anyone who reaches the API server would own the cluster";
                }
            }
        }
        return null;
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int end = message.indexOf('\n');
        return end < 0 ? message : message.substring(0, end);
    }
}
