package io.pivotplane.devstack.testing;

import io.pivotplane.devstack.infra.EmbeddedKafkaBroker;
import io.pivotplane.events.EventEnvelope;
import io.pivotplane.events.Topics;
import io.pivotplane.events.kafka.AgentMacs;
import io.pivotplane.events.kafka.EventEnvelopeSerializer;
import io.pivotplane.events.kafka.SigningEventSerializer;
import java.util.HashMap;
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
        return send(bootstrapServers, event, new EventEnvelopeSerializer());
    }

    /**
     * Publishes an event to or from an agent with the MAC of {@code agentKey}: as the plane signs a command, or the
     * agent a report.
     */
    public static RecordMetadata sendSigned(String bootstrapServers, EventEnvelope<?> event, byte[] agentKey) {
        return sendSigned(bootstrapServers, event, agentKey, Topics.isAgentCommands(event.topic())
                ? AgentMacs.Direction.COMMAND : AgentMacs.Direction.REPORT);
    }

    /** As {@link #sendSigned(String, EventEnvelope, byte[])}, signed as going {@code direction}, whatever its topic. */
    public static RecordMetadata sendSigned(String bootstrapServers, EventEnvelope<?> event, byte[] agentKey,
                                            AgentMacs.Direction direction) {
        return send(bootstrapServers, event, new SigningEventSerializer(topic -> true, direction, clusterId -> agentKey));
    }

    /**
     * Publishes a report as an agent does, signed in to Kafka as that agent's principal ({@code signIn}: its SASL
     * settings) and with the MAC of {@code agentKey}.
     */
    public static RecordMetadata sendAsAgent(String bootstrapServers, Map<String, Object> signIn,
                                             EventEnvelope<?> event, byte[] agentKey) {
        Map<String, Object> config = new HashMap<>(signIn);
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        return send(config, event, new SigningEventSerializer(topic -> true, AgentMacs.Direction.REPORT,
                clusterId -> agentKey));
    }

    private static RecordMetadata send(String bootstrapServers, EventEnvelope<?> event,
                                       EventEnvelopeSerializer serializer) {
        return send(config(bootstrapServers), event, serializer);
    }

    private static RecordMetadata send(Map<String, Object> config, EventEnvelope<?> event,
                                       EventEnvelopeSerializer serializer) {
        try (var producer = new KafkaProducer<>(config, new StringSerializer(), serializer)) {
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
        Map<String, Object> config = new HashMap<>(EmbeddedKafkaBroker.adminConfig(bootstrapServers));
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        return config;
    }
}
