package io.pivotplane.devstack.testing;

import io.pivotplane.events.EventEnvelope;
import io.pivotplane.events.kafka.EventEnvelopeSerializer;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Publishes events the way services do (key = cluster id, CloudEvents headers), or raw bytes, for tests. */
public final class TopicWriter {

    private TopicWriter() {
    }

    /** @return where the event was written */
    public static RecordMetadata send(String bootstrapServers, EventEnvelope<?> event) {
        try (var producer = new KafkaProducer<>(config(bootstrapServers), new StringSerializer(),
                new EventEnvelopeSerializer())) {
            return producer.send(new ProducerRecord<>(event.topic(), event.subject(), event))
                    .get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot publish " + event.type().ceType(), e);
        }
    }

    /** A record without CloudEvents headers, e.g. to show that a consumer dead-letters what it cannot read. */
    public static void sendRaw(String bootstrapServers, String topic, String key, byte[] value) {
        try (var producer = new KafkaProducer<>(config(bootstrapServers), new StringSerializer(),
                new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, key, value)).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot publish to " + topic, e);
        }
    }

    private static Map<String, Object> config(String bootstrapServers) {
        return Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers, ProducerConfig.ACKS_CONFIG, "all");
    }
}
