package io.pivotplane.kit.messaging;

import io.pivotplane.events.EventEnvelope;

/** What a subscription reads from its topic: one event type, anything else dead-lettered. */
public final class Payloads {

    private Payloads() {
    }

    /** @throws PermanentEventException when the event is of another type, which no retry can change */
    public static <T> T expect(EventEnvelope<?> event, Class<T> type) {
        if (!type.isInstance(event.payload())) {
            throw new PermanentEventException("expected " + type.getSimpleName() + " on " + event.topic()
                    + ", got " + event.type().ceType());
        }
        return type.cast(event.payload());
    }
}
