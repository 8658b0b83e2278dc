package io.pivotplane.pivot.persistence;

import io.pivotplane.kit.persistence.Transactions;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Records each move and each of its objects as it goes, so a restart resumes exactly where it stopped, and lends
 * each move to one replica at a time (a lease that runs out if that replica dies).
 */
@ApplicationScoped
public class MoveStore {

    private static final String COLUMNS = """
            cluster_id, direction, namespace, cluster_name, correlation_id, api_endpoint, step, failure,
            step_started_at, attempts, waiting_for""";

    private final Transactions transactions;

    public MoveStore(Transactions transactions) {
        this.transactions = transactions;
    }

    /** The recorded move of the cluster in that direction, started now if there is none. */
    public Move startOrResume(Move fresh) throws Exception {
        return transactions.inTransaction(connection -> {
            try (PreparedStatement insert = connection.prepareStatement("""
                    INSERT INTO pivot_move (cluster_id, direction, namespace, cluster_name, correlation_id,
                                            api_endpoint, step)
                    VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (cluster_id, direction) DO NOTHING""")) {
                insert.setString(1, fresh.clusterId());
                insert.setString(2, fresh.direction().name());
                insert.setString(3, fresh.namespace());
                insert.setString(4, fresh.clusterName());
                insert.setString(5, fresh.correlationId());
                insert.setString(6, fresh.apiEndpoint());
                insert.setString(7, MoveStep.STARTED.name());
                insert.executeUpdate();
            }
            return find(connection, fresh.clusterId(), fresh.direction()).orElseThrow();
        });
    }

    public Optional<Move> find(String clusterId, Direction direction) throws Exception {
        return transactions.inTransaction(connection -> find(connection, clusterId, direction));
    }

