package io.pivotplane.request.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/** A stage one cluster reached, in the stream of every cluster's stages that the status page follows. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StageChangeView(long sequence, String clusterId, String name, String project, String provider,
                              String stage, Instant reachedAt, String reason, String message) {
}
