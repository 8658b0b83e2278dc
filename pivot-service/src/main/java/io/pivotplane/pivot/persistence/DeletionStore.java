package io.pivotplane.pivot.persistence;

import io.pivotplane.events.EventJson;
import io.pivotplane.events.model.ObjectReference;
import io.pivotplane.kit.persistence.Transactions;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** The deprovisionings pivot-service carries out, in PostgreSQL. Each transition happens once. */
@ApplicationScoped
public class DeletionStore {

    private static final String COLUMNS = """
            cluster_id, namespace, cluster_name, correlation_id, state, phase, step_started_at, waiting_for,
            deleted_objects, forced""";

    private final Transactions transactions;

    public DeletionStore(Transactions transactions) {
        this.transactions = transactions;
    }

    /**
     * Records the request; a deletion that failed starts over, one that runs or ended stays as it is. A forced request
     * marks the deletion forced, also one that runs: it carries on without moving the cluster back.
     */
    public Deletion request(Deletion fresh) throws Exception {
        return transactions.inTransaction(connection -> {
            try (PreparedStatement upsert = connection.prepareStatement("""
                    INSERT INTO cluster_deletion (cluster_id, namespace, cluster_name, correlation_id, state, forced)
                    VALUES (?, ?, ?, ?, 'REQUESTED', ?)
                    ON CONFLICT (cluster_id) DO UPDATE SET forced = cluster_deletion.forced OR excluded.forced,
                        state = CASE WHEN cluster_deletion.state = 'FAILED' THEN 'REQUESTED' ELSE cluster_deletion.state END,
                        command_id = CASE WHEN cluster_deletion.state = 'FAILED' THEN NULL ELSE cluster_deletion.command_id END,
                        failure = CASE WHEN cluster_deletion.state = 'FAILED' THEN NULL ELSE cluster_deletion.failure END,
                        phase = CASE WHEN cluster_deletion.state = 'FAILED' THEN NULL ELSE cluster_deletion.phase END,
                        waiting_for = CASE WHEN cluster_deletion.state = 'FAILED' THEN NULL
                            ELSE cluster_deletion.waiting_for END,
                        step_started_at = CASE WHEN cluster_deletion.state = 'FAILED' THEN now()
                            ELSE cluster_deletion.step_started_at END,
                        updated_at = now()
                    WHERE cluster_deletion.state = 'FAILED'
                        OR (excluded.forced AND NOT cluster_deletion.forced AND cluster_deletion.state <> 'DONE')""")) {
                upsert.setString(1, fresh.clusterId());
                upsert.setString(2, fresh.namespace());
                upsert.setString(3, fresh.clusterName());
                upsert.setString(4, fresh.correlationId());
                upsert.setBoolean(5, fresh.forced());
                upsert.executeUpdate();
            }
            return find(connection, fresh.clusterId()).orElseThrow();
        });
    }

    public Optional<Deletion> find(String clusterId) throws Exception {
        return transactions.inTransaction(connection -> find(connection, clusterId));
    }

