package io.pivotplane.request.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/** A stage a cluster reached, with the reason and message of a failure. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StageView(String stage, Instant reachedAt, String reason, String message) {
}
