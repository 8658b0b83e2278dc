package io.pivotplane.kit.messaging;

import io.pivotplane.events.EventEnvelope;
import java.sql.Connection;
import java.util.List;

/**
 * Handles one event inside the transaction that records it as processed: for handlers whose effects are
 * database writes, each event takes effect exactly once, together with the events it causes.
 */
@FunctionalInterface
public interface TransactionalEventHandler {

    /**
     * @param transaction the inbox's transaction; the handler's writes commit or roll back with it
     * @return the events this one causes, appended to the outbox in the same transaction
     */
    List<EventEnvelope<?>> handle(EventEnvelope<?> event, Connection transaction) throws Exception;
}
