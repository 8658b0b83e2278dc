package io.pivotplane.devstack.infra;

import com.fasterxml.jackson.databind.JsonNode;
import io.pivotplane.devstack.infra.ApiResources.Resource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The admission webhooks of one API server, as far as a simulation can call them: every mutating and validating
 * webhook whose rules, namespace selector and object selector match a request must be reachable, or (with its default
 * {@code failurePolicy: Fail}) the request fails as a real server fails it, with a 500 naming the webhook. A webhook
 * behind a Service is reachable when the Service exists, its Endpoints have a ready address (a pod of the webhook's
 * server runs) and the configuration has a {@code caBundle} to verify its certificate with; one behind a URL is taken
 * as reachable. What the webhooks would answer (defaults, validation) is not simulated.
 */
final class AdmissionWebhooks {

    static final String GROUP = "admissionregistration.k8s.io";

    /** Objects the API server reads while deciding. */
    interface Lookup {
        /** The object, or null. */
        JsonNode find(String resource, String namespace, String name);
    }

    private record Rule(Set<String> operations, Set<String> groups, Set<String> versions, Set<String> resources,
                        String scope) {
    }

    private record Webhook(String name, String serviceNamespace, String serviceName, int port, String path,
                           boolean byUrl, boolean caBundle, boolean failClosed, List<Rule> rules,
                           JsonNode namespaceSelector, JsonNode objectSelector) {
    }

    /** By {@code <plural>/<name>} of the configuration. */
    private final Map<String, List<Webhook>> configurations = new ConcurrentHashMap<>();

    /** A webhook configuration was stored ({@code configuration} its JSON) or deleted (null). */
    void configured(String plural, String name, JsonNode configuration) {
        String key = plural + "/" + name;
        if (configuration == null) {
            configurations.remove(key);
            return;
        }
        List<Webhook> webhooks = new ArrayList<>();
        for (JsonNode webhook : configuration.path("webhooks")) {
            JsonNode clientConfig = webhook.path("clientConfig");
            JsonNode service = clientConfig.path("service");
            List<Rule> rules = new ArrayList<>();
            for (JsonNode rule : webhook.path("rules")) {
                rules.add(new Rule(strings(rule.path("operations")), strings(rule.path("apiGroups")),
                        strings(rule.path("apiVersions")), strings(rule.path("resources")),
                        rule.path("scope").asText("*")));
            }
            webhooks.add(new Webhook(webhook.path("name").asText(), service.path("namespace").asText(),
                    service.path("name").asText(), service.path("port").asInt(443), service.path("path").asText(""),
                    clientConfig.hasNonNull("url"), !clientConfig.path("caBundle").asText("").isEmpty(),
                    !"Ignore".equals(webhook.path("failurePolicy").asText("Fail")), rules,
                    webhook.get("namespaceSelector"), webhook.get("objectSelector")));
        }
        configurations.put(key, List.copyOf(webhooks));
    }

    /** Whether no webhook is configured: then no request needs a look. */
    boolean isEmpty() {
        return configurations.isEmpty();
    }

    /**
     * Why the request fails in a webhook, or empty.
     *
     * @param operation {@code CREATE}, {@code UPDATE} or {@code DELETE}
     * @param object    the object as it would be stored (CREATE, UPDATE), or null; read only when a selector needs it
     * @param old       the object as it is (UPDATE, DELETE), or null; read only when a selector needs it
     */
    Optional<String> refusal(String operation, ResourcePath target, Resource resource, Supplier<JsonNode> object,
                             Supplier<JsonNode> old, Lookup lookup) {
        if (resource.group().equals(GROUP) || configurations.isEmpty()) {
            return Optional.empty();
        }
        for (List<Webhook> webhooks : configurations.values()) {
            for (Webhook webhook : webhooks) {
                if (!webhook.failClosed() || !matches(webhook, operation, target, resource)
                        || !selects(webhook, target, resource, object, old, lookup)) {
                    continue;
                }
                Optional<String> unreachable = unreachable(webhook, lookup);
                if (unreachable.isPresent()) {
                    return Optional.of("failed calling webhook \"" + webhook.name() + "\": failed to call webhook: "
                            + "Post \"https://" + webhook.serviceName() + "." + webhook.serviceNamespace() + ".svc:"
                            + webhook.port() + webhook.path() + "?timeout=10s\": " + unreachable.get());
                }
            }
        }
        return Optional.empty();
    }

