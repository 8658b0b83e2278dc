package io.pivotplane.request.messaging;

import io.pivotplane.events.AgentVersionReported;
import io.pivotplane.events.EventEnvelope;
import io.pivotplane.kit.messaging.PermanentEventException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.util.UUID;

/** Keeps the version of a cluster's agent from its {@code AgentVersionReported}; an older report changes nothing. */
final class AgentVersionRecorder {

    private AgentVersionRecorder() {
    }

    static void record(EventEnvelope<?> event, Connection tx) throws Exception {
        if (!(event.payload() instanceof AgentVersionReported reported)) {
            throw new PermanentEventException("not an agent's version: " + event.type().ceType());
        }
        UUID clusterId = ClusterIds.parse(reported.clusterId());
        try (PreparedStatement update = tx.prepareStatement("""
                UPDATE cluster SET agent_version = ?, agent_supported = ?, agent_reported_at = ?,
                    version = version + 1
                WHERE id = ? AND (agent_reported_at IS NULL OR agent_reported_at <= ?)""")) {
            Timestamp at = Timestamp.from(reported.reportedAt());
            update.setString(1, reported.agentVersion());
            update.setBoolean(2, reported.supported());
            update.setTimestamp(3, at);
            update.setObject(4, clusterId);
            update.setTimestamp(5, at);
            update.executeUpdate();
        }
    }
}
