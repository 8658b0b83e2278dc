package io.pivotplane.agent.messaging;

import io.pivotplane.agent.AgentConfig;
import io.pivotplane.events.AgentReport;
import io.pivotplane.events.EventEnvelope;
import io.pivotplane.events.Topics;
import io.pivotplane.events.access.PlaneAccess;
import io.pivotplane.events.kafka.EventEnvelopeDeserializer;
import io.pivotplane.events.kafka.AgentMacs;
import io.pivotplane.events.kafka.SigningEventSerializer;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One agent's own Kafka clients, signed in as the agent's own principal: a consumer of its cluster's command topic
 * ({@code agent.commands.<cluster id>}, the only one its ACLs let it read), in a consumer group of its own that
 * remembers how far it got, and an idempotent producer of its reports.
 */
public final class KafkaAgentChannel implements AgentChannel {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaAgentChannel.class);
    /** How long a report may take to reach Kafka before it is given up and sent again later. */
    static final Duration SEND_TIMEOUT = Duration.ofSeconds(30);

    private final String clusterId;
    private final byte[] key;
    private final KafkaProducer<String, EventEnvelope<?>> producer;
    private final KafkaConsumer<String, byte[]> consumer;
    private final EventEnvelopeDeserializer deserializer = new EventEnvelopeDeserializer();
    private volatile Thread reader;
    private volatile boolean running = true;

    private KafkaAgentChannel(AgentConfig config) {
        this.clusterId = config.clusterId();
        this.key = config.keyBytes();
        Map<String, Object> producerConfig = new HashMap<>(config.kafkaAccount().clientConfig());
        producerConfig.putAll(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrapServers(),
                ProducerConfig.CLIENT_ID_CONFIG, "agent-" + config.clusterId(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true));
        producerConfig.putAll(reportTimeouts());
        this.producer = new KafkaProducer<>(producerConfig, new StringSerializer(), reportSigner(clusterId -> key));
        Map<String, Object> consumerConfig = new HashMap<>(config.kafkaAccount().clientConfig());
        consumerConfig.putAll(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, PlaneAccess.AGENT_GROUP_PREFIX + config.clusterId(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false,
                // commands come through addon-service's transactional outbox: an aborted one never happened
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"));
        this.consumer = new KafkaConsumer<>(consumerConfig, new StringDeserializer(), new ByteArrayDeserializer());
    }

    public static KafkaAgentChannel open(AgentConfig config) {
        return new KafkaAgentChannel(config);
    }

    @Override
    public synchronized void receive(Consumer<EventEnvelope<?>> handler) {
        if (reader != null) {
            throw new IllegalStateException("the channel of " + clusterId + " already has a receiver");
        }
        reader = new Thread(() -> readCommands(handler), "agent-commands-" + clusterId);
        reader.start();
    }

    private void readCommands(Consumer<EventEnvelope<?>> handler) {
        try {
            Optional<TopicPartition> own = commandPartition(consumer, clusterId, () -> running, "Agent of " + clusterId);
            if (own.isEmpty()) {
                return;
            }
            TopicPartition partition = own.get();
            consumer.assign(List.of(partition));
            while (running) {
                long next = -1;
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofSeconds(1))) {
                    try {
                        if (clusterId.equals(record.key()) && authentic(record, key, clusterId)) {
                            readable(record).ifPresent(handler);
                        }
                        next = record.offset() + 1;
                    } catch (CommandRetryException e) {
                        LOG.warn("Agent of {} retries the command at {}: {}", clusterId, record.offset(),
                                e.getMessage());
                        consumer.seek(partition, record.offset());
                        Thread.sleep(RETRY_PAUSE.toMillis());
                        break;
                    } catch (RuntimeException e) {
                        LOG.error("Agent of {} passes over the command at {} it could not handle", clusterId,
                                record.offset(), e);
                        next = record.offset() + 1;
                    }
                }
                if (next >= 0) {
                    consumer.commitSync(Map.of(partition, new OffsetAndMetadata(next)));
                }
            }
        } catch (WakeupException e) {
            if (running) {
                LOG.error("Agent command reader woken up while running", e);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.error("Agent of {} stopped reading commands", clusterId, e);
        } finally {
            running = false;
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /** Reports carry the MAC of their agent's key, so that the plane takes them for its agent's and no other's. */
    public static SigningEventSerializer reportSigner(Function<String, byte[]> keyOfCluster) {
        return new SigningEventSerializer(Topics.AGENT_REPORTS::equals, AgentMacs.Direction.REPORT, keyOfCluster);
    }

    /**
     * Whether a command came from the plane: it carries the MAC of this agent's key. Anyone who can write to the topic
     * could send the agent anything otherwise (a ClusterRoleBinding, its own deletion); such a command is refused.
     */
    public static boolean authentic(ConsumerRecord<String, byte[]> command, byte[] key, String clusterId) {
        if (AgentMacs.verify(command.headers(), command.value(), key, AgentMacs.Direction.COMMAND)) {
            return true;
        }
        LOG.warn("Agent of {} refuses the command at {}@{}: it is not signed by the management plane", clusterId,
                command.partition(), command.offset());
        return false;
    }

    private Optional<EventEnvelope<?>> readable(ConsumerRecord<String, byte[]> record) {
        try {
            return Optional.of(deserializer.deserialize(record.topic(), record.headers(), record.value()));
        } catch (RuntimeException e) {
            LOG.warn("Ignoring an unreadable command at {}@{}: {}", record.partition(), record.offset(), e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * The one partition of the cluster's command topic, once pivot-service has made it; none if {@code open} turns
     * false first.
     *
     * @param waiter who waits, for the log
     */
    private static Optional<TopicPartition> commandPartition(KafkaConsumer<?, ?> consumer, String clusterId,
                                                             BooleanSupplier open, String waiter)
            throws InterruptedException {
        String topic = Topics.agentCommands(clusterId);
        while (open.getAsBoolean()) {
            List<PartitionInfo> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30));
            if (partitions != null && !partitions.isEmpty()) {
                return Optional.of(new TopicPartition(topic, 0));
            }
            LOG.warn("{} waits for topic {} to exist", waiter, topic);
            Thread.sleep(RETRY_PAUSE.toMillis());
        }
        return Optional.empty();
    }

    @Override
    public void send(EventEnvelope<AgentReport> report) {
        send(producer, report);
    }

    /**
     * A producer of reports gives a report up when its sender does: the agent's report buffer sends it again later, and
     * a producer still trying on its own would deliver it a second time, maybe after the ones behind it.
     */
    public static Map<String, Object> reportTimeouts() {
        return Map.of(
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) SEND_TIMEOUT.toMillis(),
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) SEND_TIMEOUT.dividedBy(2).toMillis(),
                ProducerConfig.MAX_BLOCK_MS_CONFIG, SEND_TIMEOUT.toMillis());
    }

    /** Sends a report through {@code producer} and waits for Kafka to have it, or the producer to give it up. */
    public static void send(KafkaProducer<String, EventEnvelope<?>> producer, EventEnvelope<AgentReport> report) {
        try {
            producer.send(new ProducerRecord<>(Topics.AGENT_REPORTS, report.payload().clusterId(), report))
                    .get(SEND_TIMEOUT.multipliedBy(2).toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ReportNotSentException("interrupted while sending " + report.payload().kind(), e);
        } catch (Exception e) {
            throw new ReportNotSentException("cannot send " + report.payload().kind() + " of "
                    + report.payload().clusterId(), e);
        }
    }

    @Override
    public boolean isReceiving() {
        return running && reader != null && reader.isAlive();
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        Thread thread;
        synchronized (this) {
            thread = reader;
        }
        if (thread != null) {
            try {
                thread.join(Duration.ofSeconds(10).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        } else {
            consumer.close(Duration.ofSeconds(5));
        }
        producer.close(Duration.ofSeconds(5));
    }
}