    private static Optional<Move> find(Connection connection, String clusterId, Direction direction)
            throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT " + COLUMNS + " FROM pivot_move WHERE cluster_id = ? AND direction = ?")) {
            select.setString(1, clusterId);
            select.setString(2, direction.name());
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? Optional.of(move(row)) : Optional.empty();
            }
        }
    }

    private static Move move(ResultSet row) throws SQLException {
        return new Move(row.getString(1), Direction.valueOf(row.getString(2)), row.getString(3), row.getString(4),
                row.getString(5), row.getString(6), MoveStep.valueOf(row.getString(7)), row.getString(8),
                row.getTimestamp(9).toInstant(), row.getInt(10), row.getString(11));
    }

    /** Every move that has not ended, for a starting replica to take up. */
    public List<Move> unfinished() throws Exception {
        return transactions.inTransaction(connection -> {
            List<Move> moves = new ArrayList<>();
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT " + COLUMNS + " FROM pivot_move WHERE step NOT IN ('DONE', 'FAILED')");
                 ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    moves.add(move(rows));
                }
            }
            return moves;
        });
    }

    /**
     * Takes the move for {@code lease}, unless another replica holds it; the holder may extend its own lease.
     *
     * @return whether the caller holds the move now
     */
    public boolean claim(String clusterId, Direction direction, String owner, Duration lease) throws Exception {
        return transactions.inTransaction(connection -> {
            try (PreparedStatement update = connection.prepareStatement("""
                    UPDATE pivot_move SET lease_owner = ?, lease_until = now() + make_interval(secs => ?)
                    WHERE cluster_id = ? AND direction = ?
                      AND (lease_until IS NULL OR lease_until < now() OR lease_owner = ?)""")) {
                update.setString(1, owner);
                update.setDouble(2, lease.toMillis() / 1000.0);
                update.setString(3, clusterId);
                update.setString(4, direction.name());
                update.setString(5, owner);
                return update.executeUpdate() == 1;
            }
        });
    }

    public void release(String clusterId, Direction direction, String owner) throws Exception {
        execute("UPDATE pivot_move SET lease_owner = NULL, lease_until = NULL "
                + "WHERE cluster_id = ? AND direction = ? AND lease_owner = ?", clusterId, direction, owner);
    }

    /** Records that {@code step} is complete: the next one starts now, with no attempts yet. */
    public void step(String clusterId, Direction direction, MoveStep step) throws Exception {
        transactions.inTransaction(connection -> step(connection, clusterId, direction, step));
    }

    private static boolean step(Connection connection, String clusterId, Direction direction, MoveStep step)
            throws SQLException {
        try (PreparedStatement update = connection.prepareStatement("""
                UPDATE pivot_move SET step = ?, step_started_at = now(), attempts = 0, waiting_for = NULL,
                                      updated_at = now()
                WHERE cluster_id = ? AND direction = ? AND step NOT IN ('DONE', 'FAILED')""")) {
            update.setString(1, step.name());
            update.setString(2, clusterId);
            update.setString(3, direction.name());
            return update.executeUpdate() == 1;
        }
    }

    /** Records what the current step waits for; counts an attempt when it failed on an error that may pass. */
    public void waiting(String clusterId, Direction direction, String waitingFor, boolean failedAttempt)
            throws Exception {
        transactions.inTransaction(connection -> {
            try (PreparedStatement update = connection.prepareStatement("""
                    UPDATE pivot_move SET waiting_for = ?, attempts = attempts + ?, updated_at = now()
                    WHERE cluster_id = ? AND direction = ?""")) {
                update.setString(1, waitingFor);
                update.setInt(2, failedAttempt ? 1 : 0);
                update.setString(3, clusterId);
                update.setString(4, direction.name());
                update.executeUpdate();
            }
            return null;
        });
    }

    /** Records the graph and the step COLLECTED together: a move never has half a graph. */
    public void collected(String clusterId, Direction direction, List<MovedObject> graph) throws Exception {
        transactions.inTransaction(connection -> {
            try (PreparedStatement insert = connection.prepareStatement("""
                    INSERT INTO pivot_object (cluster_id, direction, position, api_version, kind, namespace, name,
                                              source_uid, delete_from_source, keep_if_exists)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")) {
                for (MovedObject object : graph) {
                    insert.setString(1, clusterId);
                    insert.setString(2, direction.name());
                    insert.setInt(3, object.position());
                    insert.setString(4, object.apiVersion());
                    insert.setString(5, object.kind());
                    insert.setString(6, object.namespace());
                    insert.setString(7, object.name());
                    insert.setString(8, object.sourceUid());
                    insert.setBoolean(9, object.deleteFromSource());
                    insert.setBoolean(10, object.keepIfExists());
                    insert.addBatch();
                }
                insert.executeBatch();
            }
            step(connection, clusterId, direction, MoveStep.COLLECTED);
            return null;
        });
    }

    public List<MovedObject> objects(String clusterId, Direction direction) throws Exception {
        return transactions.inTransaction(connection -> {
            List<MovedObject> objects = new ArrayList<>();
            try (PreparedStatement select = connection.prepareStatement("""
                    SELECT position, api_version, kind, namespace, name, source_uid, target_uid, delete_from_source,
                           keep_if_exists, deleted_at IS NOT NULL
                    FROM pivot_object WHERE cluster_id = ? AND direction = ? ORDER BY position""")) {
                select.setString(1, clusterId);
                select.setString(2, direction.name());
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        objects.add(new MovedObject(rows.getInt(1), rows.getString(2), rows.getString(3),
                                rows.getString(4), rows.getString(5), rows.getString(6),
                                Optional.ofNullable(rows.getString(7)), rows.getBoolean(8), rows.getBoolean(9),
                                rows.getBoolean(10)));
                    }
                }
            }
            return objects;
        });
    }

    public void created(String clusterId, Direction direction, int position, String targetUid) throws Exception {
        execute("UPDATE pivot_object SET target_uid = ?, created_at = now() "
                + "WHERE cluster_id = ? AND direction = ? AND position = ?", targetUid, clusterId, direction, position);
    }

    /** Forgets a target object removed again by a rollback. */
    public void uncreated(String clusterId, Direction direction, int position) throws Exception {
        execute("UPDATE pivot_object SET target_uid = NULL, created_at = NULL "
                + "WHERE cluster_id = ? AND direction = ? AND position = ?", clusterId, direction, position);
    }

    public void deleted(String clusterId, Direction direction, int position) throws Exception {
        execute("UPDATE pivot_object SET deleted_at = now() WHERE cluster_id = ? AND direction = ? AND position = ?",
                clusterId, direction, position);
    }

    private void execute(String sql, Object... parameters) throws Exception {
        transactions.inTransaction(connection -> {
            try (PreparedStatement update = connection.prepareStatement(sql)) {
                for (int i = 0; i < parameters.length; i++) {
                    Object value = parameters[i] instanceof Direction d ? d.name() : parameters[i];
                    update.setObject(i + 1, value);
                }
                update.executeUpdate();
            }
            return null;
        });
    }

    /** Records the failure; returns false if the move had already ended, so it is reported once. */
    public boolean failed(Connection connection, String clusterId, Direction direction, String failure)
            throws SQLException {
        try (PreparedStatement update = connection.prepareStatement("""
                UPDATE pivot_move SET failed_at_step = step, step = 'FAILED', failure = ?, updated_at = now()
                WHERE cluster_id = ? AND direction = ? AND step NOT IN ('DONE', 'FAILED')""")) {
            update.setString(1, failure);
            update.setString(2, clusterId);
            update.setString(3, direction.name());
            return update.executeUpdate() == 1;
        }
    }

    public boolean done(Connection connection, String clusterId, Direction direction) throws SQLException {
        return step(connection, clusterId, direction, MoveStep.DONE);
    }

    /** As {@link #failed(Connection, String, Direction, String)}, for a move whose end nobody else reports. */
    public boolean failed(String clusterId, Direction direction, String failure) throws Exception {
        return transactions.inTransaction(connection -> failed(connection, clusterId, direction, failure));
    }

    /**
     * Takes up a failed move again: one that stopped after creating objects in the target goes on from the step it
     * stopped at (forward, since going back could strand objects); one that changed nothing, or was rolled back,
     * starts over with a new graph.
     *
     * @param incompleteReason and {@code restartableReasons}: the reasons, at the start of the recorded failure, of
     *     each kind
     * @return whether the move was failed and is now under way again
     */
    public boolean retry(String clusterId, Direction direction, String incompleteReason, List<String> restartableReasons)
            throws Exception {
        return transactions.inTransaction(connection -> {
            Optional<Move> move = find(connection, clusterId, direction);
            if (move.isEmpty() || move.get().step() != MoveStep.FAILED || move.get().failure() == null) {
                return false;
            }
            String failure = move.get().failure();
            if (failure.startsWith(incompleteReason)) {
                try (PreparedStatement update = connection.prepareStatement("""
                        UPDATE pivot_move SET step = failed_at_step, failure = NULL, attempts = 0, waiting_for = NULL,
                            step_started_at = now(), updated_at = now()
                        WHERE cluster_id = ? AND direction = ? AND step = 'FAILED'""")) {
                    update.setString(1, clusterId);
                    update.setString(2, direction.name());
                    return update.executeUpdate() == 1;
                }
            }
            if (restartableReasons.stream().noneMatch(failure::startsWith)) {
                return false;
            }
            try (PreparedStatement delete = connection.prepareStatement(
                    "DELETE FROM pivot_object WHERE cluster_id = ? AND direction = ?")) {
                delete.setString(1, clusterId);
                delete.setString(2, direction.name());
                delete.executeUpdate();
            }
            try (PreparedStatement update = connection.prepareStatement("""
                    UPDATE pivot_move SET step = 'STARTED', failed_at_step = NULL, failure = NULL, attempts = 0,
                        waiting_for = NULL, step_started_at = now(), updated_at = now()
                    WHERE cluster_id = ? AND direction = ? AND step = 'FAILED'""")) {
                update.setString(1, clusterId);
                update.setString(2, direction.name());
                return update.executeUpdate() == 1;
            }
        });
    }

    public boolean done(String clusterId, Direction direction) throws Exception {
        return transactions.inTransaction(connection -> done(connection, clusterId, direction));
    }
}
