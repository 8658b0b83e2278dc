package io.pivotplane.request.persistence;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** The changes of each cluster, newest first. */
@ApplicationScoped
public class ClusterChangeRepository implements PanacheRepositoryBase<ClusterChangeEntity, ClusterChangeEntity.Key> {

    /** How many changes a cluster's view shows. */
    public static final int SHOWN = 20;

    public Uni<List<ClusterChangeEntity>> latest(UUID clusterId) {
        return find("key.clusterId", Sort.descending("key.generation"), clusterId).page(Page.ofSize(SHOWN)).list();
    }

    /** Records a new change; those still on their way end as superseded, since the agent rolls to the newest. */
    public Uni<Void> record(UUID clusterId, long generation, String summary, String state, Instant at) {
        ClusterChangeEntity change = new ClusterChangeEntity();
        change.key = new ClusterChangeEntity.Key(clusterId, generation);
        change.summary = summary;
        change.state = state;
        change.requestedAt = at;
        return update("state = 'SUPERSEDED', completedAt = ?1 where key.clusterId = ?2 and state in ('HELD', 'REQUESTED')",
                at, clusterId).flatMap(superseded -> persist(change)).replaceWithVoid();
    }

    /** A held change goes out: it is on its way now. */
    public Uni<Integer> sent(UUID clusterId, long generation) {
        return update("state = 'REQUESTED' where key.clusterId = ?1 and key.generation = ?2 and state = 'HELD'",
                clusterId, generation);
    }
}
