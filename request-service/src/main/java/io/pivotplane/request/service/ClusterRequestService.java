package io.pivotplane.request.service;

import io.pivotplane.events.EventEnvelope;
import io.pivotplane.events.Stage;
import io.pivotplane.events.model.ClusterSpec;
import io.pivotplane.events.ClusterDeletionRequested;
import io.pivotplane.events.ClusterChangeRequested;
import io.pivotplane.events.ProfileChanged;
import io.pivotplane.events.model.Profile;
import io.pivotplane.request.domain.ClusterBusyException;
import io.pivotplane.request.domain.AccessDeniedException;
import io.pivotplane.request.domain.Caller;
import io.pivotplane.request.domain.ClusterDeletedException;
import io.pivotplane.request.domain.ClusterNameConflictException;
import io.pivotplane.request.domain.ClusterNotFoundException;
import io.pivotplane.capi.request.ClusterChangeInput;
import io.pivotplane.capi.request.ClusterChangeValidator;
import io.pivotplane.capi.request.ClusterRequestInput;
import io.pivotplane.capi.request.ClusterRequestValidator;
import io.pivotplane.capi.request.Violation;
import io.pivotplane.request.domain.IdempotencyKeyReusedException;
import io.pivotplane.request.domain.ProfileNotFoundException;
import io.pivotplane.request.domain.ProjectRole;
import io.pivotplane.capi.request.InvalidClusterRequestException;
import io.pivotplane.request.mapping.ClusterMapper;
import io.pivotplane.kit.config.MessagingConfig;
import io.pivotplane.kit.messaging.OutboxRelay;
import io.pivotplane.request.persistence.ClusterChangeRepository;
import io.pivotplane.request.persistence.ClusterEntity;
import io.pivotplane.request.persistence.ClusterRepository;
import io.pivotplane.request.persistence.OutboxRepository;
import io.pivotplane.request.persistence.StageEventRepository;
import io.pivotplane.request.rest.ClusterView;
import io.pivotplane.request.service.RequestMetrics.Outcome;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Takes cluster requests: validates, stores the cluster and its {@code ClusterRequested} event in one
 * transaction (the outbox), and answers retries that carry the same Idempotency-Key with the first answer.
 */
@ApplicationScoped
public class ClusterRequestService {

    /** What a POST led to: a new cluster, or the one an earlier POST with the same key created. */
    public record Admission(ClusterEntity cluster, boolean replayed) {
    }

    private final ClusterRepository clusters;
    private final StageEventRepository timelines;
    private final OutboxRepository outbox;
    private final OutboxRelay relay;
    private final ClusterMapper mapper;
    private final RequestMetrics metrics;
    private final MessagingConfig config;
    static final String CHANGE_HELD = "HELD";
    static final String CHANGE_REQUESTED = "REQUESTED";

    private final ClusterRequestValidator validator = new ClusterRequestValidator();
    private final ClusterChangeValidator changes = new ClusterChangeValidator(validator);
    private final ProfileService profiles;
    private final ClusterChangeRepository changeHistory;

    public ClusterRequestService(ClusterRepository clusters, StageEventRepository timelines, OutboxRepository outbox,
                                 OutboxRelay relay, ClusterMapper mapper, RequestMetrics metrics,
                                 MessagingConfig config, ProfileService profiles,
                                 ClusterChangeRepository changeHistory) {
        this.changeHistory = changeHistory;
        this.profiles = profiles;
        this.clusters = clusters;
        this.timelines = timelines;
        this.outbox = outbox;
        this.relay = relay;
        this.mapper = mapper;
        this.metrics = metrics;
        this.config = config;
    }

    /**
     * Takes a request; one that names a stored profile gets its add-ons first ({@link ProfileService#resolve}), so
     * that the cluster's spec holds what it installs.
     */
    public Uni<Admission> request(Caller caller, ClusterRequestInput input, String idempotencyKey) {
        return profiles.resolve(input)
                .onFailure(ProfileNotFoundException.class).transform(e -> new InvalidClusterRequestException(
                        List.of(new Violation("profile", e.getMessage()))))
                .onFailure(InvalidClusterRequestException.class).invoke(() -> metrics.count(
                        input == null || input.infrastructure() == null ? null : input.infrastructure().provider(),
                        Outcome.INVALID))
                .flatMap(resolved -> requestResolved(caller, resolved, idempotencyKey));
    }

