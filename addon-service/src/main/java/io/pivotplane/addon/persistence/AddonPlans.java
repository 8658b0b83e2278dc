package io.pivotplane.addon.persistence;

import io.pivotplane.addon.domain.InstallPlan;
import io.pivotplane.addon.domain.PlanProgress;
import io.pivotplane.events.EventJson;
import io.pivotplane.events.model.Addon;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The {@code addon_plan} and {@code addon_install} tables; every method runs in the caller's transaction. */
public final class AddonPlans {

    /** A plan's row. */
    public record Plan(String clusterId, String correlationId, boolean profileKnown, boolean pivoted, boolean scaled,
                       String state) {
    }

    /** An add-on's row. */
    public record Install(int position, String name, int layerRank, Addon addon, PlanProgress.InstallState state,
                          int attempts, String commandId, String message, Instant sentAt, Instant retryAt,
                          Instant answerDue) {

        public PlanProgress.Item item() {
            return new PlanProgress.Item(position, name, layerRank, addon.priority(), addon.dependsOn(), state,
                    retryAt);
        }
    }

    private AddonPlans() {
    }

    /** The plan, locked for this transaction, created empty if it did not exist. */
    public static Plan lock(Connection tx, String clusterId) throws SQLException {
        try (PreparedStatement insert = tx.prepareStatement(
                "INSERT INTO addon_plan (cluster_id) VALUES (?) ON CONFLICT DO NOTHING")) {
            insert.setString(1, clusterId);
            insert.executeUpdate();
        }
        try (PreparedStatement select = tx.prepareStatement("""
                SELECT correlation_id, profile IS NOT NULL, pivoted, scaled, state FROM addon_plan
                WHERE cluster_id = ? FOR UPDATE""")) {
            select.setString(1, clusterId);
            try (ResultSet row = select.executeQuery()) {
                row.next();
                return new Plan(clusterId, row.getString(1), row.getBoolean(2), row.getBoolean(3), row.getBoolean(4),
                        row.getString(5));
            }
        }
    }

    public static boolean exists(Connection tx, String clusterId) throws SQLException {
        try (PreparedStatement select = tx.prepareStatement("SELECT 1 FROM addon_plan WHERE cluster_id = ?")) {
            select.setString(1, clusterId);
            try (ResultSet row = select.executeQuery()) {
                return row.next();
            }
        }
    }

    /**
     * Removes the plans whose profile never came, untouched since {@code cutoff}: made by a pivot or an agent's report
     * of a cluster no ClusterRequested ever named.
     *
     * @return their clusters
     */
    public static List<String> removeWithoutProfileSince(Connection tx, Instant cutoff) throws SQLException {
        return clusterIds(tx, "DELETE FROM addon_plan WHERE profile IS NULL AND updated_at < ? RETURNING cluster_id",
                cutoff);
    }

