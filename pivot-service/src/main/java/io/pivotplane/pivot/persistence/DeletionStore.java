package io.pivotplane.pivot.persistence;

import io.pivotplane.kit.persistence.Transactions;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Optional;

/** The deprovisionings pivot-service carries out, in PostgreSQL. Each transition happens once. */
@ApplicationScoped
public class DeletionStore {

    private final Transactions transactions;

    public DeletionStore(Transactions transactions) {
        this.transactions = transactions;
    }

    /** Records the request; a deletion that failed starts over, one that runs or ended stays as it is. */
    public Deletion request(Deletion fresh) throws Exception {
        return transactions.inTransaction(connection -> {
            try (PreparedStatement upsert = connection.prepareStatement("""
                    INSERT INTO cluster_deletion (cluster_id, namespace, cluster_name, correlation_id, state)
                    VALUES (?, ?, ?, ?, 'REQUESTED')
                    ON CONFLICT (cluster_id) DO UPDATE SET state = 'REQUESTED', command_id = NULL, failure = NULL,
                        updated_at = now()
                    WHERE cluster_deletion.state = 'FAILED'""")) {
                upsert.setString(1, fresh.clusterId());
                upsert.setString(2, fresh.namespace());
                upsert.setString(3, fresh.clusterName());
                upsert.setString(4, fresh.correlationId());
                upsert.executeUpdate();
            }
            return find(connection, fresh.clusterId()).orElseThrow();
        });
    }

    public Optional<Deletion> find(String clusterId) throws Exception {
        return transactions.inTransaction(connection -> find(connection, clusterId));
    }

    public boolean commanded(Connection connection, String clusterId, String commandId) throws Exception {
        try (PreparedStatement update = connection.prepareStatement("""
                UPDATE cluster_deletion SET state = 'COMMANDED', command_id = ?, updated_at = now()
                WHERE cluster_id = ? AND state = 'REQUESTED'""")) {
            update.setString(1, commandId);
            update.setString(2, clusterId);
            return update.executeUpdate() == 1;
        }
    }

    /** @param commandId the agent's command that finished it, or null when it ran in the management cluster */
    public boolean done(Connection connection, String clusterId, String commandId) throws Exception {
        try (PreparedStatement update = connection.prepareStatement("""
                UPDATE cluster_deletion SET state = 'DONE', updated_at = now()
                WHERE cluster_id = ? AND state IN ('REQUESTED', 'COMMANDED') AND command_id IS NOT DISTINCT FROM ?""")) {
            update.setString(1, clusterId);
            update.setString(2, commandId);
            return update.executeUpdate() == 1;
        }
    }

    public boolean failed(Connection connection, String clusterId, String commandId, String failure) throws Exception {
        try (PreparedStatement update = connection.prepareStatement("""
                UPDATE cluster_deletion SET state = 'FAILED', failure = ?, updated_at = now()
                WHERE cluster_id = ? AND state IN ('REQUESTED', 'COMMANDED') AND command_id IS NOT DISTINCT FROM ?""")) {
            update.setString(1, failure);
            update.setString(2, clusterId);
            update.setString(3, commandId);
            return update.executeUpdate() == 1;
        }
    }

    private static Optional<Deletion> find(Connection connection, String clusterId) throws Exception {
        try (PreparedStatement select = connection.prepareStatement("""
                SELECT cluster_id, namespace, cluster_name, correlation_id, state, command_id
                FROM cluster_deletion WHERE cluster_id = ?""")) {
            select.setString(1, clusterId);
            try (ResultSet row = select.executeQuery()) {
                if (!row.next()) {
                    return Optional.empty();
                }
                return Optional.of(new Deletion(row.getString(1), row.getString(2), row.getString(3), row.getString(4),
                        Deletion.State.valueOf(row.getString(5)), row.getString(6)));
            }
        }
    }
}
