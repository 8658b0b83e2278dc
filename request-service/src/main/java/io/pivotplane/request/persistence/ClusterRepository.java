package io.pivotplane.request.persistence;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.UUID;

@ApplicationScoped
public class ClusterRepository implements PanacheRepositoryBase<ClusterEntity, UUID> {

    private static final Sort NEWEST_FIRST = Sort.descending("createdAt").and("id", Sort.Direction.Descending);

    public Uni<ClusterEntity> findByProjectAndName(String project, String name) {
        return find("project = ?1 and name = ?2", project, name).firstResult();
    }

    public Uni<ClusterEntity> findByIdempotencyKey(String project, String key) {
        return find("project = ?1 and idempotencyKey = ?2", project, key).firstResult();
    }

    public Uni<List<ClusterEntity>> page(String project, int page, int size) {
        var query = project == null ? findAll(NEWEST_FIRST) : find("project", NEWEST_FIRST, project);
        return query.page(Page.of(page, size)).list();
    }

    public Uni<Long> countIn(String project) {
        return project == null ? count() : count("project", project);
    }
}
