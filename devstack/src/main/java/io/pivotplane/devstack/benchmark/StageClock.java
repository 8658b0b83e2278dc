package io.pivotplane.devstack.benchmark;

import io.pivotplane.devstack.infra.EmbeddedKafkaBroker;
import io.pivotplane.events.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * When each cluster's events were sent, from the records of the stage topics (the producer's timestamp, taken when
 * the service hands the event to Kafka). A handoff is the time from one stage's event to the next one's: the work
 * of the service between them, as seen from outside it.
 */
final class StageClock implements AutoCloseable {

    /** The stages in order, with the topic of the event that ends each. */
    static final Map<String, String> STAGE_TOPICS = orderedStages();
    static final String FAILED = Topics.CLUSTER_FAILED;

    private final Map<String, Map<String, Long>> eventTimes = new ConcurrentHashMap<>();
    private final Map<String, Long> submitted = new ConcurrentHashMap<>();
    private final Set<String> failed = ConcurrentHashMap.newKeySet();
    private final KafkaConsumer<String, byte[]> consumer;
    private final Thread reader;
    private volatile boolean running = true;

    StageClock(String bootstrapServers) {
        Map<String, Object> config = new HashMap<>(EmbeddedKafkaBroker.adminConfig(bootstrapServers));
        config.putAll(Map.of(
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, OffsetResetStrategy.EARLIEST.toString(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"));
        consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = new ArrayList<>();
        List<String> topics = new ArrayList<>(STAGE_TOPICS.values());
        topics.add(FAILED);
        for (String topic : topics) {
            consumer.partitionsFor(topic, Duration.ofSeconds(30))
                    .forEach(info -> partitions.add(new TopicPartition(topic, info.partition())));
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        reader = new Thread(this::read, "benchmark-stage-clock");
        reader.setDaemon(true);
        reader.start();
    }

    private static Map<String, String> orderedStages() {
        Map<String, String> stages = new LinkedHashMap<>();
        stages.put("Requested", Topics.CLUSTER_REQUESTED);
        stages.put("SpecsCreated", Topics.CLUSTER_SPECS_CREATED);
        stages.put("ControlPlaneReady", Topics.CLUSTER_CONTROL_PLANE_READY);
        stages.put("Pivoted", Topics.CLUSTER_PIVOTED);
        stages.put("AddonsInstalled", Topics.CLUSTER_ADDONS_INSTALLED);
        return stages;
    }

    private void read() {
        try {
            while (running) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.key() == null) {
                        continue;
                    }
                    if (record.topic().equals(FAILED)) {
                        failed.add(record.key());
                    }
                    eventTimes.computeIfAbsent(record.key(), id -> new ConcurrentHashMap<>())
                            .putIfAbsent(record.topic(), record.timestamp());
                }
            }
        } catch (WakeupException e) {
            // closing
        } finally {
            consumer.close();
        }
    }

    void submitted(String clusterId, long epochMillis) {
        submitted.put(clusterId, epochMillis);
    }

    long countReached(Set<String> clusterIds, String stage) {
        return clusterIds.stream().filter(id -> time(id, stage) != null).count();
    }

    Set<String> failed(Set<String> clusterIds) {
        return clusterIds.stream().filter(failed::contains).collect(Collectors.toSet());
    }

    /** When the cluster's event of that stage was sent; the request's submission for "submitted". */
    Long time(String clusterId, String stage) {
        if (stage.equals("submitted")) {
            return submitted.get(clusterId);
        }
        Map<String, Long> times = eventTimes.get(clusterId);
        return times == null ? null : times.get(STAGE_TOPICS.get(stage));
    }

    /** The handoff into each stage, named after the service that does it: from the event before to this one. */
    Map<String, List<Handoff>> handoffs(Set<String> clusterIds) {
        Map<String, List<Handoff>> handoffs = new LinkedHashMap<>();
        String before = "submitted";
        for (String stage : STAGE_TOPICS.keySet()) {
            List<Handoff> list = new ArrayList<>();
            for (String id : clusterIds) {
                Long from = time(id, before);
                Long to = time(id, stage);
                if (from != null && to != null) {
                    list.add(new Handoff(to, Math.max(0, to - from)));
                }
            }
            handoffs.put(stage, list);
            before = stage;
        }
        return handoffs;
    }

    record Handoff(long endEpochMillis, long millis) {
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        consumer.wakeup();
        reader.join(5000);
    }
}
