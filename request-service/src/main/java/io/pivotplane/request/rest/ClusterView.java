package io.pivotplane.request.rest;

import io.pivotplane.events.model.ClusterSpec;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;

/**
 * A cluster as the API shows it: its stage, when it reached each stage, where its CAPI objects are and how its
 * add-ons went ({@code timeline}, {@code placement} and {@code addons}, absent in lists), the failure that
 * stopped it, if one did, its latest change, if it was changed, and its pause, while it is paused, its agent, once it reported, and the history of its changes, newest first
 * ({@code changes}, absent in lists; {@code Superseded}: a newer change came before it ended).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ClusterView(String id, String name, String project, String provider, String kubernetesVersion,
                          String stage, Instant createdAt, Instant updatedAt, ClusterSpec spec,
                          List<StageView> timeline, PlacementView placement, List<AddonView> addons,
                          ErrorView lastError, ChangeView change, PauseView paused, AgentView agent,
                          List<ChangeView> changes) {
}