    private Uni<Admission> requestResolved(Caller caller, ClusterRequestInput input, String idempotencyKey) {
        String provider = input == null || input.infrastructure() == null ? null : input.infrastructure().provider();
        ClusterSpec spec;
        try {
            spec = validator.validate(input);
        } catch (InvalidClusterRequestException e) {
            metrics.count(provider, Outcome.INVALID);
            return Uni.createFrom().failure(e);
        }
        if (!caller.may(ProjectRole.EDITOR, spec.project())) {
            metrics.count(provider, Outcome.FORBIDDEN);
            return Uni.createFrom().failure(caller.refusal(ProjectRole.EDITOR, spec.project(), "request clusters"));
        }
        String requestHash = fingerprint(spec);
        return admit(spec, idempotencyKey, requestHash)
                // Two identical requests raced past the checks: the loser sees the winner on a second look.
                .onFailure(UniqueViolations::isUniqueViolation).recoverWithUni(() -> admit(spec, idempotencyKey, requestHash))
                .invoke(admission -> {
                    metrics.count(provider, admission.replayed() ? Outcome.REPLAYED : Outcome.CREATED);
                    if (!admission.replayed()) {
                        relay.wakeUp();
                    }
                })
                .onFailure().invoke(failure -> metrics.count(provider, outcomeOf(failure)));
    }

    /**
     * The cluster, if the caller may see it ({@link Caller#requireVisible}) and has {@code needed} in its project.
     *
     * @throws AccessDeniedException when the caller may not see the cluster, or lacks {@code needed}
     * @throws ClusterNotFoundException for a platform admin, when no cluster has this id
     */
    public Uni<ClusterEntity> get(Caller caller, String id, ProjectRole needed, String action) {
        Optional<UUID> uuid = parseUuid(id);
        Uni<ClusterEntity> found = uuid.isEmpty() ? Uni.createFrom().nullItem()
                : Panache.withSession(() -> clusters.findById(uuid.get()));
        return found.map(cluster -> {
            caller.requireVisible(id, cluster == null ? null : cluster.project);
            caller.require(needed, cluster.project, action);
            return cluster;
        });
    }

    /** The cluster as the API shows it, with its timeline. */
    public Uni<ClusterView> view(Caller caller, String id) {
        return get(caller, id, ProjectRole.VIEWER, "read clusters").flatMap(this::view);
    }

    private Uni<ClusterView> view(ClusterEntity cluster) {
        return Panache.withSession(() -> timelines.timeline(cluster.id).flatMap(timeline ->
                changeHistory.latest(cluster.id).map(changes -> mapper.view(cluster, timeline, changes))));
    }

    public record ClusterPage(List<ClusterEntity> items, long total) {
    }

    /**
     * Moves a running cluster to another profile (a new version, or another profile): stores the new profile in its
     * spec as its next generation and publishes {@code ProfileChanged}; addon-service upgrades, installs and
     * uninstalls through the cluster's agent and reports {@code AddonsInstalled} again.
     *
     * @throws ClusterBusyException unless the cluster has its add-ons installed
     */
    public Uni<ClusterView> changeProfile(Caller caller, String id, ClusterRequestInput.ProfileInput requested) {
        return get(caller, id, ProjectRole.EDITOR, "change clusters").flatMap(found -> profiles.resolve(requested)
                .onFailure(ProfileNotFoundException.class).transform(e -> new InvalidClusterRequestException(
                        List.of(new Violation("profile", e.getMessage()))))
                .flatMap(resolved -> {
                    Profile profile = validator.validateClusterProfile(resolved);
                    return Panache.withTransaction(() -> clusters.findById(found.id).flatMap(cluster -> {
                        if (cluster.stage != Stage.ADDONS_INSTALLED || cluster.deletionRequestedAt != null) {
                            return Uni.createFrom().failure(new ClusterBusyException("cluster " + cluster.name
                                    + " is " + cluster.stage.displayName() + ": its profile changes once its add-ons"
                                    + " are installed (stage AddonsInstalled)"));
                        }
                        ClusterSpec spec = mapper.spec(cluster).withProfile(profile);
                        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
                        cluster.spec = mapper.specJson(spec);
                        cluster.profileName = profile.version() == null ? null : profile.name();
                        cluster.profileVersion = profile.version();
                        cluster.profileGeneration++;
                        cluster.updatedAt = now;
                        if (cluster.pausedAt != null) {
                            cluster.profileChangeHeld = true;
                            return Uni.createFrom().item(cluster);
                        }
                        return outbox.append(profileChanged(cluster, profile, now)).replaceWith(cluster);
                    }));
                })).invoke(relay::wakeUp).flatMap(this::view);
    }