    /** Records the profile once, with its add-ons in install order. */
    public static void setProfile(Connection tx, String clusterId, String correlationId, List<Addon> addons)
            throws SQLException {
        try (PreparedStatement update = tx.prepareStatement("""
                UPDATE addon_plan SET profile = ?, correlation_id = ?, updated_at = now()
                WHERE cluster_id = ? AND profile IS NULL""")) {
            update.setString(1, json(addons));
            update.setString(2, correlationId);
            update.setString(3, clusterId);
            if (update.executeUpdate() == 0) {
                return;
            }
        }
        try (PreparedStatement insert = tx.prepareStatement("""
                INSERT INTO addon_install (cluster_id, position, name, layer_rank, addon, state)
                VALUES (?, ?, ?, ?, ?, 'PENDING')""")) {
            for (InstallPlan.Step step : InstallPlan.of(addons)) {
                insert.setString(1, clusterId);
                insert.setInt(2, step.position());
                insert.setString(3, step.addon().name());
                insert.setInt(4, step.layerRank());
                insert.setString(5, json(step.addon()));
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    public static void setFlag(Connection tx, String clusterId, String flag) throws SQLException {
        if (!flag.equals("pivoted") && !flag.equals("scaled")) {
            throw new IllegalArgumentException(flag);
        }
        try (PreparedStatement update = tx.prepareStatement(
                "UPDATE addon_plan SET " + flag + " = true, updated_at = now() WHERE cluster_id = ?")) {
            update.setString(1, clusterId);
            update.executeUpdate();
        }
    }

    public static void setState(Connection tx, String clusterId, String state) throws SQLException {
        try (PreparedStatement update = tx.prepareStatement(
                "UPDATE addon_plan SET state = ?, updated_at = now() WHERE cluster_id = ?")) {
            update.setString(1, state);
            update.setString(2, clusterId);
            update.executeUpdate();
        }
    }

    public static List<Install> installs(Connection tx, String clusterId) throws SQLException {
        List<Install> installs = new ArrayList<>();
        try (PreparedStatement select = tx.prepareStatement("""
                SELECT position, name, layer_rank, addon, state, attempts, command_id, message, sent_at, retry_at,
                       answer_due
                FROM addon_install WHERE cluster_id = ? ORDER BY position""")) {
            select.setString(1, clusterId);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    installs.add(new Install(rows.getInt(1), rows.getString(2), rows.getInt(3),
                            EventJson.read(rows.getString(4).getBytes(StandardCharsets.UTF_8), Addon.class),
                            PlanProgress.InstallState.valueOf(rows.getString(5)), rows.getInt(6), rows.getString(7),
                            rows.getString(8), instant(rows.getTimestamp(9)), instant(rows.getTimestamp(10)),
                            instant(rows.getTimestamp(11))));
                }
            }
        }
        return installs;
    }

    public static Optional<Install> byCommand(Connection tx, String clusterId, String commandId) throws SQLException {
        return installs(tx, clusterId).stream().filter(i -> commandId.equals(i.commandId())).findFirst();
    }

    /**
     * Records a command sent for the add-on, answered by {@code answerDue}: a new command id per attempt, so a late
     * result of an old one is told apart.
     */
    public static void sent(Connection tx, String clusterId, int position, String commandId, Instant answerDue)
            throws SQLException {
        try (PreparedStatement update = tx.prepareStatement("""
                UPDATE addon_install SET state = 'SENT', attempts = attempts + 1, command_id = ?, sent_at = now(),
                       answer_due = ?, retry_at = NULL
                WHERE cluster_id = ? AND position = ?""")) {
            update.setString(1, commandId);
            update.setTimestamp(2, Timestamp.from(answerDue));
            update.setString(3, clusterId);
            update.setInt(4, position);
            update.executeUpdate();
        }
    }

    /** A failed attempt, to be sent again not before {@code retryAt}. */
    public static void retryAt(Connection tx, String clusterId, int position, Instant retryAt, String message)
            throws SQLException {
        try (PreparedStatement update = tx.prepareStatement("""
                UPDATE addon_install SET state = 'PENDING', retry_at = ?, message = ?
                WHERE cluster_id = ? AND position = ?""")) {
            update.setTimestamp(1, Timestamp.from(retryAt));
            update.setString(2, message);
            update.setString(3, clusterId);
            update.setInt(4, position);
            update.executeUpdate();
        }
    }

    /** The clusters with a command whose answer was due before {@code now}. */
    public static List<String> unansweredAt(Connection tx, Instant now) throws SQLException {
        return clusterIds(tx, "SELECT DISTINCT cluster_id FROM addon_install WHERE state = 'SENT' AND answer_due < ?",
                now);
    }

    /** The clusters with a failed attempt due to be sent again at {@code now}. */
    public static List<String> retriesDueAt(Connection tx, Instant now) throws SQLException {
        return clusterIds(tx, "SELECT DISTINCT cluster_id FROM addon_install WHERE state = 'PENDING'"
                + " AND retry_at IS NOT NULL AND retry_at <= ?", now);
    }

    /** The cluster ids a statement with one parameter, a time, returns. */
    private static List<String> clusterIds(Connection tx, String sql, Instant cutoff) throws SQLException {
        List<String> clusters = new ArrayList<>();
        try (PreparedStatement statement = tx.prepareStatement(sql)) {
            statement.setTimestamp(1, Timestamp.from(cutoff));
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    clusters.add(rows.getString(1));
                }
            }
        }
        return clusters;
    }

    public static void result(Connection tx, String clusterId, int position, PlanProgress.InstallState state,
                              String message) throws SQLException {
        try (PreparedStatement update = tx.prepareStatement(
                "UPDATE addon_install SET state = ?, message = ? WHERE cluster_id = ? AND position = ?")) {
            update.setString(1, state.name());
            update.setString(2, message);
            update.setString(3, clusterId);
            update.setInt(4, position);
            update.executeUpdate();
        }
    }

    /**
     * The network plugin went onto the cluster before its pivot, with pivot-service's bootstrap layer (no node is
     * Ready without it): once the cluster has pivoted, the plan counts it installed.
     */
    public static void bootstrapLayerInstalled(Connection tx, String clusterId) throws SQLException {
        try (PreparedStatement update = tx.prepareStatement("""
                UPDATE addon_install SET state = 'INSTALLED', message = ?
                WHERE cluster_id = ? AND layer_rank = ? AND state = 'PENDING'""")) {
            update.setString(1, "installed with the bootstrap layer before the pivot");
            update.setString(2, clusterId);
            update.setInt(3, Addon.layerRank(Addon.LAYER_CNI));
            update.executeUpdate();
        }
    }

    private static Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }

    private static String json(Object value) {
        return new String(EventJson.write(value), StandardCharsets.UTF_8);
    }
}
