package io.pivotplane.request.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/**
 * The agent in the cluster: the version it runs ({@code null}: it reports none, so it is older than any this plane
 * drives), whether the plane drives it (it sends no changes to one it does not), and when it said so.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AgentView(String version, boolean supported, Instant reportedAt) {
}
