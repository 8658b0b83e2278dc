package io.pivotplane.provisioner.persistence;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;

/** The {@code control_plane_watch} table. */
public final class ControlPlaneWatches {

    public static final String WAITING = "WAITING";
    public static final String READY = "READY";
    public static final String TIMED_OUT = "TIMED_OUT";
    /** The cluster is being deleted: nothing is awaited any more. */
    public static final String CANCELLED = "CANCELLED";

    private ControlPlaneWatches() {
    }

    /** Registers the watch unless it exists; returns whether it is (still) waiting. */
    public static boolean register(Connection connection, ControlPlaneWatch watch) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("""
                INSERT INTO control_plane_watch (cluster_id, namespace, cluster_name, correlation_id, deadline, state)
                VALUES (?, ?, ?, ?, ?, 'WAITING') ON CONFLICT (cluster_id) DO NOTHING""")) {
            insert.setString(1, watch.clusterId());
            insert.setString(2, watch.namespace());
            insert.setString(3, watch.clusterName());
            insert.setString(4, watch.correlationId());
            insert.setTimestamp(5, Timestamp.from(watch.deadline()));
            insert.executeUpdate();
        }
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT state FROM control_plane_watch WHERE cluster_id = ?")) {
            select.setString(1, watch.clusterId());
            try (ResultSet row = select.executeQuery()) {
                return row.next() && WAITING.equals(row.getString(1));
            }
        }
    }

    /**
     * Ends the cluster's watch for good, or rules it out if its SpecsCreated has not come yet (events of one
     * cluster arrive on different topics, in any order); returns whether a waiting watch ended.
     */
    public static boolean cancel(Connection connection, ControlPlaneWatch watch) throws SQLException {
        try (PreparedStatement upsert = connection.prepareStatement("""
                INSERT INTO control_plane_watch (cluster_id, namespace, cluster_name, correlation_id, deadline, state,
                    finished_at)
                VALUES (?, ?, ?, ?, ?, 'CANCELLED', now())
                ON CONFLICT (cluster_id) DO UPDATE SET state = 'CANCELLED', finished_at = now()
                WHERE control_plane_watch.state = 'WAITING'
                RETURNING (xmax <> 0) AS was_waiting""")) {
            upsert.setString(1, watch.clusterId());
            upsert.setString(2, watch.namespace());
            upsert.setString(3, watch.clusterName());
            upsert.setString(4, watch.correlationId());
            upsert.setTimestamp(5, Timestamp.from(watch.deadline()));
            try (ResultSet row = upsert.executeQuery()) {
                return row.next() && row.getBoolean(1);
            }
        }
    }

    public static List<ControlPlaneWatch> waiting(Connection connection) throws SQLException {
        List<ControlPlaneWatch> watches = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement("""
                SELECT cluster_id, namespace, cluster_name, correlation_id, deadline
                FROM control_plane_watch WHERE state = 'WAITING'""");
             ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                watches.add(new ControlPlaneWatch(rows.getString(1), rows.getString(2), rows.getString(3),
                        rows.getString(4), rows.getTimestamp(5).toInstant()));
            }
        }
        return watches;
    }

    /** Ends a waiting watch; false when it had already ended, so whoever ends it first is the only one to say so. */
    public static boolean finish(Connection connection, String clusterId, String state) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement("""
                UPDATE control_plane_watch SET state = ?, finished_at = now()
                WHERE cluster_id = ? AND state = 'WAITING'""")) {
            update.setString(1, state);
            update.setString(2, clusterId);
            return update.executeUpdate() == 1;
        }
    }
}
