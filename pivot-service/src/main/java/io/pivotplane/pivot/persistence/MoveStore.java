package io.pivotplane.pivot.persistence;

import io.pivotplane.kit.persistence.Transactions;
import io.pivotplane.pivot.domain.GraphNode;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Records each move and each of its objects as it goes, so a restart resumes exactly where it stopped. */
@ApplicationScoped
public class MoveStore {

    private final Transactions transactions;

    public MoveStore(Transactions transactions) {
        this.transactions = transactions;
    }

    /** The recorded move of the cluster, started now if there is none. */
    public Move startOrResume(Move fresh) throws Exception {
        return transactions.inTransaction(connection -> {
            try (PreparedStatement insert = connection.prepareStatement("""
                    INSERT INTO pivot_move (cluster_id, namespace, cluster_name, correlation_id, api_endpoint, step)
                    VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (cluster_id) DO NOTHING""")) {
                insert.setString(1, fresh.clusterId());
                insert.setString(2, fresh.namespace());
                insert.setString(3, fresh.clusterName());
                insert.setString(4, fresh.correlationId());
                insert.setString(5, fresh.apiEndpoint());
                insert.setString(6, MoveStep.STARTED.name());
                insert.executeUpdate();
            }
            return find(connection, fresh.clusterId()).orElseThrow();
        });
    }

    /** The cluster's move, if one was ever started. */
    public Optional<Move> find(String clusterId) throws Exception {
        return transactions.inTransaction(connection -> find(connection, clusterId));
    }

    private static Optional<Move> find(java.sql.Connection connection, String clusterId) throws Exception {
        try (PreparedStatement select = connection.prepareStatement("""
                SELECT cluster_id, namespace, cluster_name, correlation_id, api_endpoint, step, failure
                FROM pivot_move WHERE cluster_id = ?""")) {
            select.setString(1, clusterId);
            try (ResultSet row = select.executeQuery()) {
                if (!row.next()) {
                    return Optional.empty();
                }
                return Optional.of(new Move(row.getString(1), row.getString(2), row.getString(3), row.getString(4),
                        row.getString(5), MoveStep.valueOf(row.getString(6)), row.getString(7)));
            }
        }
    }

    public void step(String clusterId, MoveStep step) throws Exception {
        transactions.inTransaction(connection -> {
            try (PreparedStatement update = connection.prepareStatement(
                    "UPDATE pivot_move SET step = ?, updated_at = now() WHERE cluster_id = ?")) {
                update.setString(1, step.name());
                update.setString(2, clusterId);
                update.executeUpdate();
            }
            return null;
        });
    }

    /** Records the graph and the step COLLECTED together: a move never has half a graph. */
    public void collected(String clusterId, List<GraphNode> graph) throws Exception {
        transactions.inTransaction(connection -> {
            try (PreparedStatement insert = connection.prepareStatement("""
                    INSERT INTO pivot_object (cluster_id, position, api_version, kind, name, source_uid)
                    VALUES (?, ?, ?, ?, ?, ?)""")) {
                for (int i = 0; i < graph.size(); i++) {
                    GraphNode node = graph.get(i);
                    insert.setString(1, clusterId);
                    insert.setInt(2, i);
                    insert.setString(3, node.apiVersion());
                    insert.setString(4, node.kind());
                    insert.setString(5, node.name());
                    insert.setString(6, node.uid());
                    insert.addBatch();
                }
                insert.executeBatch();
            }
            try (PreparedStatement update = connection.prepareStatement(
                    "UPDATE pivot_move SET step = ?, updated_at = now() WHERE cluster_id = ?")) {
                update.setString(1, MoveStep.COLLECTED.name());
                update.setString(2, clusterId);
                update.executeUpdate();
            }
            return null;
        });
    }

    public List<MovedObject> objects(String clusterId) throws Exception {
        return transactions.inTransaction(connection -> {
            List<MovedObject> objects = new ArrayList<>();
            try (PreparedStatement select = connection.prepareStatement("""
                    SELECT position, api_version, kind, name, source_uid, target_uid, deleted_at IS NOT NULL
                    FROM pivot_object WHERE cluster_id = ? ORDER BY position""")) {
                select.setString(1, clusterId);
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        objects.add(new MovedObject(rows.getInt(1), rows.getString(2), rows.getString(3),
                                rows.getString(4), rows.getString(5), Optional.ofNullable(rows.getString(6)),
                                rows.getBoolean(7)));
                    }
                }
            }
            return objects;
        });
    }

    public void created(String clusterId, int position, String targetUid) throws Exception {
        update(clusterId, position, "UPDATE pivot_object SET target_uid = ?, created_at = now() "
                + "WHERE cluster_id = ? AND position = ?", targetUid);
    }

    /** Forgets a target object removed again by a rollback. */
    public void uncreated(String clusterId, int position) throws Exception {
        update(clusterId, position, "UPDATE pivot_object SET target_uid = ?, created_at = NULL "
                + "WHERE cluster_id = ? AND position = ?", null);
    }

    public void deleted(String clusterId, int position) throws Exception {
        transactions.inTransaction(connection -> {
            try (PreparedStatement update = connection.prepareStatement(
                    "UPDATE pivot_object SET deleted_at = now() WHERE cluster_id = ? AND position = ?")) {
                update.setString(1, clusterId);
                update.setInt(2, position);
                update.executeUpdate();
            }
            return null;
        });
    }

    private void update(String clusterId, int position, String sql, String value) throws Exception {
        transactions.inTransaction(connection -> {
            try (PreparedStatement update = connection.prepareStatement(sql)) {
                update.setString(1, value);
                update.setString(2, clusterId);
                update.setInt(3, position);
                update.executeUpdate();
            }
            return null;
        });
    }

    /** Records the failure; returns false if the move had already ended, so it is reported once. */
    public boolean failed(java.sql.Connection connection, String clusterId, String failure) throws Exception {
        try (PreparedStatement update = connection.prepareStatement("""
                UPDATE pivot_move SET step = 'FAILED', failure = ?, updated_at = now()
                WHERE cluster_id = ? AND step NOT IN ('DONE', 'FAILED')""")) {
            update.setString(1, failure);
            update.setString(2, clusterId);
            return update.executeUpdate() == 1;
        }
    }

    public boolean done(java.sql.Connection connection, String clusterId) throws Exception {
        try (PreparedStatement update = connection.prepareStatement("""
                UPDATE pivot_move SET step = 'DONE', updated_at = now()
                WHERE cluster_id = ? AND step NOT IN ('DONE', 'FAILED')""")) {
            update.setString(1, clusterId);
            return update.executeUpdate() == 1;
        }
    }
}