    private static boolean matches(Webhook webhook, String operation, ResourcePath target, Resource resource) {
        for (Rule rule : webhook.rules()) {
            if (anyOf(rule.operations(), operation) && anyOf(rule.groups(), resource.group())
                    && anyOf(rule.versions(), target.version())
                    && resourceMatches(rule.resources(), resource.plural(), target.subresource())
                    && (rule.scope().equals("*") || rule.scope().equals(resource.namespaced() ? "Namespaced"
                    : "Cluster"))) {
                return true;
            }
        }
        return false;
    }

    /** {@code *} is every resource but no subresource, {@code *}{@code /*} everything, {@code x/*} x's subresources. */
    private static boolean resourceMatches(Set<String> patterns, String plural, String subresource) {
        for (String pattern : patterns) {
            String[] parts = pattern.split("/", 2);
            String resourcePart = parts[0];
            String subPart = parts.length > 1 ? parts[1] : "";
            boolean resourceOk = resourcePart.equals("*") || resourcePart.equals(plural);
            boolean subOk = subPart.equals("*") || subPart.equals(subresource);
            if (resourceOk && subOk) {
                return true;
            }
        }
        return false;
    }

    private static boolean selects(Webhook webhook, ResourcePath target, Resource resource, Supplier<JsonNode> newer,
                                   Supplier<JsonNode> older, Lookup lookup) {
        JsonNode object = webhook.namespaceSelector() == null && webhook.objectSelector() == null ? null : newer.get();
        JsonNode old = webhook.namespaceSelector() == null && webhook.objectSelector() == null ? null : older.get();
        if (webhook.namespaceSelector() != null && !webhook.namespaceSelector().isEmpty()) {
            JsonNode namespace = null;
            if (resource.namespaced()) {
                namespace = lookup.find("namespaces", "", target.namespace());
            } else if (resource.group().isEmpty() && resource.plural().equals("namespaces")) {
                namespace = object != null ? object : old;
            }
            if (namespace != null && !LabelSelectors.matches(webhook.namespaceSelector(),
                    namespace.path("metadata").path("labels"))) {
                return false;
            }
        }
        if (webhook.objectSelector() != null && !webhook.objectSelector().isEmpty()) {
            boolean newMatches = object != null && LabelSelectors.matches(webhook.objectSelector(),
                    object.path("metadata").path("labels"));
            boolean oldMatches = old != null && LabelSelectors.matches(webhook.objectSelector(),
                    old.path("metadata").path("labels"));
            return newMatches || oldMatches;
        }
        return true;
    }

    private static Optional<String> unreachable(Webhook webhook, Lookup lookup) {
        if (webhook.byUrl()) {
            return Optional.empty();
        }
        if (lookup.find("services", webhook.serviceNamespace(), webhook.serviceName()) == null) {
            return Optional.of("service \"" + webhook.serviceName() + "\" not found");
        }
        JsonNode endpoints = lookup.find("endpoints", webhook.serviceNamespace(), webhook.serviceName());
        boolean ready = false;
        if (endpoints != null) {
            for (JsonNode subset : endpoints.path("subsets")) {
                ready |= !subset.path("addresses").isEmpty();
            }
        }
        if (!ready) {
            return Optional.of("no endpoints available for service \"" + webhook.serviceName() + "\"");
        }
        if (!webhook.caBundle()) {
            return Optional.of("tls: failed to verify certificate: x509: certificate signed by unknown authority");
        }
        return Optional.empty();
    }

    private static boolean anyOf(Set<String> values, String value) {
        return values.contains("*") || values.contains(value);
    }

    private static Set<String> strings(JsonNode array) {
        Set<String> values = new HashSet<>();
        for (Iterator<JsonNode> it = array.elements(); it.hasNext(); ) {
            values.add(it.next().asText());
        }
        return values;
    }
}
