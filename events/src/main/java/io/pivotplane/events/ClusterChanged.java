package io.pivotplane.events;

import static io.pivotplane.events.Fields.required;

import java.time.Instant;

/**
 * The end of a change to a running cluster: its agent rolled the cluster to the spec of {@code generation}
 * ({@link Outcome#APPLIED}: every machine of the new size and version, ready), or could not
 * ({@link Outcome#FAILED}, {@code message} says why; the cluster keeps running as it is).
 */
public record ClusterChanged(String clusterId, long generation, Outcome outcome, String message, Instant changedAt)
        implements ClusterEvent {

    public enum Outcome { APPLIED, FAILED }

    public ClusterChanged {
        required(clusterId, "clusterId");
        required(outcome, "outcome");
        required(changedAt, "changedAt");
    }
}
