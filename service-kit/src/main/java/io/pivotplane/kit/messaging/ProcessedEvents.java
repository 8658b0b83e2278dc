package io.pivotplane.kit.messaging;

import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/** The inbox: which events a consumer group has handled (or dead-lettered), by {@code ce_id}. */
@ApplicationScoped
public class ProcessedEvents {

    public boolean contains(Connection connection, String group, String eventId) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT 1 FROM processed_event WHERE consumer_group = ? AND event_id = ?")) {
            select.setString(1, group);
            select.setString(2, eventId);
            try (ResultSet row = select.executeQuery()) {
                return row.next();
            }
        }
    }

    /** Records the event as handled; false when it already was, e.g. by a replica that took it over. */
    public boolean add(Connection transaction, String group, String eventId, String deadLetterReason)
            throws SQLException {
        try (PreparedStatement insert = transaction.prepareStatement("""
                INSERT INTO processed_event (consumer_group, event_id, dead_letter_reason) VALUES (?, ?, ?)
                ON CONFLICT DO NOTHING""")) {
            insert.setString(1, group);
            insert.setString(2, eventId);
            insert.setString(3, deadLetterReason);
            return insert.executeUpdate() == 1;
        }
    }
}
