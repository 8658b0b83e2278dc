package io.pivotplane.request.mapping;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import io.pivotplane.events.model.AddonResult;
import io.pivotplane.events.model.ObjectReference;
import io.pivotplane.request.rest.AddonView;
import io.pivotplane.request.rest.AgentView;
import io.pivotplane.request.rest.PlacementView;
import java.util.HashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.pivotplane.events.ClusterRequested;
import io.pivotplane.events.EventJson;
import io.pivotplane.events.model.ClusterSpec;
import io.pivotplane.request.persistence.ClusterChangeEntity;
import io.pivotplane.request.persistence.ClusterEntity;
import io.pivotplane.events.Stage;
import io.pivotplane.request.persistence.StageEventEntity;
import io.pivotplane.request.rest.ChangeView;
import io.pivotplane.request.rest.PauseView;
import io.pivotplane.request.rest.ClusterView;
import io.pivotplane.request.rest.ErrorView;
import io.pivotplane.request.rest.StageView;
import java.util.List;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.UncheckedIOException;

/** From what is stored to what is published and what is shown: events and views are never entities. */
@ApplicationScoped
public class ClusterMapper {

    public ClusterSpec spec(ClusterEntity entity) {
        try {
            return EventJson.mapper().readValue(entity.spec, ClusterSpec.class);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("stored spec of cluster " + entity.id + " is unreadable", e);
        }
    }

    public String specJson(ClusterSpec spec) {
        try {
            return EventJson.mapper().writeValueAsString(spec);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("cannot write the spec of cluster " + spec.name(), e);
        }
    }

    public ClusterRequested requested(ClusterEntity entity) {
        return new ClusterRequested(entity.id.toString(), spec(entity), entity.createdAt);
    }

    public ClusterView view(ClusterEntity entity) {
        return view(entity, null);
    }

    /** @param timeline the stages reached, or null where the view leaves them out (lists) */
    public ClusterView view(ClusterEntity entity, List<StageEventEntity> timeline) {
        return view(entity, timeline, null);
    }

    /** @param changes the cluster's latest changes, newest first, or null where the view leaves them out (lists) */
    public ClusterView view(ClusterEntity entity, List<StageEventEntity> timeline, List<ClusterChangeEntity> changes) {
        ErrorView lastError = entity.lastErrorReason == null ? null : new ErrorView(
                Stage.valueOf(entity.lastErrorStage).displayName(), entity.lastErrorReason, entity.lastErrorMessage,
                entity.lastErrorAt);
        ClusterSpec spec = spec(entity);
        return new ClusterView(entity.id.toString(), entity.name, entity.project, entity.provider,
                entity.kubernetesVersion, entity.stage.displayName(), entity.createdAt, entity.updatedAt, spec,
                timeline == null ? null : timeline.stream().map(this::stage).toList(),
                timeline == null ? null : placement(entity, timeline),
                timeline == null ? null : addons(spec, entity.profileGeneration, timeline),
                lastError, change(entity),
                entity.pausedAt == null ? null : new PauseView(entity.pausedAt, entity.pauseReason),
                entity.agentSupported == null ? null : new AgentView(entity.agentVersion, entity.agentSupported,
                        entity.agentReportedAt),
                changes == null ? null : changes.stream().map(change -> new ChangeView(change.key.generation(),
                        change.summary, displayName(change.state), change.message, change.requestedAt,
                        change.completedAt)).toList());
    }

    private static ChangeView change(ClusterEntity entity) {
        if (entity.changeState == null) {
            return null;
        }
        return new ChangeView(entity.specGeneration, entity.changeSummary, displayName(entity.changeState),
                entity.changeMessage, entity.changeRequestedAt, entity.changeCompletedAt);
    }

    /** {@code REQUESTED} as {@code Requested}. */
    private static String displayName(String state) {
        return state.charAt(0) + state.substring(1).toLowerCase(java.util.Locale.ROOT);
    }

    /** The last word on where the objects are: SpecsCreated, then Pivoted, then ClusterDeleted. */
    private PlacementView placement(ClusterEntity entity, List<StageEventEntity> timeline) {
        PlacementView placement = PlacementView.NONE;
        for (StageEventEntity entry : timeline) {
            JsonNode detail = detail(entry);
            if (detail == null || !detail.has("location")) {
                continue;
            }
            List<ObjectReference> objects = EventJson.mapper().convertValue(detail.path("objects"),
                    new TypeReference<List<ObjectReference>>() { });
            placement = new PlacementView(detail.path("location").asText(), entity.project,
                    detail.hasNonNull("apiEndpoint") ? detail.path("apiEndpoint").asText() : null, objects,
                    detail.hasNonNull("deletedFrom") ? detail.path("deletedFrom").asText() : null);
        }
        return placement;
    }

    /**
     * Each add-on of the cluster's current profile: installed, degraded or failed as its agent reported for this
     * profile's generation, else pending (a profile change on its way).
     */
    private List<AddonView> addons(ClusterSpec spec, long generation, List<StageEventEntity> timeline) {
        Map<String, AddonResult> results = new HashMap<>();
        for (StageEventEntity entry : timeline) {
            JsonNode detail = detail(entry);
            if (detail != null && detail.has("addons") && detail.path("generation").asLong(0) == generation) {
                EventJson.mapper().convertValue(detail.path("addons"), new TypeReference<List<AddonResult>>() { })
                        .forEach(result -> results.put(result.name(), result));
            }
        }
        return spec.profile().addons().stream().map(addon -> {
            AddonResult result = results.get(addon.name());
            String state = result == null ? "Pending" : switch (result.state()) {
                case INSTALLED -> "Installed";
                case DEGRADED -> "Degraded";
                case FAILED -> "Failed";
                default -> "Unknown";
            };
            return new AddonView(addon.name(), addon.layer(), addon.version(), state,
                    result == null ? null : result.message());
        }).toList();
    }

    private static JsonNode detail(StageEventEntity entry) {
        if (entry.detail == null) {
            return null;
        }
        try {
            return EventJson.mapper().readTree(entry.detail);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("stored detail of event " + entry.eventId + " is unreadable", e);
        }
    }

    public StageView stage(StageEventEntity entry) {
        return new StageView(Stage.valueOf(entry.stage).displayName(), entry.reachedAt, entry.reason, entry.message);
    }
}
