package io.pivotplane.events.model;

import static io.pivotplane.events.Fields.required;

import java.time.Instant;

/** A status condition in the Kubernetes style ({@code type}, {@code status} True/False/Unknown, reason). */
public record Condition(String type, String status, String reason, String message, Instant lastTransitionTime) {

    public Condition {
        required(type, "type");
        required(status, "status");
    }
}
