package io.pivotplane.request.persistence;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

@ApplicationScoped
public class ProfileRepository implements PanacheRepositoryBase<ProfileEntity, ProfileEntity.Key> {

    public Uni<ProfileEntity> find(String name, String version) {
        return findById(new ProfileEntity.Key(name, version));
    }

    public Uni<List<ProfileEntity>> versions(String name) {
        return find("name", Sort.by("createdAt"), name).list();
    }

    public Uni<List<ProfileEntity>> all() {
        return findAll(Sort.by("name").and("createdAt")).list();
    }
}
