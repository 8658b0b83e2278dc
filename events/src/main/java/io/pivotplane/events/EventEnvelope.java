package io.pivotplane.events;

import static io.pivotplane.events.Fields.required;

import java.net.URI;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

/**
 * An event with its CloudEvents attributes. {@code id} is unique per event (consumers de-duplicate on it),
 * {@code subject} is the cluster id and the Kafka record key.
 */
public record EventEnvelope<T extends ClusterEvent>(String id, EventType type, URI source, String subject,
                                                   Instant time, String correlationId, T payload) {

    public EventEnvelope {
        required(id, "id");
        required(type, "type");
        required(source, "source");
        required(subject, "subject");
        required(time, "time");
        required(correlationId, "correlationId");
        required(payload, "payload");
        if (!type.payloadClass().isInstance(payload)) {
            throw new IllegalArgumentException(
                    "payload " + payload.getClass().getSimpleName() + " does not match type " + type.ceType());
        }
        if (!subject.equals(payload.clusterId())) {
            throw new IllegalArgumentException(
                    "subject '" + subject + "' differs from the payload's cluster id '" + payload.clusterId() + "'");
        }
    }

    /** A new event with a fresh id, stamped now. */
    public static <T extends ClusterEvent> EventEnvelope<T> create(URI source, String correlationId, T payload) {
        return new EventEnvelope<>(UUID.randomUUID().toString(), EventType.of(payload), source, payload.clusterId(),
                Instant.now().truncatedTo(ChronoUnit.MICROS), correlationId, payload);
    }

    /** An event caused by {@code cause}: same correlation id, so the whole run can be followed in the logs. */
    public static <T extends ClusterEvent> EventEnvelope<T> causedBy(EventEnvelope<?> cause, URI source, T payload) {
        return create(source, cause.correlationId(), payload);
    }

    public String topic() {
        return type.topic(subject);
    }
}
