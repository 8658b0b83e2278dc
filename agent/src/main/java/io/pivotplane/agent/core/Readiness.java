package io.pivotplane.agent.core;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

/**
 * Whether an applied object is rolled out, by the rules Helm's {@code --wait} and kstatus apply to its kind:
 * Deployments, DaemonSets and StatefulSets have observed their generation and have every replica updated and
 * available; CRDs are Established; Jobs are Complete. Any other kind is ready once it exists.
 */
final class Readiness {

    /** Not ready yet, and why; {@code failed} when it never will be (a Job that failed). */
    record NotReady(String reason, boolean failed) {
    }

    private Readiness() {
    }

    static Optional<NotReady> of(JsonNode object) {
        String kind = object.path("kind").asText();
        String name = kind + " " + object.path("metadata").path("name").asText();
        JsonNode status = object.path("status");
        long generation = object.path("metadata").path("generation").asLong(0);
        if (kind.equals("CustomResourceDefinition")) {
            return conditionTrue(status, "Established") ? Optional.empty()
                    : notReady(name + " is not Established yet");
        }
        if (kind.equals("Job")) {
            if (conditionTrue(status, "Failed")) {
                return Optional.of(new NotReady(name + " failed: " + conditionMessage(status, "Failed"), true));
            }
            return conditionTrue(status, "Complete") ? Optional.empty() : notReady(name + " has not completed");
        }
        if (!kind.equals("Deployment") && !kind.equals("DaemonSet") && !kind.equals("StatefulSet")) {
            return Optional.empty();
        }
        if (status.path("observedGeneration").asLong(-1) < generation) {
            return notReady(name + ": its controller has not seen generation " + generation + " yet");
        }
        long wanted;
        long updated;
        long available;
        switch (kind) {
            case "Deployment" -> {
                wanted = object.path("spec").path("replicas").asLong(1);
                updated = status.path("updatedReplicas").asLong(0);
                available = status.path("availableReplicas").asLong(0);
            }
            case "DaemonSet" -> {
                wanted = status.path("desiredNumberScheduled").asLong(0);
                updated = status.path("updatedNumberScheduled").asLong(0);
                available = status.path("numberAvailable").asLong(0);
            }
            default -> {
                wanted = object.path("spec").path("replicas").asLong(1);
                updated = status.path("updatedReplicas").asLong(0);
                available = status.has("availableReplicas") ? status.path("availableReplicas").asLong(0)
                        : status.path("readyReplicas").asLong(0);
            }
        }
        if (updated < wanted || available < wanted) {
            return notReady(name + ": " + available + " of " + wanted + " available, " + updated + " updated");
        }
        return Optional.empty();
    }

    private static Optional<NotReady> notReady(String reason) {
        return Optional.of(new NotReady(reason, false));
    }

    private static boolean conditionTrue(JsonNode status, String type) {
        for (JsonNode condition : status.path("conditions")) {
            if (type.equals(condition.path("type").asText())) {
                return "True".equals(condition.path("status").asText());
            }
        }
        return false;
    }

    private static String conditionMessage(JsonNode status, String type) {
        for (JsonNode condition : status.path("conditions")) {
            if (type.equals(condition.path("type").asText())) {
                return condition.path("message").asText(condition.path("reason").asText("no reason given"));
            }
        }
        return "no reason given";
    }
}
