package io.pivotplane.addon.persistence;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;

/** The latest spec change carried to each cluster's agent ({@code spec_change}), in the caller's transaction. */
public final class SpecChanges {

    private SpecChanges() {
    }

    /** A change sent to the agent as command {@code commandId}; {@code outcome} null while it rolls. */
    public record Change(String clusterId, long generation, String commandId, String correlationId, String outcome,
                         Instant answerDue) {
    }

    /** The cluster's latest change, locked until the transaction ends. */
    public static Optional<Change> lock(Connection tx, String clusterId) throws SQLException {
        try (PreparedStatement select = tx.prepareStatement("""
                SELECT generation, command_id, correlation_id, outcome, answer_due FROM spec_change
                WHERE cluster_id = ? FOR UPDATE""")) {
            select.setString(1, clusterId);
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? Optional.of(new Change(clusterId, row.getLong(1), row.getString(2),
                        row.getString(3), row.getString(4), row.getTimestamp(5).toInstant())) : Optional.empty();
            }
        }
    }

    /**
     * Records generation {@code generation} as sent in command {@code commandId}, in place of any older one, to be
     * answered by {@code answerDue}.
     */
    public static void sent(Connection tx, String clusterId, long generation, String commandId, String correlationId,
                            Instant at, Instant answerDue) throws SQLException {
        try (PreparedStatement upsert = tx.prepareStatement("""
                INSERT INTO spec_change (cluster_id, generation, command_id, correlation_id, sent_at, answer_due)
                VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (cluster_id) DO UPDATE SET generation = excluded.generation,
                    command_id = excluded.command_id, correlation_id = excluded.correlation_id,
                    sent_at = excluded.sent_at, answer_due = excluded.answer_due, outcome = NULL""")) {
            upsert.setString(1, clusterId);
            upsert.setLong(2, generation);
            upsert.setString(3, commandId);
            upsert.setString(4, correlationId);
            upsert.setTimestamp(5, Timestamp.from(at));
            upsert.setTimestamp(6, Timestamp.from(answerDue));
            upsert.executeUpdate();
        }
    }

    /** The clusters whose latest change is unanswered past its due time. */
    public static java.util.List<String> unansweredAt(Connection tx, Instant now) throws SQLException {
        java.util.List<String> clusters = new java.util.ArrayList<>();
        try (PreparedStatement select = tx.prepareStatement(
                "SELECT cluster_id FROM spec_change WHERE outcome IS NULL AND answer_due < ?")) {
            select.setTimestamp(1, Timestamp.from(now));
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    clusters.add(rows.getString(1));
                }
            }
        }
        return clusters;
    }

    public static void ended(Connection tx, String clusterId, String outcome) throws SQLException {
        try (PreparedStatement update = tx.prepareStatement(
                "UPDATE spec_change SET outcome = ? WHERE cluster_id = ?")) {
            update.setString(1, outcome);
            update.setString(2, clusterId);
            update.executeUpdate();
        }
    }
}
