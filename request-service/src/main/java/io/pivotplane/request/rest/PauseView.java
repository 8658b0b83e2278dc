package io.pivotplane.request.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/** A pause for maintenance: since when, and why if the one who paused said. Changes asked for meanwhile are held. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PauseView(Instant since, String reason) {
}
