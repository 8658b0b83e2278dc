package io.pivotplane.spec.persistence;

import io.pivotplane.kit.persistence.Transactions;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/** The clusters whose deletion was asked for: spec-service creates nothing for them any more. */
@ApplicationScoped
public class DeletedClusters {

    private final Transactions transactions;

    public DeletedClusters(Transactions transactions) {
        this.transactions = transactions;
    }

    public static void record(Connection connection, String clusterId) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO deleted_cluster (cluster_id) VALUES (?) ON CONFLICT (cluster_id) DO NOTHING")) {
            insert.setString(1, clusterId);
            insert.executeUpdate();
        }
    }

    public boolean contains(String clusterId) throws Exception {
        return transactions.inTransaction(connection -> {
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT 1 FROM deleted_cluster WHERE cluster_id = ?")) {
                select.setString(1, clusterId);
                try (ResultSet row = select.executeQuery()) {
                    return row.next();
                }
            }
        });
    }
}
