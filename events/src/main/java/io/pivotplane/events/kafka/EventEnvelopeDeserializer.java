package io.pivotplane.events.kafka;

import static io.pivotplane.events.CloudEventHeaders.CORRELATION_ID;
import static io.pivotplane.events.CloudEventHeaders.ID;
import static io.pivotplane.events.CloudEventHeaders.SOURCE;
import static io.pivotplane.events.CloudEventHeaders.SUBJECT;
import static io.pivotplane.events.CloudEventHeaders.TIME;
import static io.pivotplane.events.CloudEventHeaders.TYPE;
import static java.nio.charset.StandardCharsets.UTF_8;

import io.pivotplane.events.ClusterEvent;
import io.pivotplane.events.EventEnvelope;
import io.pivotplane.events.EventFormatException;
import io.pivotplane.events.EventJson;
import io.pivotplane.events.EventType;
import java.net.URI;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads an event written in CloudEvents binary mode. Anything that is not a valid event raises
 * {@link EventFormatException} naming what is wrong, for the consumer to dead-letter.
 */
public class EventEnvelopeDeserializer implements Deserializer<EventEnvelope<?>> {

    @Override
    public EventEnvelope<?> deserialize(String topic, byte[] data) {
        throw new UnsupportedOperationException("an event needs its CloudEvents headers: use deserialize(topic, headers, data)");
    }

    @Override
    public EventEnvelope<?> deserialize(String topic, Headers headers, byte[] data) {
        if (data == null) {
            return null;
        }
        String ceType = header(headers, TYPE);
        EventType type = EventType.fromCeType(ceType)
                .orElseThrow(() -> new EventFormatException("unknown event type '" + ceType + "' on topic " + topic));
        ClusterEvent payload = EventJson.read(data, type.payloadClass());
        try {
            return new EventEnvelope<>(header(headers, ID), type, URI.create(header(headers, SOURCE)),
                    header(headers, SUBJECT), Instant.parse(header(headers, TIME)), header(headers, CORRELATION_ID),
                    payload);
        } catch (DateTimeParseException | IllegalArgumentException e) {
            throw new EventFormatException(ceType + ": invalid CloudEvents attribute: " + e.getMessage(), e);
        }
    }

    private static String header(Headers headers, String name) {
        Header header = headers.lastHeader(name);
        if (header == null || header.value() == null || header.value().length == 0) {
            throw new EventFormatException("missing required header '" + name + "'");
        }
        return new String(header.value(), UTF_8);
    }
}