    /**
     * Changes a running cluster's spec (pools scaled, added, removed; control plane scaled; Kubernetes upgraded one
     * minor; health checks): stores it as the next generation of its spec and publishes {@code ClusterChangeRequested}
     * for its agent to roll the cluster's CAPI objects to. A change asked for while another rolls supersedes it: the
     * agent rolls to the newest.
     *
     * @throws ClusterBusyException unless the cluster is running (stage AddonsInstalled) and not being deleted
     */
    public Uni<ClusterView> change(Caller caller, String id, ClusterChangeInput requested) {
        return get(caller, id, ProjectRole.EDITOR, "change clusters").flatMap(found -> Panache.withTransaction(() ->
                clusters.findById(found.id).flatMap(cluster -> {
                    if (cluster.stage != Stage.ADDONS_INSTALLED || cluster.deletionRequestedAt != null) {
                        return Uni.createFrom().failure(new ClusterBusyException("cluster " + cluster.name + " is "
                                + (cluster.deletionRequestedAt != null ? "being deleted"
                                : cluster.stage.displayName()) + ": its spec changes once it runs (stage"
                                + " AddonsInstalled)"));
                    }
                    ClusterChangeValidator.Accepted accepted = changes.validate(mapper.spec(cluster), requested);
                    Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
                    boolean heldBefore = CHANGE_HELD.equals(cluster.changeState);
                    cluster.spec = mapper.specJson(accepted.spec());
                    cluster.kubernetesVersion = accepted.spec().kubernetesVersion();
                    cluster.specGeneration++;
                    // a held change goes out whole on resume, so its summary keeps what the changes before it did
                    cluster.changeSummary = heldBefore ? cluster.changeSummary + "; " + accepted.summary()
                            : accepted.summary();
                    cluster.changeMessage = null;
                    cluster.changeRequestedAt = heldBefore ? cluster.changeRequestedAt : now;
                    cluster.changeCompletedAt = null;
                    cluster.updatedAt = now;
                    // a held change that a newer one joins goes out with it: one entry in the history
                    cluster.changeState = cluster.pausedAt != null ? CHANGE_HELD : CHANGE_REQUESTED;
                    Uni<Void> recorded = changeHistory.record(cluster.id, cluster.specGeneration,
                            cluster.changeSummary, cluster.changeState, now);
                    if (cluster.pausedAt != null) {
                        return recorded.replaceWith(cluster);
                    }
                    return recorded.flatMap(v -> outbox.append(changeRequested(cluster, now))).replaceWith(cluster);
                }))).invoke(relay::wakeUp).flatMap(this::view);
    }

    /**
     * Pauses the cluster for maintenance: changes of its spec or profile are still taken and stored, but held, and
     * none reaches its agent until {@link #resume}. A change already on its way rolls to its end; healing inside the
     * cluster (MachineHealthChecks, drift repair) and deletion are not paused. Pausing again only updates the reason.
     *
     * @throws ClusterDeletedException when the cluster is deleted
     */
    public Uni<ClusterView> pause(Caller caller, String id, String reason) {
        return get(caller, id, ProjectRole.EDITOR, "pause clusters").flatMap(found -> Panache.withTransaction(() ->
                clusters.findById(found.id).map(cluster -> {
                    if (cluster.stage == Stage.DELETED) {
                        throw new ClusterDeletedException(id, cluster.name);
                    }
                    Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
                    if (cluster.pausedAt == null) {
                        cluster.pausedAt = now;
                    }
                    cluster.pauseReason = reason;
                    cluster.updatedAt = now;
                    return cluster;
                }))).flatMap(this::view);
    }

