package io.pivotplane.request.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/**
 * The latest change to a running cluster: which generation of its spec, what it changes, and where it is
 * ({@code Held} while the cluster is paused, {@code Requested} until the cluster's agent has rolled it, then
 * {@code Applied}, or {@code Failed} with a message).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ChangeView(long generation, String summary, String state, String message, Instant requestedAt,
                         Instant completedAt) {
}
