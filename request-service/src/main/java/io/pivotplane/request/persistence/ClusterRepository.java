package io.pivotplane.request.persistence;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Parameters;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
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

    /** A page of the clusters in {@code projects} (every project when empty), named {@code name} when given. */
    public Uni<List<ClusterEntity>> page(Optional<Set<String>> projects, String name, int page, int size) {
        Filter filter = Filter.of(projects, name);
        if (filter.nothing()) {
            return Uni.createFrom().item(List.of());
        }
        return find(filter.query(), NEWEST_FIRST, filter.parameters()).page(Page.of(page, size)).list();
    }

    public Uni<Long> countIn(Optional<Set<String>> projects, String name) {
        Filter filter = Filter.of(projects, name);
        return filter.nothing() ? Uni.createFrom().item(0L) : count(filter.query(), filter.parameters());
    }

    private record Filter(String query, Parameters parameters, boolean nothing) {

        static Filter of(Optional<Set<String>> projects, String name) {
            List<String> conditions = new ArrayList<>();
            Parameters parameters = new Parameters();
            projects.ifPresent(names -> {
                conditions.add("project in :projects");
                parameters.and("projects", names);
            });
            if (name != null) {
                conditions.add("name = :name");
                parameters.and("name", name);
            }
            return new Filter(conditions.isEmpty() ? "1 = 1" : String.join(" and ", conditions), parameters,
                    projects.map(Set::isEmpty).orElse(false));
        }
    }
}
