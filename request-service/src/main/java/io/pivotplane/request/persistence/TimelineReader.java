package io.pivotplane.request.persistence;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Reads new timeline entries for live streams, with blocking JDBC on the stream's own worker thread: each
 * stream asks the database, so every replica serves every cluster's stream, whichever replica consumed the event.
 */
@ApplicationScoped
public class TimelineReader {

    private final AgroalDataSource dataSource;

    public TimelineReader(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** The project of the cluster, if one has this id. */
    public Optional<String> projectOf(UUID clusterId) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement("SELECT project FROM cluster WHERE id = ?")) {
            select.setObject(1, clusterId);
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? Optional.of(row.getString(1)) : Optional.empty();
            }
        }
    }

    /** A stage reached, with the cluster it belongs to. */
    public record StageChange(StageEventEntity entry, String name, String project, String provider) {
    }

    /** A cluster's stage as the API shows it, and the message of its last error. */
    public record ClusterStage(String clusterId, String stage, String lastError) {
    }

    public List<ClusterStage> stages(java.util.Collection<String> clusterIds) throws SQLException {
        List<ClusterStage> stages = new ArrayList<>();
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement(
                     "SELECT id, stage, last_error_reason, last_error_message FROM cluster WHERE id = ANY (?)")) {
            select.setArray(1, connection.createArrayOf("uuid", clusterIds.stream().map(UUID::fromString).toArray()));
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    String reason = rows.getString(3);
                    stages.add(new ClusterStage(rows.getObject(1, UUID.class).toString(),
                            io.pivotplane.events.Stage.valueOf(rows.getString(2)).displayName(),
                            reason == null ? null : reason + ": " + rows.getString(4)));
                }
            }
        }
        return stages;
    }

    /** The highest sequence number of any stage so far (0 when there is none). */
    public long lastSequence() throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement("SELECT coalesce(max(id), 0) FROM cluster_stage_event");
             ResultSet row = select.executeQuery()) {
            row.next();
            return row.getLong(1);
        }
    }

    /** Every cluster's stages recorded after {@code afterId}, in order, at most {@code limit} of them. */
    public List<StageChange> changesAfter(long afterId, int limit) throws SQLException {
        List<StageChange> changes = new ArrayList<>();
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement("""
                     SELECT e.id, e.cluster_id, e.stage, e.event_id, e.event_type, e.reached_at, e.reason, e.message,
                            c.name, c.project, c.provider
                     FROM cluster_stage_event e JOIN cluster c ON c.id = e.cluster_id
                     WHERE e.id > ? ORDER BY e.id LIMIT ?""")) {
            select.setLong(1, afterId);
            select.setInt(2, limit);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    changes.add(new StageChange(entry(rows), rows.getString(9), rows.getString(10), rows.getString(11)));
                }
            }
        }
        return changes;
    }

    public List<StageEventEntity> after(UUID clusterId, long afterId) throws SQLException {
        List<StageEventEntity> entries = new ArrayList<>();
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement("""
                     SELECT id, cluster_id, stage, event_id, event_type, reached_at, reason, message
                     FROM cluster_stage_event WHERE cluster_id = ? AND id > ? ORDER BY id""")) {
            select.setObject(1, clusterId);
            select.setLong(2, afterId);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    entries.add(entry(rows));
                }
            }
        }
        return entries;
    }

    /** A timeline entry from the first eight columns: id, cluster_id, stage, event_id, event_type, reached_at, reason, message. */
    private static StageEventEntity entry(ResultSet rows) throws SQLException {
        StageEventEntity entry = new StageEventEntity();
        entry.id = rows.getLong(1);
        entry.clusterId = rows.getObject(2, UUID.class);
        entry.stage = rows.getString(3);
        entry.eventId = rows.getString(4);
        entry.eventType = rows.getString(5);
        entry.reachedAt = rows.getTimestamp(6).toInstant();
        entry.reason = rows.getString(7);
        entry.message = rows.getString(8);
        return entry;
    }
}
