package io.pivotplane.request.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import io.pivotplane.capi.request.ClusterProfileInput;
import io.pivotplane.capi.request.ClusterRequestInput;
import io.pivotplane.capi.request.ClusterRequestInput.AddonInput;
import io.pivotplane.capi.request.ClusterRequestValidator;
import io.pivotplane.capi.request.ProfileResolution;
import io.pivotplane.events.EventJson;
import io.pivotplane.request.domain.AccessDeniedException;
import io.pivotplane.request.domain.Caller;
import io.pivotplane.request.domain.ProfileNotFoundException;
import io.pivotplane.request.domain.ProfileVersionFrozenException;
import io.pivotplane.request.persistence.ClusterRepository;
import io.pivotplane.request.persistence.ProfileEntity;
import io.pivotplane.request.persistence.ProfileRepository;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;

/**
 * Stored cluster profiles: platform admins create and (while no cluster uses them) replace profile versions; every
 * signed-in caller reads them; a cluster request that names one gets its add-ons, with the cluster's values laid over.
 */
@ApplicationScoped
public class ProfileService {

    private final ProfileRepository profiles;
    private final ClusterRepository clusters;
    private final ClusterRequestValidator validator = new ClusterRequestValidator();

    public ProfileService(ProfileRepository profiles, ClusterRepository clusters) {
        this.profiles = profiles;
        this.clusters = clusters;
    }

    /**
     * Stores a new profile version. The same version again with the same content changes nothing (a retry);
     * with other content it is refused: versions are not edited by POST.
     *
     * @return the stored version, and whether it was created now
     */
    public Uni<Stored> create(Caller caller, ClusterProfileInput input) {
        requirePlatformAdmin(caller, "create cluster profiles");
        ClusterProfileInput profile = validator.validateProfile(input);
        return Panache.withTransaction(() -> profiles.find(profile.name(), profile.version()).flatMap(existing -> {
            if (existing != null) {
                if (sameContent(existing, profile)) {
                    return Uni.createFrom().item(new Stored(input(existing), false));
                }
                return Uni.createFrom().failure(new ProfileVersionFrozenException("profile " + profile.name() + " "
                        + profile.version() + " exists with other add-ons: give the change a new version (or PUT it"
                        + " while no cluster uses this one)"));
            }
            Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
            ProfileEntity entity = new ProfileEntity();
            entity.name = profile.name();
            entity.version = profile.version();
            entity.createdBy = caller.name();
            entity.createdAt = now;
            fill(entity, profile, now);
            return profiles.persist(entity).map(saved -> new Stored(input(saved), true));
        }));
    }

    /** Replaces a version no cluster was made from. */
    public Uni<ClusterProfileInput> replace(Caller caller, String name, String version, ClusterProfileInput input) {
        requirePlatformAdmin(caller, "change cluster profiles");
        ClusterProfileInput profile = validator.validateProfile(input);
        if (!name.equals(profile.name()) || !version.equals(profile.version())) {
            throw new ProfileVersionFrozenException("the body is profile " + profile.name() + " "
                    + profile.version() + ", the path " + name + " " + version + ": a PUT replaces the version it names");
        }
        return Panache.withTransaction(() -> require(name, version).flatMap(existing -> usedBy(name, version)
                .flatMap(clustersUsing -> {
                    if (clustersUsing > 0) {
                        return Uni.createFrom().failure(new ProfileVersionFrozenException("profile " + name + " "
                                + version + " is used by " + clustersUsing + " cluster(s): it no longer changes; give"
                                + " the change a new version"));
                    }
                    fill(existing, profile, Instant.now().truncatedTo(ChronoUnit.MICROS));
                    return Uni.createFrom().item(input(existing));
                })));
    }

    public Uni<ClusterProfileInput> get(String name, String version) {
        return Panache.withSession(() -> require(name, version)).map(ProfileService::input);
    }

    /** Every stored version, by name, oldest version first. */
    public Uni<List<ClusterProfileInput>> list(String name) {
        return Panache.withSession(() -> name == null ? profiles.all() : profiles.versions(name))
                .map(entities -> entities.stream().map(ProfileService::input).toList());
    }

    public Uni<Long> usedBy(String name, String version) {
        return clusters.count("profileName = ?1 and profileVersion = ?2", name, version);
    }

    /**
     * The request with its profile's add-ons when it names a stored profile; as it is otherwise.
     *
     * @throws ProfileNotFoundException as a failure, when the profile or its version is not stored
     */
    public Uni<ClusterRequestInput> resolve(ClusterRequestInput request) {
        if (request == null || request.profile() == null || !request.profile().refersToStoredProfile()
                || request.profile().version() == null) {
            return Uni.createFrom().item(request);
        }
        return Panache.withSession(() -> require(request.profile().name(), request.profile().version()))
                .map(stored -> ProfileResolution.resolve(request, input(stored)));
    }

    /**
     * The profile a running cluster is to move to, with its add-ons: a stored version (with the cluster's values laid
     * over), or add-ons given as they are.
     */
    public Uni<ClusterRequestInput.ProfileInput> resolve(ClusterRequestInput.ProfileInput profile) {
        if (profile == null || !profile.refersToStoredProfile() || profile.version() == null) {
            return Uni.createFrom().item(profile);
        }
        ClusterRequestInput carrier = new ClusterRequestInput(null, null, null, null, null, null, null, profile);
        return Panache.withSession(() -> require(profile.name(), profile.version()))
                .map(stored -> ProfileResolution.resolve(carrier, input(stored)).profile());
    }

    private Uni<ProfileEntity> require(String name, String version) {
        return profiles.find(name, version).flatMap(found -> found != null ? Uni.createFrom().item(found)
                : profiles.versions(name).map(versions -> {
                    throw new ProfileNotFoundException(name, version,
                            versions.stream().map(v -> v.version).toList());
                }));
    }

    private static void requirePlatformAdmin(Caller caller, String action) {
        if (!caller.platformAdmin()) {
            throw new AccessDeniedException(caller.name() + " may not " + action + ": only platform admins ("
                    + Caller.PLATFORM_ADMIN_GROUP + ") may");
        }
    }

    private static void fill(ProfileEntity entity, ClusterProfileInput profile, Instant now) {
        entity.description = profile.description();
        entity.addons = json(profile.addons());
        entity.updatedAt = now;
    }

    private static boolean sameContent(ProfileEntity existing, ClusterProfileInput profile) {
        return Objects.equals(existing.description, profile.description())
                && existing.addons.equals(json(profile.addons()));
    }

    static ClusterProfileInput input(ProfileEntity entity) {
        try {
            return new ClusterProfileInput(entity.name, entity.version, entity.description,
                    EventJson.mapper().readValue(entity.addons, new TypeReference<List<AddonInput>>() { }));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("stored profile " + entity.name + " " + entity.version
                    + " is unreadable", e);
        }
    }

    private static String json(List<AddonInput> addons) {
        try {
            return EventJson.mapper().writeValueAsString(addons);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("a profile's add-ons cannot be written as JSON", e);
        }
    }

    /** A stored profile version, and whether this call created it. */
    public record Stored(ClusterProfileInput profile, boolean created) {
    }
}
