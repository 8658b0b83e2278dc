package io.pivotplane.devstack.simulator.capi;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.pivotplane.capi.ObjectMaps;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The v1beta1 conditions of an object's status, as CAPI's {@code util/conditions} keeps them: one per type, a
 * severity on those that are not True, the transition time kept while the status stays the same, sorted by type
 * with {@code Ready} first.
 */
final class Conditions {

    static final String TRUE = "True";
    static final String FALSE = "False";
    static final String UNKNOWN = "Unknown";
    static final String ERROR = "Error";
    static final String WARNING = "Warning";
    static final String INFO = "Info";

    private final Map<String, Map<String, Object>> byType = new LinkedHashMap<>();

    private Conditions() {
    }

    /** The conditions the object carries now. */
    static Conditions of(GenericKubernetesResource object) {
        Conditions conditions = new Conditions();
        ObjectMaps.at(object, "status", "conditions").filter(List.class::isInstance).ifPresent(list -> {
            for (Object item : (List<?>) list) {
                if (item instanceof Map<?, ?> condition) {
                    Map<String, Object> copy = new LinkedHashMap<>();
                    condition.forEach((k, v) -> copy.put(String.valueOf(k), v));
                    conditions.byType.put(String.valueOf(condition.get("type")), copy);
                }
            }
        });
        return conditions;
    }

    Conditions markTrue(String type) {
        return set(type, TRUE, null, null, null);
    }

    Conditions markFalse(String type, String reason, String severity, String message) {
        return set(type, FALSE, reason, severity, message);
    }

    Conditions markUnknown(String type, String reason, String message) {
        return set(type, UNKNOWN, reason, null, message);
    }

    Conditions set(String type, String status, String reason, String severity, String message) {
        Map<String, Object> before = byType.get(type);
        Object since = before != null && status.equals(before.get("status")) ? before.get("lastTransitionTime")
                : Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        Map<String, Object> condition = new LinkedHashMap<>();
        condition.put("lastTransitionTime", since);
        if (message != null && !message.isEmpty()) {
            condition.put("message", message);
        }
        if (reason != null && !reason.isEmpty()) {
            condition.put("reason", reason);
        }
        if (severity != null && !TRUE.equals(status)) {
            condition.put("severity", severity);
        }
        condition.put("status", status);
        condition.put("type", type);
        byType.put(type, condition);
        return this;
    }

    boolean isTrue(String type) {
        return Optional.ofNullable(byType.get(type)).map(c -> TRUE.equals(c.get("status"))).orElse(false);
    }

    Optional<Map<String, Object>> get(String type) {
        return Optional.ofNullable(byType.get(type));
    }

    /**
     * {@code type} mirrors the {@code Ready} condition of another object, or takes the fallback when that object
     * has none (CAPI's {@code conditions.SetMirror} with {@code WithFallbackValue}).
     */
    Conditions mirror(String type, GenericKubernetesResource source, boolean fallback, String fallbackReason,
                      String fallbackSeverity) {
        Optional<Map<String, Object>> ready = source == null ? Optional.empty() : of(source).get("Ready");
        if (ready.isPresent()) {
            Map<String, Object> c = ready.get();
            return set(type, String.valueOf(c.get("status")), (String) c.get("reason"), (String) c.get("severity"),
                    (String) c.get("message"));
        }
        return fallback ? markTrue(type) : markFalse(type, fallbackReason, fallbackSeverity, null);
    }

    /**
     * {@code Ready} summarising the given conditions as {@code conditions.SetSummary} does: True when all that
     * exist are True, otherwise the reason, severity and message of the worst one (False before Unknown, Error
     * before Warning before Info, then in the given order).
     */
    Conditions summary(String... types) {
        List<Map<String, Object>> present = new ArrayList<>();
        for (String type : types) {
            if (byType.containsKey(type)) {
                present.add(byType.get(type));
            }
        }
        Optional<Map<String, Object>> worst = present.stream().filter(c -> !TRUE.equals(c.get("status")))
                .min(Comparator.comparingInt(Conditions::rank));
        if (worst.isEmpty()) {
            return markTrue("Ready");
        }
        Map<String, Object> c = worst.get();
        return set("Ready", String.valueOf(c.get("status")), (String) c.get("reason"), (String) c.get("severity"),
                (String) c.get("message"));
    }

    private static int rank(Map<String, Object> condition) {
        if (UNKNOWN.equals(condition.get("status"))) {
            return 3;
        }
        return switch (Objects.toString(condition.get("severity"), INFO)) {
            case ERROR -> 0;
            case WARNING -> 1;
            default -> 2;
        };
    }

    /** The conditions as the status holds them: Ready first, then by type. */
    List<Map<String, Object>> toList() {
        return byType.values().stream().sorted(Comparator
                        .comparing((Map<String, Object> c) -> !"Ready".equals(c.get("type")))
                        .thenComparing(c -> String.valueOf(c.get("type"))))
                .map(c -> (Map<String, Object>) new LinkedHashMap<>(c)).toList();
    }
}
