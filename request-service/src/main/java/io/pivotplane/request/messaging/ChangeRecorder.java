package io.pivotplane.request.messaging;

import io.pivotplane.events.ClusterChanged;
import io.pivotplane.events.EventEnvelope;
import io.pivotplane.kit.messaging.PermanentEventException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.util.UUID;

/**
 * Ends a cluster's change from its {@code ClusterChanged}, in the consumer's transaction: in its history, and as the
 * cluster's latest change unless a newer one superseded it. The same outcome twice changes nothing.
 */
final class ChangeRecorder {

    private ChangeRecorder() {
    }

    static void record(EventEnvelope<?> event, Connection tx) throws Exception {
        if (!(event.payload() instanceof ClusterChanged changed)) {
            throw new PermanentEventException("not the end of a change: " + event.type().ceType());
        }
        UUID clusterId = ClusterIds.parse(changed.clusterId());
        // the cluster's latest change, unless a newer one superseded it; and the change in the history
        end(tx, """
                UPDATE cluster SET change_state = ?, change_message = ?, change_completed_at = ?, updated_at = now(),
                    version = version + 1
                WHERE id = ? AND spec_generation = ? AND change_state = 'REQUESTED'""", changed, clusterId);
        end(tx, """
                UPDATE cluster_change SET state = ?, message = ?, completed_at = ?
                WHERE cluster_id = ? AND generation = ? AND state = 'REQUESTED'""", changed, clusterId);
    }

    private static void end(Connection tx, String sql, ClusterChanged changed, UUID clusterId) throws Exception {
        try (PreparedStatement update = tx.prepareStatement(sql)) {
            update.setString(1, changed.outcome().name());
            update.setString(2, changed.message());
            update.setTimestamp(3, Timestamp.from(changed.changedAt()));
            update.setObject(4, clusterId);
            update.setLong(5, changed.generation());
            update.executeUpdate();
        }
    }
}
