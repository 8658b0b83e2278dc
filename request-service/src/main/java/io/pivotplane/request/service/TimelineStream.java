package io.pivotplane.request.service;

import io.pivotplane.events.Stage;
import io.pivotplane.request.domain.AccessDeniedException;
import io.pivotplane.request.domain.Caller;
import io.pivotplane.request.domain.ClusterNotFoundException;
import io.pivotplane.request.domain.ProjectRole;
import io.pivotplane.request.mapping.ClusterMapper;
import io.pivotplane.request.persistence.StageEventEntity;
import io.pivotplane.request.persistence.TimelineReader;
import io.pivotplane.request.rest.StageChangeView;
import io.pivotplane.request.rest.StageView;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** A cluster's timeline as a live stream: what it has reached, then each new stage, until a final one. */
@ApplicationScoped
public class TimelineStream {

    private static final Set<String> FINAL_STAGES = Set.of(Stage.ADDONS_INSTALLED.name(), Stage.FAILED.name(),
            Stage.DELETED.name());

    private static final int BATCH = 500;

    private final TimelineReader reader;
    private final ClusterMapper mapper;
    private final Duration interval;

    public TimelineStream(TimelineReader reader, ClusterMapper mapper,
                          @ConfigProperty(name = "pivotplane.timeline.poll-interval", defaultValue = "500ms")
                          Duration interval) {
        this.reader = reader;
        this.mapper = mapper;
        this.interval = interval;
    }

    /**
     * Blocks to look the cluster up, so call it from a worker thread.
     *
     * @throws AccessDeniedException or {@link ClusterNotFoundException} before any stream exists, as
     *                               {@link Caller#requireVisible} decides
     */
    public Multi<StageView> follow(Caller caller, String id) {
        Optional<UUID> clusterId = parse(id);
        Optional<String> project;
        try {
            project = clusterId.isEmpty() ? Optional.empty() : reader.projectOf(clusterId.get());
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("cannot look cluster " + id + " up", e);
        }
        caller.requireVisible(id, project.orElse(null));
        return follow(clusterId.get());
    }

    private static Optional<UUID> parse(String id) {
        try {
            return Optional.of(UUID.fromString(id));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private Multi<StageView> follow(UUID clusterId) {
        AtomicLong lastSent = new AtomicLong(0);
        AtomicBoolean ended = new AtomicBoolean();
        return Multi.createFrom().ticks().startingAfter(Duration.ofMillis(1)).every(interval)
                .select().first(tick -> !ended.get())
                .onItem().transformToUniAndConcatenate(tick -> Uni.createFrom()
                        .item(() -> read(clusterId, lastSent.get()))
                        .runSubscriptionOn(Infrastructure.getDefaultWorkerPool()))
                .onItem().transformToIterable(entries -> {
                    if (!entries.isEmpty()) {
                        lastSent.set(entries.get(entries.size() - 1).id);
                    }
                    // the stage the cluster is at decides: a cluster being deleted after AddonsInstalled goes on
                    if (!entries.isEmpty() && FINAL_STAGES.contains(entries.get(entries.size() - 1).stage)) {
                        ended.set(true);
                    }
                    return entries.stream().map(mapper::stage).toList();
                });
    }

    /**
     * The stages of every cluster the caller may see, from now on (or after {@code since}, to resume a stream
     * without a gap), as they are recorded; the stream does not end.
     */
    public Multi<StageChangeView> followAll(Caller caller, Long since) {
        AtomicLong lastSent = new AtomicLong(-1);
        return Multi.createFrom().ticks().startingAfter(Duration.ofMillis(1)).every(interval)
                .onItem().transformToUniAndConcatenate(tick -> Uni.createFrom().item(() -> {
                    try {
                        if (lastSent.get() < 0) {
                            lastSent.set(since != null ? since : reader.lastSequence());
                        }
                        return reader.changesAfter(lastSent.get(), BATCH);
                    } catch (java.sql.SQLException e) {
                        throw new IllegalStateException("cannot read the stages", e);
                    }
                }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool()))
                .onItem().transformToIterable(changes -> {
                    if (!changes.isEmpty()) {
                        lastSent.set(changes.get(changes.size() - 1).entry().id);
                    }
                    return changes.stream().filter(change -> caller.may(ProjectRole.VIEWER, change.project()))
                            .map(change -> new StageChangeView(change.entry().id,
                            change.entry().clusterId.toString(), change.name(), change.project(), change.provider(),
                            Stage.valueOf(change.entry().stage).displayName(), change.entry().reachedAt,
                            change.entry().reason, change.entry().message)).toList();
                });
    }

    private List<StageEventEntity> read(UUID clusterId, long after) {
        try {
            return reader.after(clusterId, after);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("cannot read the timeline of " + clusterId, e);
        }
    }
}
