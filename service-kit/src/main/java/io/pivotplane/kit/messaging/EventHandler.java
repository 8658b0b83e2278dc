package io.pivotplane.kit.messaging;

import io.pivotplane.events.EventEnvelope;
import java.util.List;

/**
 * Handles one event of a subscription. It must be safe to run again for the same event (its effects are
 * desired state), since a crash before the event is recorded as processed delivers it again.
 */
@FunctionalInterface
public interface EventHandler {

    /**
     * @return the events this one causes; they go into the outbox in the same transaction that records this
     *         event as processed, so they are published exactly when it counts as handled
     * @throws PermanentEventException when the event can never be handled: it goes to the dead-letter topic
     * @throws Exception on a transient failure: the event is tried again with backoff, then dead-lettered
     */
    List<EventEnvelope<?>> handle(EventEnvelope<?> event) throws Exception;
}
