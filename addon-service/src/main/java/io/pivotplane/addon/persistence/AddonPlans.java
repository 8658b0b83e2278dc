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
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The {@code addon_plan} and {@code addon_install} tables; every method runs in the caller's transaction. */
public final class AddonPlans {

    /** Rows of the plan's current generation only: older generations are history. */
    private static final String CURRENT_GENERATION =
            " generation = (SELECT p.generation FROM addon_plan p WHERE p.cluster_id = addon_install.cluster_id)";

    /** A plan's row. */
    public record Plan(String clusterId, String correlationId, boolean profileKnown, boolean pivoted, boolean scaled,
                       String state, long generation) {
    }

    /** An add-on's row. */
    public record Install(int position, String name, int layerRank, Addon addon, PlanProgress.InstallState state,
                          int attempts, String commandId, String message, Instant sentAt, Instant retryAt,
                          Instant answerDue, boolean uninstall) {

        public PlanProgress.Item item() {
            return new PlanProgress.Item(position, name, layerRank, addon.priority(), addon.dependsOn(), state,
                    retryAt, uninstall);
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
                SELECT correlation_id, profile IS NOT NULL, pivoted, scaled, state, generation FROM addon_plan
                WHERE cluster_id = ? FOR UPDATE""")) {
            select.setString(1, clusterId);
            try (ResultSet row = select.executeQuery()) {
                row.next();
                return new Plan(clusterId, row.getString(1), row.getBoolean(2), row.getBoolean(3), row.getBoolean(4),
                        row.getString(5), row.getLong(6));
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

    /**
     * Makes {@code addons} the plan's next generation: its add-ons in install order, those of the current generation
     * that did not change already INSTALLED, and an UNINSTALL row for each add-on of the current generation that the
     * new one no longer has. The plan installs again.
     */
    public static void changeProfile(Connection tx, String clusterId, long generation, List<Addon> addons)
            throws SQLException {
        Plan plan = lock(tx, clusterId);
        Map<String, Install> current = new HashMap<>();
        installs(tx, clusterId, plan.generation()).stream()
                .filter(i -> !i.uninstall() && i.state() != PlanProgress.InstallState.REMOVED)
                .forEach(i -> current.put(i.name(), i));
        try (PreparedStatement update = tx.prepareStatement("""
                UPDATE addon_plan SET profile = ?, generation = ?, state = 'INSTALLING', updated_at = now()
                WHERE cluster_id = ?""")) {
            update.setString(1, json(addons));
            update.setLong(2, generation);
            update.setString(3, clusterId);
            update.executeUpdate();
        }
        try (PreparedStatement insert = tx.prepareStatement("""
                INSERT INTO addon_install (cluster_id, generation, position, name, layer_rank, addon, state, message,
                    action)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""")) {
            List<InstallPlan.Step> steps = InstallPlan.of(addons);
            Set<String> kept = new HashSet<>();
            for (InstallPlan.Step step : steps) {
                Install before = current.get(step.addon().name());
                boolean unchanged = before != null && before.addon().equals(step.addon())
                        && before.state() == PlanProgress.InstallState.INSTALLED;
                kept.add(step.addon().name());
                add(insert, clusterId, generation, step, unchanged ? PlanProgress.InstallState.INSTALLED
                                : PlanProgress.InstallState.PENDING,
                        unchanged ? "unchanged since generation " + plan.generation() : null, "INSTALL");
            }
            int position = steps.size();
            // in reverse install order: what was installed last goes first
            for (Install gone : current.values().stream()
                    .sorted(Comparator.comparingInt(Install::position).reversed()).toList()) {
                if (!kept.contains(gone.name())) {
                    add(insert, clusterId, generation, new InstallPlan.Step(position++, gone.layerRank(), gone.addon()),
                            PlanProgress.InstallState.PENDING, null, "UNINSTALL");
                }
            }
            insert.executeBatch();
        }
    }

    private static void add(PreparedStatement insert, String clusterId, long generation, InstallPlan.Step step,
                            PlanProgress.InstallState state, String message, String action) throws SQLException {
        insert.setString(1, clusterId);
        insert.setLong(2, generation);
        insert.setInt(3, step.position());
        insert.setString(4, step.addon().name());
        insert.setInt(5, step.layerRank());
        insert.setString(6, json(step.addon()));
        insert.setString(7, state.name());
        insert.setString(8, message);
        insert.setString(9, action);
        insert.addBatch();
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

    /** The add-ons of the plan's current generation, in install order (uninstalls after them). */
    public static List<Install> installs(Connection tx, String clusterId) throws SQLException {
        return installs(tx, clusterId, lock(tx, clusterId).generation());
    }

    private static List<Install> installs(Connection tx, String clusterId, long generation) throws SQLException {
        List<Install> installs = new ArrayList<>();
        try (PreparedStatement select = tx.prepareStatement("""
                SELECT position, name, layer_rank, addon, state, attempts, command_id, message, sent_at, retry_at,
                       answer_due, action
                FROM addon_install WHERE cluster_id = ? AND generation = ? ORDER BY position""")) {
            select.setString(1, clusterId);
            select.setLong(2, generation);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    installs.add(new Install(rows.getInt(1), rows.getString(2), rows.getInt(3),
                            EventJson.read(rows.getString(4).getBytes(StandardCharsets.UTF_8), Addon.class),
                            PlanProgress.InstallState.valueOf(rows.getString(5)), rows.getInt(6), rows.getString(7),
                            rows.getString(8), instant(rows.getTimestamp(9)), instant(rows.getTimestamp(10)),
                            instant(rows.getTimestamp(11)), "UNINSTALL".equals(rows.getString(12))));
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
                WHERE cluster_id = ? AND position = ? AND """ + CURRENT_GENERATION)) {
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
                WHERE cluster_id = ? AND position = ? AND """ + CURRENT_GENERATION)) {
            update.setTimestamp(1, Timestamp.from(retryAt));
            update.setString(2, message);
            update.setString(3, clusterId);
            update.setInt(4, position);
            update.executeUpdate();
        }
    }

    /** The clusters with a command whose answer was due before {@code now}. */
    public static List<String> unansweredAt(Connection tx, Instant now) throws SQLException {
        return clusterIds(tx, "SELECT DISTINCT cluster_id FROM addon_install WHERE state = 'SENT' AND answer_due < ?"
                + " AND " + CURRENT_GENERATION, now);
    }

    /** The clusters with a failed attempt due to be sent again at {@code now}. */
    public static List<String> retriesDueAt(Connection tx, Instant now) throws SQLException {
        return clusterIds(tx, "SELECT DISTINCT cluster_id FROM addon_install WHERE state = 'PENDING'"
                + " AND retry_at IS NOT NULL AND retry_at <= ? AND " + CURRENT_GENERATION, now);
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
                "UPDATE addon_install SET state = ?, message = ? WHERE cluster_id = ? AND position = ? AND "
                        + CURRENT_GENERATION)) {
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
                WHERE cluster_id = ? AND layer_rank = ? AND state = 'PENDING' AND generation = 0""")) {
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
