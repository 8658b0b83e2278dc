package io.pivotplane.kit.messaging;

import io.pivotplane.events.EventEnvelope;
import io.pivotplane.events.EventJson;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import io.pivotplane.kit.persistence.Transactions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.UUID;

/**
 * Appends events to the outbox inside the caller's transaction, so an event is published if and only if the
 * change it reports was committed. The relay publishes them; call {@link #wakeUp()} after the commit.
 */
@ApplicationScoped
public class Outbox {

    private final OutboxRelay relay;
    private final Transactions transactions;

    public Outbox(OutboxRelay relay, Transactions transactions) {
        this.relay = relay;
        this.transactions = transactions;
    }

    /**
     * Runs a state transition and, when it happened (returned true), appends the event that reports it, in one
     * transaction: the outcome is published once, by whoever made the transition first. Wakes the relay after the
     * commit.
     *
     * @return whether this call made the transition
     */
    public boolean appendIf(Transactions.Work<Boolean> transition, EventEnvelope<?> event) throws Exception {
        boolean first = transactions.inTransaction(connection -> {
            if (!transition.run(connection)) {
                return false;
            }
            append(connection, event);
            return true;
        });
        if (first) {
            wakeUp();
        }
        return first;
    }

    public void append(Connection transaction, EventEnvelope<?> event) throws SQLException {
        insert(transaction, event);
    }

    static void insert(Connection transaction, EventEnvelope<?> event) throws SQLException {
        try (PreparedStatement insert = transaction.prepareStatement("""
                INSERT INTO outbox_event (event_id, event_type, topic, record_key, source, event_time,
                                          correlation_id, payload, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""")) {
            insert.setObject(1, UUID.fromString(event.id()));
            insert.setString(2, event.type().ceType());
            insert.setString(3, event.topic());
            insert.setString(4, event.subject());
            insert.setString(5, event.source().toString());
            insert.setTimestamp(6, Timestamp.from(event.time()));
            insert.setString(7, event.correlationId());
            insert.setString(8, new String(EventJson.write(event.payload()), StandardCharsets.UTF_8));
            insert.setTimestamp(9, Timestamp.from(Instant.now()));
            insert.executeUpdate();
        }
    }

    public void wakeUp() {
        relay.wakeUp();
    }
}
