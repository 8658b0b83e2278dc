package io.pivotplane.request.mapping;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.pivotplane.events.ClusterRequested;
import io.pivotplane.events.EventJson;
import io.pivotplane.events.model.ClusterSpec;
import io.pivotplane.request.persistence.ClusterEntity;
import io.pivotplane.events.Stage;
import io.pivotplane.request.persistence.StageEventEntity;
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
        ErrorView lastError = entity.lastErrorReason == null ? null : new ErrorView(
                Stage.valueOf(entity.lastErrorStage).displayName(), entity.lastErrorReason, entity.lastErrorMessage,
                entity.lastErrorAt);
        return new ClusterView(entity.id.toString(), entity.name, entity.project, entity.provider,
                entity.kubernetesVersion, entity.stage.displayName(), entity.createdAt, entity.updatedAt,
                spec(entity), timeline == null ? null : timeline.stream().map(this::stage).toList(), lastError);
    }

    public StageView stage(StageEventEntity entry) {
        return new StageView(Stage.valueOf(entry.stage).displayName(), entry.reachedAt, entry.reason, entry.message);
    }
}
