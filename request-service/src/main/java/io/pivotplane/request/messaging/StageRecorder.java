package io.pivotplane.request.messaging;

import io.pivotplane.events.AddonsInstalled;
import io.pivotplane.events.ClusterDeleted;
import io.pivotplane.events.ClusterDeletionRequested;
import io.pivotplane.events.EventJson;
import io.pivotplane.events.ClusterRequested;
import io.pivotplane.events.ControlPlaneReady;
import io.pivotplane.events.EventEnvelope;
import io.pivotplane.events.Pivoted;
import io.pivotplane.events.ProvisioningFailed;
import io.pivotplane.events.SpecsCreated;
import io.pivotplane.events.Stage;
import io.pivotplane.kit.messaging.PermanentEventException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Keeps each cluster's stage and timeline from the pipeline's events, in the consumer's transaction. Events of
 * one cluster come from several topics, so they may arrive out of order: the stage only moves forward, a failure
 * is final but for a deletion, a deletion follows any stage, and {@code Deleted} is the end.
 */
final class StageRecorder {

    private StageRecorder() {
    }

    static Optional<Stage> stageOf(Object payload) {
        if (payload instanceof ClusterRequested) {
            return Optional.of(Stage.REQUESTED);
        } else if (payload instanceof SpecsCreated) {
            return Optional.of(Stage.SPECS_CREATED);
        } else if (payload instanceof ControlPlaneReady) {
            return Optional.of(Stage.CONTROL_PLANE_READY);
        } else if (payload instanceof Pivoted) {
            return Optional.of(Stage.PIVOTED);
        } else if (payload instanceof AddonsInstalled) {
            return Optional.of(Stage.ADDONS_INSTALLED);
        } else if (payload instanceof ProvisioningFailed) {
            return Optional.of(Stage.FAILED);
        } else if (payload instanceof ClusterDeletionRequested) {
            return Optional.of(Stage.DELETING);
        } else if (payload instanceof ClusterDeleted) {
            return Optional.of(Stage.DELETED);
        }
        return Optional.empty();
    }

    /** Whether a cluster at {@code current} moves to {@code reached}. */
    static boolean advances(Stage current, Stage reached) {
        if (current == Stage.DELETED) {
            return false;
        }
        if (reached == Stage.FAILED || reached == Stage.DELETING || reached == Stage.DELETED) {
            return current != reached;
        }
        return current != Stage.FAILED && reached.ordinal() > current.ordinal();
    }

    /** What the event says about where the cluster's objects are, or how its add-ons went; null if nothing. */
    static String detail(Object payload) {
        Map<String, Object> detail = new LinkedHashMap<>();
        if (payload instanceof SpecsCreated specs) {
            detail.put("location", "management");
            detail.put("namespace", specs.namespace());
            detail.put("objects", specs.objects());
        } else if (payload instanceof Pivoted pivoted) {
            detail.put("location", "workload");
            detail.put("apiEndpoint", pivoted.apiEndpoint());
            detail.put("objects", pivoted.movedObjects());
        } else if (payload instanceof ClusterDeleted deleted) {
            detail.put("location", "deleted");
            detail.put("deletedFrom", deleted.location());
            detail.put("objects", deleted.deletedObjects());
        } else if (payload instanceof AddonsInstalled installed) {
            detail.put("addons", installed.addons());
            detail.put("generation", installed.generation());
        } else {
            return null;
        }
        return new String(EventJson.write(detail), StandardCharsets.UTF_8);
    }

    /** A stage the cluster moved to, how long after its request, and on which infrastructure. */
    record Reached(Stage stage, String provider, java.time.Duration sinceRequested) {
    }

    /** @return the stage the cluster moved to, if it moved */
    static Optional<Reached> record(EventEnvelope<?> event, Connection tx) throws Exception {
        Stage reached = stageOf(event.payload()).orElseThrow(() -> new PermanentEventException(
                "not a stage of the pipeline: " + event.type().ceType()));
        UUID clusterId = ClusterIds.parse(event.subject());
        ClusterRow row = cluster(tx, clusterId).orElseThrow(() -> new PermanentEventException(
                "no cluster " + clusterId + " was requested here"));
        Stage current = row.stage();
        ProvisioningFailed failure = event.payload() instanceof ProvisioningFailed f ? f : null;
        try (PreparedStatement insert = tx.prepareStatement("""
                INSERT INTO cluster_stage_event (cluster_id, stage, event_id, event_type, reached_at, reason, message,
                    detail)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING""")) {
            insert.setObject(1, clusterId);
            insert.setString(2, reached.name());
            insert.setString(3, event.id());
            insert.setString(4, event.type().ceType());
            insert.setTimestamp(5, Timestamp.from(event.time()));
            insert.setString(6, failure == null ? null : failure.reason());
            insert.setString(7, failure == null ? null : failure.message());
            insert.setString(8, detail(event.payload()));
            insert.executeUpdate();
        }
        // while a cluster is deleted, only a failure of the deletion itself (e.g. a late timeout) stops it
        boolean failureOfAnotherStage = current == Stage.DELETING && failure != null && failure.stage() != Stage.DELETING;
        if (!advances(current, reached) || failureOfAnotherStage) {
            return Optional.empty();
        }
        if (failure != null) {
            try (PreparedStatement update = tx.prepareStatement("""
                    UPDATE cluster SET stage = 'FAILED', last_error_stage = ?, last_error_reason = ?,
                        last_error_message = ?, last_error_at = ?, updated_at = now(), version = version + 1
                    WHERE id = ?""")) {
                update.setString(1, failure.stage().name());
                update.setString(2, failure.reason());
                update.setString(3, failure.message());
                update.setTimestamp(4, Timestamp.from(failure.failedAt()));
                update.setObject(5, clusterId);
                update.executeUpdate();
            }
        } else {
            try (PreparedStatement update = tx.prepareStatement(
                    "UPDATE cluster SET stage = ?, updated_at = now(), version = version + 1 WHERE id = ?")) {
                update.setString(1, reached.name());
                update.setObject(2, clusterId);
                update.executeUpdate();
            }
        }
        return Optional.of(new Reached(reached, row.provider(), java.time.Duration.between(row.createdAt(), event.time())));
    }

    private record ClusterRow(Stage stage, String provider, java.time.Instant createdAt) {
    }

    private static Optional<ClusterRow> cluster(Connection tx, UUID clusterId) throws Exception {
        try (PreparedStatement select = tx.prepareStatement(
                "SELECT stage, provider, created_at FROM cluster WHERE id = ? FOR UPDATE")) {
            select.setObject(1, clusterId);
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? Optional.of(new ClusterRow(Stage.valueOf(row.getString(1)), row.getString(2),
                        row.getTimestamp(3).toInstant())) : Optional.empty();
            }
        }
    }
}