    /**
     * Ends a pause: the newest held change of the spec and of the profile go to the cluster's agent now, as if they
     * had just been asked for. Resuming a cluster that is not paused changes nothing.
     */
    public Uni<ClusterView> resume(Caller caller, String id) {
        return get(caller, id, ProjectRole.EDITOR, "resume clusters").flatMap(found -> Panache.withTransaction(() ->
                clusters.findById(found.id).flatMap(cluster -> {
                    if (cluster.pausedAt == null) {
                        return Uni.createFrom().item(cluster);
                    }
                    Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
                    cluster.pausedAt = null;
                    cluster.pauseReason = null;
                    cluster.updatedAt = now;
                    Uni<Void> sent = Uni.createFrom().voidItem();
                    if (CHANGE_HELD.equals(cluster.changeState)) {
                        cluster.changeState = CHANGE_REQUESTED;
                        sent = sent.call(() -> changeHistory.sent(cluster.id, cluster.specGeneration))
                                .call(() -> outbox.append(changeRequested(cluster, now)));
                    }
                    if (cluster.profileChangeHeld) {
                        cluster.profileChangeHeld = false;
                        Profile profile = mapper.spec(cluster).profile();
                        sent = sent.call(() -> outbox.append(profileChanged(cluster, profile, now)));
                    }
                    return sent.replaceWith(cluster);
                }))).invoke(relay::wakeUp).flatMap(this::view);
    }

    private EventEnvelope<?> changeRequested(ClusterEntity cluster, Instant now) {
        return EventEnvelope.create(config.eventSource(), cluster.correlationId, new ClusterChangeRequested(
                cluster.id.toString(), cluster.specGeneration, mapper.spec(cluster), cluster.changeSummary, now));
    }

    private EventEnvelope<?> profileChanged(ClusterEntity cluster, Profile profile, Instant now) {
        return EventEnvelope.create(config.eventSource(), cluster.correlationId,
                new ProfileChanged(cluster.id.toString(), cluster.profileGeneration, profile, now));
    }

    /**
     * Asks for the cluster's deprovisioning: publishes {@code ClusterDeletionRequested} through the outbox, once.
     * A repeated request while the deletion runs changes nothing; after a failure it asks again.
     *
     * @throws ClusterDeletedException when the cluster is deleted already
     */
    public Uni<ClusterView> requestDeletion(Caller caller, String id) {
        return requestDeletion(caller, id, false);
    }

    /**
     * As {@link #requestDeletion(Caller, String)}; {@code force} (a project admin's, asked again whenever it is)
     * has the cluster torn down from the management cluster with what it holds, without moving a pivoted cluster
     * back, for a cluster whose API server or agent is gone: what lives only in the workload cluster is given up.
     */
    public Uni<ClusterView> requestDeletion(Caller caller, String id, boolean force) {
        ProjectRole needed = force ? ProjectRole.ADMIN : ProjectRole.EDITOR;
        String action = force ? "force the deletion of clusters" : "delete clusters";
        return get(caller, id, needed, action).flatMap(found -> Panache.withTransaction(() ->
                clusters.findById(found.id).flatMap(cluster -> {
                    if (cluster.stage == Stage.DELETED) {
                        return Uni.createFrom().failure(new ClusterDeletedException(id, cluster.name));
                    }
                    if (!force && cluster.deletionRequestedAt != null && cluster.stage != Stage.FAILED) {
                        return Uni.createFrom().item(cluster);
                    }
                    Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
                    cluster.deletionRequestedAt = now;
                    cluster.updatedAt = now;
                    EventEnvelope<?> event = EventEnvelope.create(config.eventSource(), cluster.correlationId,
                            new ClusterDeletionRequested(cluster.id.toString(), cluster.name, cluster.project, now,
                                    force));
                    return outbox.append(event).replaceWith(cluster);
                }))).invoke(relay::wakeUp).flatMap(this::view);
    }

