package io.pivotplane.addon.persistence;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/** The version each cluster's agent last reported ({@code agent_version}), in the caller's transaction. */
public final class AgentVersionRecords {

    private AgentVersionRecords() {
    }

    /** What the cluster's agent reported last; {@code version} null when it reported none. */
    public record Reported(String version) {
    }

    /** The version the cluster's agent reported last; empty when it reported nothing addon-service reads yet. */
    public static Optional<Reported> find(Connection tx, String clusterId) throws SQLException {
        try (PreparedStatement select = tx.prepareStatement(
                "SELECT version FROM agent_version WHERE cluster_id = ?")) {
            select.setString(1, clusterId);
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? Optional.of(new Reported(row.getString(1))) : Optional.empty();
            }
        }
    }

    /**
     * Keeps {@code version} as the cluster's agent's, unless a later report is kept already.
     *
     * @return true when the version differs from the one kept before (or none was)
     */
    public static boolean record(Connection tx, String clusterId, String version, Instant reportedAt)
            throws SQLException {
        Optional<Reported> before;
        try (PreparedStatement select = tx.prepareStatement(
                "SELECT version, reported_at FROM agent_version WHERE cluster_id = ? FOR UPDATE")) {
            select.setString(1, clusterId);
            try (ResultSet row = select.executeQuery()) {
                if (!row.next()) {
                    before = Optional.empty();
                } else if (row.getTimestamp(2).toInstant().isAfter(reportedAt)) {
                    return false;
                } else {
                    before = Optional.of(new Reported(row.getString(1)));
                }
            }
        }
        try (PreparedStatement upsert = tx.prepareStatement("""
                INSERT INTO agent_version (cluster_id, version, reported_at) VALUES (?, ?, ?)
                ON CONFLICT (cluster_id) DO UPDATE SET version = excluded.version,
                    reported_at = excluded.reported_at""")) {
            upsert.setString(1, clusterId);
            upsert.setString(2, version);
            upsert.setTimestamp(3, Timestamp.from(reportedAt));
            upsert.executeUpdate();
        }
        return before.isEmpty() || !Objects.equals(before.get().version(), version);
    }
}