    public List<Deletion> unfinished() throws Exception {
        return transactions.inTransaction(connection -> {
            List<Deletion> deletions = new ArrayList<>();
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT " + COLUMNS + " FROM cluster_deletion WHERE state NOT IN ('DONE', 'FAILED')");
                 ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    deletions.add(deletion(rows));
                }
            }
            return deletions;
        });
    }

    /** @return whether the caller holds the deletion now (see {@link MoveStore#claim}) */
    public boolean claim(String clusterId, String owner, Duration lease) throws Exception {
        return transactions.inTransaction(connection -> {
            try (PreparedStatement update = connection.prepareStatement("""
                    UPDATE cluster_deletion SET lease_owner = ?, lease_until = now() + make_interval(secs => ?)
                    WHERE cluster_id = ? AND (lease_until IS NULL OR lease_until < now() OR lease_owner = ?)""")) {
                update.setString(1, owner);
                update.setDouble(2, lease.toMillis() / 1000.0);
                update.setString(3, clusterId);
                update.setString(4, owner);
                return update.executeUpdate() == 1;
            }
        });
    }

    public void release(String clusterId, String owner) throws Exception {
        transactions.inTransaction(connection -> {
            try (PreparedStatement update = connection.prepareStatement("UPDATE cluster_deletion SET lease_owner = NULL,"
                    + " lease_until = NULL WHERE cluster_id = ? AND lease_owner = ?")) {
                update.setString(1, clusterId);
                update.setString(2, owner);
                update.executeUpdate();
            }
            return null;
        });
    }

    /** Moves the deletion from one state to the next; false when it was no longer in {@code from}. */
    public boolean advance(String clusterId, Deletion.State from, Deletion.State to) throws Exception {
        return transactions.inTransaction(connection -> {
            try (PreparedStatement update = connection.prepareStatement("""
                    UPDATE cluster_deletion SET state = ?, phase = NULL, waiting_for = NULL, step_started_at = now(),
                        updated_at = now()
                    WHERE cluster_id = ? AND state = ?""")) {
                update.setString(1, to.name());
                update.setString(2, clusterId);
                update.setString(3, from.name());
                return update.executeUpdate() == 1;
            }
        });
    }

    /**
     * Records where the deletion stands: the phase of its teardown (its clock restarts when the phase changes),
     * what it waits for, and what it deleted on the way.
     */
    public void progress(String clusterId, String phase, String waitingFor, List<ObjectReference> deletedNow)
            throws Exception {
        transactions.inTransaction(connection -> {
            List<ObjectReference> deleted = new ArrayList<>(find(connection, clusterId).orElseThrow().deletedObjects());
            deleted.addAll(deletedNow);
            try (PreparedStatement update = connection.prepareStatement("""
                    UPDATE cluster_deletion SET
                        step_started_at = CASE WHEN phase IS DISTINCT FROM ? THEN now() ELSE step_started_at END,
                        phase = ?, waiting_for = ?, deleted_objects = ?, updated_at = now()
                    WHERE cluster_id = ?""")) {
                update.setString(1, phase);
                update.setString(2, phase);
                update.setString(3, waitingFor);
                update.setString(4, new String(EventJson.write(deleted.toArray(ObjectReference[]::new)),
                        StandardCharsets.UTF_8));
                update.setString(5, clusterId);
                update.executeUpdate();
            }
            return null;
        });
    }

    public boolean done(Connection connection, String clusterId) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement("""
                UPDATE cluster_deletion SET state = 'DONE', updated_at = now()
                WHERE cluster_id = ? AND state NOT IN ('DONE', 'FAILED')""")) {
            update.setString(1, clusterId);
            return update.executeUpdate() == 1;
        }
    }

    public boolean failed(Connection connection, String clusterId, String failure) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement("""
                UPDATE cluster_deletion SET state = 'FAILED', failure = ?, updated_at = now()
                WHERE cluster_id = ? AND state NOT IN ('DONE', 'FAILED')""")) {
            update.setString(1, failure);
            update.setString(2, clusterId);
            return update.executeUpdate() == 1;
        }
    }

    private static Optional<Deletion> find(Connection connection, String clusterId) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT " + COLUMNS + " FROM cluster_deletion WHERE cluster_id = ?")) {
            select.setString(1, clusterId);
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? Optional.of(deletion(row)) : Optional.empty();
            }
        }
    }

    private static Deletion deletion(ResultSet row) throws SQLException {
        List<ObjectReference> deleted = Arrays.asList(EventJson.read(
                row.getString(9).getBytes(StandardCharsets.UTF_8), ObjectReference[].class));
        return new Deletion(row.getString(1), row.getString(2), row.getString(3), row.getString(4),
                Deletion.State.valueOf(row.getString(5)), row.getString(6), row.getTimestamp(7).toInstant(),
                row.getString(8), deleted, row.getBoolean(10));
    }
}
