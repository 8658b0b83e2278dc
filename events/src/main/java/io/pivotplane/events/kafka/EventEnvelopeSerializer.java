package io.pivotplane.events.kafka;

import static io.pivotplane.events.CloudEventHeaders.CONTENT_TYPE;
import static io.pivotplane.events.CloudEventHeaders.CORRELATION_ID;
import static io.pivotplane.events.CloudEventHeaders.ID;
import static io.pivotplane.events.CloudEventHeaders.JSON;
import static io.pivotplane.events.CloudEventHeaders.SOURCE;
import static io.pivotplane.events.CloudEventHeaders.SPEC_VERSION;
import static io.pivotplane.events.CloudEventHeaders.SPEC_VERSION_1_0;
import static io.pivotplane.events.CloudEventHeaders.SUBJECT;
import static io.pivotplane.events.CloudEventHeaders.TIME;
import static io.pivotplane.events.CloudEventHeaders.TYPE;
import static java.nio.charset.StandardCharsets.UTF_8;

import io.pivotplane.events.EventEnvelope;
import io.pivotplane.events.EventJson;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Serializer;

/** Writes an event in CloudEvents binary mode: attributes as {@code ce_} headers, the payload as JSON. */
public class EventEnvelopeSerializer implements Serializer<EventEnvelope<?>> {

    @Override
    public byte[] serialize(String topic, EventEnvelope<?> envelope) {
        throw new UnsupportedOperationException("an event needs its CloudEvents headers: use serialize(topic, headers, event)");
    }

    @Override
    public byte[] serialize(String topic, Headers headers, EventEnvelope<?> envelope) {
        if (envelope == null) {
            return null;
        }
        put(headers, SPEC_VERSION, SPEC_VERSION_1_0);
        put(headers, ID, envelope.id());
        put(headers, TYPE, envelope.type().ceType());
        put(headers, SOURCE, envelope.source().toString());
        put(headers, SUBJECT, envelope.subject());
        put(headers, TIME, envelope.time().toString());
        put(headers, CORRELATION_ID, envelope.correlationId());
        put(headers, CONTENT_TYPE, JSON);
        return EventJson.write(envelope.payload());
    }

    private static void put(Headers headers, String name, String value) {
        headers.remove(name);
        headers.add(name, value.getBytes(UTF_8));
    }
}
