package io.pivotplane.devstack.infra;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pivotplane.devstack.infra.ApiResources.Resource;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;

/**
 * What the API server's registry strategies and validation do to an object of some kinds as it is written
 * ({@code pkg/registry/core/<kind>/strategy.go}, {@code apiextensions-apiserver/pkg/registry}): Secrets, ConfigMaps,
 * Services, Namespaces, Nodes and CustomResourceDefinitions. Each method changes the object in place, or throws a
 * {@link Refusal} for what validation refuses.
 */
final class Strategies {

    static final String SA_TOKEN_TYPE = "kubernetes.io/service-account-token";
    static final String SA_NAME_ANNOTATION = "kubernetes.io/service-account.name";
    static final String SA_UID_ANNOTATION = "kubernetes.io/service-account.uid";
    static final String NAMESPACE_FINALIZER = "kubernetes";

    /** The next address the Service IP allocator hands out, in 10.96.0.0/12 (10.96.0.1 is the API server's). */
    private int nextServiceIp = 10;

    /**
     * A Secret as stored: {@code stringData} folded into {@code data}, type {@code Opaque} unless given, validated for
     * its type; on update ({@code current} non-null), its type and (when {@code immutable}) its data unchanged.
     */
    static ObjectNode secret(ObjectNode secret, ObjectNode current) {
        ObjectNode data = Json.child(secret, "data");
        JsonNode stringData = secret.remove("stringData");
        if (stringData != null) {
            // a JSON null decodes into Go's empty string, as the API server reads map[string]string
            stringData.fields().forEachRemaining(entry -> data.put(entry.getKey(), Base64.getEncoder()
                    .encodeToString((entry.getValue().isNull() ? "" : entry.getValue().asText())
                            .getBytes(StandardCharsets.UTF_8))));
        }
        if (!secret.hasNonNull("type") || secret.get("type").asText().isEmpty()) {
            secret.put("type", "Opaque");
        }
        String type = secret.get("type").asText();
        List<String> invalid = new ArrayList<>();
        if (type.equals(SA_TOKEN_TYPE)
                && secret.path("metadata").path("annotations").path(SA_NAME_ANNOTATION).asText("").isEmpty()) {
            invalid.add("metadata.annotations[" + SA_NAME_ANNOTATION + "]: Required value");
        }
        if (type.equals("kubernetes.io/tls")) {
            for (String key : List.of("tls.crt", "tls.key")) {
                if (!data.has(key)) {
                    invalid.add("data[" + key + "]: Required value");
                }
            }
        }
        if (current != null) {
            if (!type.equals(current.path("type").asText("Opaque"))) {
                invalid.add("type: Invalid value: \"" + type + "\": field is immutable");
            }
            immutable("Secret", secret, current, "data");
        }
        if (!invalid.isEmpty()) {
            throw Refusal.invalid("Secret", secret.path("metadata").path("name").asText(), invalid);
        }
        return secret;
    }

    /** A ConfigMap marked {@code immutable} keeps its data. */
    static void configMap(ObjectNode configMap, ObjectNode current) {
        immutable("ConfigMap", configMap, current, "data", "binaryData");
    }

    private static void immutable(String kind, ObjectNode object, ObjectNode current, String... fields) {
        if (!current.path("immutable").asBoolean(false)) {
            return;
        }
        for (String field : fields) {
            if (!Objects.equals(object.get(field), current.get(field))) {
                throw Refusal.invalid(kind, object.path("metadata").path("name").asText(),
                        List.of(field + ": Forbidden: field is immutable when `immutable` is set"));
            }
        }
    }

    /**
     * A Service as stored: type ClusterIP, a cluster IP allocated (or kept from {@code current} when an update leaves
     * it out, as {@code patchAllocatedValues} does), and the defaults of its ports and policies.
     */
    synchronized ObjectNode service(ObjectNode service, ObjectNode current) {
        ObjectNode spec = Json.child(service, "spec");
        if (!spec.hasNonNull("type")) {
            spec.put("type", "ClusterIP");
        }
        if (!spec.hasNonNull("sessionAffinity")) {
            spec.put("sessionAffinity", "None");
        }
        if (!"ExternalName".equals(spec.get("type").asText())) {
            String clusterIp = spec.path("clusterIP").asText("");
            String currentIp = current == null ? "" : current.path("spec").path("clusterIP").asText("");
            if (clusterIp.isEmpty() && !currentIp.isEmpty()) {
                clusterIp = currentIp;
            } else if (clusterIp.isEmpty()) {
                clusterIp = "10.96." + (nextServiceIp / 250) + "." + (nextServiceIp % 250 + 1);
                nextServiceIp++;
            }
            spec.put("clusterIP", clusterIp);
            spec.putArray("clusterIPs").add(clusterIp);
            if (!clusterIp.equals("None")) {
                spec.putArray("ipFamilies").add("IPv4");
                spec.put("ipFamilyPolicy", "SingleStack");
            }
            if (!spec.hasNonNull("internalTrafficPolicy")) {
                spec.put("internalTrafficPolicy", "Cluster");
            }
        }
        for (JsonNode port : spec.path("ports")) {
            ObjectNode servicePort = (ObjectNode) port;
            if (!servicePort.hasNonNull("protocol")) {
                servicePort.put("protocol", "TCP");
            }
            if (!servicePort.hasNonNull("targetPort")) {
                servicePort.set("targetPort", servicePort.get("port"));
            }
        }
        return service;
    }

