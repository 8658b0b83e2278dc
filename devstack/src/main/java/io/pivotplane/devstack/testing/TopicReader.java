package io.pivotplane.devstack.testing;

import io.pivotplane.devstack.infra.EmbeddedKafkaBroker;
import io.pivotplane.events.ClusterEvent;
import io.pivotplane.events.EventEnvelope;
import io.pivotplane.events.kafka.EventEnvelopeDeserializer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads a topic from its beginning to its current end, without a consumer group: what tests use to see what a
 * service published (and how many times).
 */
public final class TopicReader {

    private TopicReader() {
    }

    public static List<ConsumerRecord<String, EventEnvelope<?>>> readAll(String bootstrapServers, String topic) {
        return read(EmbeddedKafkaBroker.adminConfig(bootstrapServers), topic, new EventEnvelopeDeserializer());
    }

    /**
     * As {@link #readAll(String, String)}, signed in with {@code client}'s settings (address and credentials): for a
     * broker of another process, e.g. with the admin's settings {@code bin/devstack} writes to a file.
     */
    public static List<ConsumerRecord<String, EventEnvelope<?>>> readAll(Map<String, Object> client, String topic) {
        return read(client, topic, new EventEnvelopeDeserializer());
    }

    /** The payloads of the events of one cluster (record key) on a topic, in order. */
    public static List<ClusterEvent> payloads(String bootstrapServers, String topic, String clusterId) {
        return readAll(bootstrapServers, topic).stream()
                .filter(record -> clusterId.equals(record.key()))
                .<ClusterEvent>map(record -> record.value().payload())
                .toList();
    }

    /** The records as bytes, e.g. of a dead-letter topic, where some are not events at all. */
    public static List<ConsumerRecord<String, byte[]>> readRaw(String bootstrapServers, String topic) {
        return read(EmbeddedKafkaBroker.adminConfig(bootstrapServers), topic, new ByteArrayDeserializer());
    }

    /** The offset a consumer group has committed on a partition; 0 when it has committed none. */
    public static long committedOffset(String bootstrapServers, String group, TopicPartition partition) {
        try (Admin admin = Admin.create(EmbeddedKafkaBroker.adminConfig(bootstrapServers))) {
            OffsetAndMetadata committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                    .get(30, TimeUnit.SECONDS).get(partition);
            return committed == null ? 0 : committed.offset();
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the offsets of group " + group, e);
        }
    }

    private static <V> List<ConsumerRecord<String, V>> read(Map<String, Object> client, String topic,
                                                           Deserializer<V> values) {
        Map<String, Object> config = new HashMap<>(client);
        config.putAll(Map.of(
                ConsumerConfig.CLIENT_ID_CONFIG, "topic-reader-" + UUID.randomUUID(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false,
                // what the services' consumers see: the outbox relays publish in transactions
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"));
        try (var consumer = new KafkaConsumer<>(config, new StringDeserializer(), values)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                    .map(p -> new TopicPartition(topic, p.partition()))
                    .toList();
            List<ConsumerRecord<String, V>> records = new ArrayList<>();
            if (partitions.isEmpty()) {
                return records;
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + topic + " to its end within 30 s");
                }
                consumer.poll(Duration.ofMillis(100)).forEach(records::add);
            }
            return records;
        }
    }
}