    /**
     * A page of the clusters the caller may see, of {@code project} and named {@code name} when they are given.
     *
     * @throws AccessDeniedException when the caller may not read {@code project}
     */
    public Uni<ClusterPage> list(Caller caller, String project, String name, int page, int size) {
        Optional<Set<String>> projects;
        if (project != null) {
            if (!caller.may(ProjectRole.VIEWER, project)) {
                return Uni.createFrom().failure(caller.refusal(ProjectRole.VIEWER, project, "read clusters"));
            }
            projects = Optional.of(Set.of(project));
        } else {
            projects = caller.visibleProjects();
        }
        return Panache.withSession(() -> clusters.page(projects, name, page, size)
                .flatMap(items -> clusters.countIn(projects, name).map(total -> new ClusterPage(items, total))));
    }

    private Uni<Admission> admit(ClusterSpec spec, String idempotencyKey, String requestHash) {
        return Panache.withTransaction(() -> replayFor(spec.project(), idempotencyKey, requestHash)
                .onItem().ifNull().switchTo(() -> create(spec, idempotencyKey, requestHash)));
    }

    /** An Idempotency-Key is a project's own: another project's use of the same key is none of its business. */
    private Uni<Admission> replayFor(String project, String idempotencyKey, String requestHash) {
        if (idempotencyKey == null) {
            return Uni.createFrom().nullItem();
        }
        return clusters.findByIdempotencyKey(project, idempotencyKey).map(first -> {
            if (first == null) {
                return null;
            }
            if (!first.requestHash.equals(requestHash)) {
                throw new IdempotencyKeyReusedException(idempotencyKey);
            }
            return new Admission(first, true);
        });
    }

    private Uni<Admission> create(ClusterSpec spec, String idempotencyKey, String requestHash) {
        return clusters.findByProjectAndName(spec.project(), spec.name()).flatMap(existing -> {
            if (existing != null) {
                return Uni.createFrom().failure(new ClusterNameConflictException(spec.project(), spec.name()));
            }
            ClusterEntity cluster = newCluster(spec, idempotencyKey, requestHash);
            EventEnvelope<?> event = EventEnvelope.create(config.eventSource(), cluster.correlationId,
                    mapper.requested(cluster));
            return clusters.persist(cluster)
                    .call(() -> outbox.append(event))
                    .map(saved -> new Admission(saved, false));
        });
    }

    private ClusterEntity newCluster(ClusterSpec spec, String idempotencyKey, String requestHash) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        ClusterEntity cluster = new ClusterEntity();
        cluster.id = UUID.randomUUID();
        cluster.project = spec.project();
        cluster.name = spec.name();
        cluster.provider = spec.infrastructure().provider();
        cluster.kubernetesVersion = spec.kubernetesVersion();
        cluster.spec = mapper.specJson(spec);
        if (spec.profile().version() != null) {
            cluster.profileName = spec.profile().name();
            cluster.profileVersion = spec.profile().version();
        }
        cluster.stage = Stage.REQUESTED;
        cluster.correlationId = UUID.randomUUID().toString();
        cluster.idempotencyKey = idempotencyKey;
        cluster.requestHash = requestHash;
        cluster.createdAt = now;
        cluster.updatedAt = now;
        return cluster;
    }

    private String fingerprint(ClusterSpec spec) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(mapper.specJson(spec).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    private static Outcome outcomeOf(Throwable failure) {
        if (failure instanceof ClusterNameConflictException || failure instanceof IdempotencyKeyReusedException) {
            return Outcome.CONFLICT;
        }
        return failure instanceof InvalidClusterRequestException ? Outcome.INVALID : Outcome.ERROR;
    }

    private static Optional<UUID> parseUuid(String id) {
        try {
            return Optional.of(UUID.fromString(id));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
