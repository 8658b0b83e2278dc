package io.pivotplane.request.persistence;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.UUID;

/**
 * Reads clusters' timelines in the order their stages were reached: the topics of the stages are read side by side,
 * so a stage can be recorded after a later one.
 */
@ApplicationScoped
public class StageEventRepository implements PanacheRepositoryBase<StageEventEntity, Long> {

    public Uni<List<StageEventEntity>> timeline(UUID clusterId) {
        return list("clusterId = ?1 order by reachedAt, id", clusterId);
    }
}