    /**
     * A Namespace as stored: labelled with its name ({@code kubernetes.io/metadata.name}); a new one finalized by the
     * namespace controller and Active; on update, {@code spec.finalizers} kept (only /finalize changes them).
     */
    static ObjectNode namespace(ObjectNode namespace, ObjectNode current) {
        ObjectNode metadata = Json.child(namespace, "metadata");
        Json.child(metadata, "labels").put("kubernetes.io/metadata.name", metadata.path("name").asText());
        if (current == null) {
            namespace.putObject("spec").putArray("finalizers").add(NAMESPACE_FINALIZER);
            namespace.putObject("status").put("phase", "Active");
        } else {
            namespace.set("spec", current.path("spec").deepCopy());
        }
        return namespace;
    }

    /** A Node's provider id, once set, never changes ({@code ValidateNodeUpdate}). */
    static void node(ObjectNode node, ObjectNode current) {
        String providerId = current.path("spec").path("providerID").asText("");
        if (!providerId.isEmpty() && !providerId.equals(node.path("spec").path("providerID").asText(""))) {
            throw Refusal.invalid("Node", current.path("metadata").path("name").asText(), List.of("spec.providerID: "
                    + "Forbidden: node updates may not change providerID except from \"\" to valid"));
        }
    }

    /**
     * A CRD as the apiextensions server defaults it and its controllers establish it: names defaulted and accepted,
     * the storage version recorded, conditions NamesAccepted and Established true. Returns the resources it serves,
     * one per served version.
     */
    static List<Resource> establish(ObjectNode crd) {
        ObjectNode spec = Json.child(crd, "spec");
        ObjectNode names = Json.child(spec, "names");
        String kind = names.path("kind").asText();
        if (!names.hasNonNull("singular")) {
            names.put("singular", kind.toLowerCase());
        }
        if (!names.hasNonNull("listKind")) {
            names.put("listKind", kind + "List");
        }
        if (!spec.has("conversion")) {
            spec.putObject("conversion").put("strategy", "None");
        }
        String group = spec.path("group").asText();
        boolean namespaced = "Namespaced".equals(spec.path("scope").asText());
        List<Resource> served = new ArrayList<>();
        String storageVersion = null;
        for (JsonNode version : spec.path("versions")) {
            if (version.path("storage").asBoolean()) {
                storageVersion = version.path("name").asText();
            }
            if (version.path("served").asBoolean()) {
                served.add(new Resource(group, version.path("name").asText(), names.path("plural").asText(),
                        names.path("singular").asText(), kind, namespaced,
                        version.path("subresources").has("status") ? ApiResources.Status.SUBRESOURCE
                                : ApiResources.Status.NONE));
            }
        }
        ObjectNode status = Json.child(crd, "status");
        status.set("acceptedNames", names.deepCopy());
        ArrayNode storedVersions = status.has("storedVersions") ? (ArrayNode) status.get("storedVersions")
                : status.putArray("storedVersions");
        boolean recorded = false;
        for (JsonNode stored : storedVersions) {
            recorded |= stored.asText().equals(storageVersion);
        }
        if (storageVersion != null && !recorded) {
            storedVersions.add(storageVersion);
        }
        trueCondition(crd, "NamesAccepted", "NoConflicts", "no conflicts found");
        trueCondition(crd, "Established", "InitialNamesAccepted", "the initial names have been accepted");
        return served;
    }

    /** Sets a True condition in {@code status.conditions}, keeping its transition time when it was True already. */
    static void trueCondition(ObjectNode object, String type, String reason, String message) {
        ObjectNode status = Json.child(object, "status");
        ArrayNode conditions = status.has("conditions") && status.get("conditions").isArray()
                ? (ArrayNode) status.get("conditions") : status.putArray("conditions");
        String since = Json.now();
        for (Iterator<JsonNode> it = conditions.elements(); it.hasNext(); ) {
            JsonNode condition = it.next();
            if (type.equals(condition.path("type").asText())) {
                if ("True".equals(condition.path("status").asText())) {
                    since = condition.path("lastTransitionTime").asText(since);
                }
                it.remove();
            }
        }
        conditions.addObject().put("type", type).put("status", "True").put("reason", reason).put("message", message)
                .put("lastTransitionTime", since);
    }

    /** Whether a service-account token Secret still lacks what the token controller fills in. */
    static boolean needsToken(ObjectNode secret) {
        JsonNode data = secret.path("data");
        return SA_TOKEN_TYPE.equals(secret.path("type").asText())
                && (!data.hasNonNull("token") || !data.hasNonNull("namespace") || !data.hasNonNull("ca.crt"));
    }

    /** A JWT-shaped token naming the account, as the legacy token controller issues it (unsigned here). */
    static String token(String namespace, String account, String uid) {
        Base64.Encoder url = Base64.getUrlEncoder().withoutPadding();
        String header = url.encodeToString("{\"alg\":\"RS256\",\"kid\":\"simulated\"}".getBytes(StandardCharsets.UTF_8));
        String payload = url.encodeToString(("{\"iss\":\"kubernetes/serviceaccount\",\"kubernetes.io/serviceaccount/"
                + "namespace\":\"" + namespace + "\",\"kubernetes.io/serviceaccount/service-account.name\":\"" + account
                + "\",\"kubernetes.io/serviceaccount/service-account.uid\":\"" + uid + "\",\"sub\":\"system:"
                + "serviceaccount:" + namespace + ":" + account + "\"}").getBytes(StandardCharsets.UTF_8));
        return header + "." + payload + ".c2ltdWxhdGVk";
    }
}
