package io.pivotplane.devstack.simulator;

import io.pivotplane.agent.AgentConfig;
import io.pivotplane.agent.messaging.AgentChannel;
import io.pivotplane.agent.messaging.CommandRetryException;
import io.pivotplane.agent.messaging.KafkaAgentChannel;
import io.pivotplane.devstack.infra.DaemonThreads;
import io.pivotplane.devstack.infra.EmbeddedKafkaBroker;
import io.pivotplane.devstack.infra.SerialExecutor;
import io.pivotplane.events.AgentReport;
import io.pivotplane.events.EventEnvelope;
import io.pivotplane.events.Topics;
import io.pivotplane.events.kafka.EventEnvelopeDeserializer;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka clients of all simulated agents of one JVM: one producer of their reports and one consumer of the command
 * topics of the agents that run, which hands each command to the agent of the topic's cluster. A real agent has
 * clients of its own in its own cluster, signed in as its own principal ({@link KafkaAgentChannel}); a thousand
 * simulated ones with two clients each would cost the one JVM that hosts them two threads, a dozen file descriptors
 * and a broker connection per cluster. The shared clients are the test harness's, signed in as the broker's admin
 * (one principal cannot hold every agent's grants); each agent's own credentials are checked when its channel opens,
 * as its own sign-in would, so that an agent pivot-service gave no working identity does not run here either. As a
 * real agent's consumer group does, the channels remember how far each agent got: an agent started again (its pod
 * moved to the pod network) goes on after the last command it handled, from the start of its topic the first time.
 */
public final class SharedAgentChannels implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SharedAgentChannels.class);

    private final String bootstrapServers;
    private final KafkaProducer<String, EventEnvelope<?>> producer;
    private final EventEnvelopeDeserializer deserializer = new EventEnvelopeDeserializer();
    /** Runs each agent's commands, one at a time per agent: handling one may take minutes (a deletion). */
    private final ExecutorService handlers;
    private final Map<String, Receiver> receivers = new HashMap<>();
    /** Set when an agent starts or stops, so that the reader assigns itself the command topics of those running. */
    private volatile boolean assignmentChanged;
    /** The offset after the last command each agent handled (or passed over), as its consumer group would commit. */
    private final Map<String, Long> handledUpTo = new ConcurrentHashMap<>();
    /** Each agent's own key, as its Secret gives it: its reports carry its MAC, its commands must. */
    private final Map<String, byte[]> keys = new ConcurrentHashMap<>();
    private Thread reader;
    private volatile boolean running = true;

    SharedAgentChannels(String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
        this.producer = reportProducer(bootstrapServers, "simulated-agents", keys::get);
        this.handlers = Executors.newCachedThreadPool(DaemonThreads.named("simulated-agent-commands"));
    }

    /**
     * A producer of the reports of many simulated agents, signed in as the broker's admin: the report signer and
     * timeouts of the agent's own channel, acks=all, each report signed with the key of its cluster.
     */
    public static KafkaProducer<String, EventEnvelope<?>> reportProducer(String bootstrapServers, String clientId,
                                                                         Function<String, byte[]> keyOfCluster) {
        Map<String, Object> producerConfig = new HashMap<>(EmbeddedKafkaBroker.adminConfig(bootstrapServers));
        producerConfig.putAll(Map.of(
                ProducerConfig.CLIENT_ID_CONFIG, clientId,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 5));
        producerConfig.putAll(KafkaAgentChannel.reportTimeouts());
        return new KafkaProducer<>(producerConfig, new StringSerializer(), KafkaAgentChannel.reportSigner(keyOfCluster));
    }

    /**
     * The channel of the agent of one cluster, once its own credentials sign in and see its command topic.
     *
     * @throws IllegalStateException when they do not, as a real agent would fail to start
     */
    AgentChannel open(AgentConfig config) {
        requireOwnIdentity(config);
        keys.put(config.clusterId(), config.keyBytes());
        return new Channel(config.clusterId());
    }

    private static void requireOwnIdentity(AgentConfig config) {
        Map<String, Object> settings = new HashMap<>(config.kafkaAccount().clientConfig());
        settings.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrapServers());
        settings.put(ConsumerConfig.CLIENT_ID_CONFIG, "agent-" + config.clusterId() + "-sign-in");
        settings.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(settings, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<PartitionInfo> partitions = consumer.partitionsFor(Topics.agentCommands(config.clusterId()),
                    Duration.ofSeconds(30));
            if (partitions == null || partitions.isEmpty()) {
                throw new IllegalStateException("the agent of " + config.clusterId() + " has no command topic "
                        + Topics.agentCommands(config.clusterId()));
            }
        } catch (KafkaException e) {
            throw new IllegalStateException("the agent of " + config.clusterId() + " cannot sign in to Kafka as "
                    + config.kafkaAccount().username() + ": " + e.getMessage(), e);
        }
    }

    private synchronized void register(Receiver receiver) {
        receivers.put(receiver.clusterId, receiver);
        assignmentChanged = true;
        if (reader == null) {
            reader = new Thread(this::readCommands, "simulated-agents-commands-reader");
            reader.setDaemon(true);
            reader.start();
        }
    }

    private synchronized void unregister(Receiver receiver) {
        if (receivers.remove(receiver.clusterId, receiver)) {
            assignmentChanged = true;
        }
    }

    private synchronized void route(String clusterId, ConsumerRecord<String, byte[]> command) {
        Receiver receiver = receivers.get(clusterId);
        if (receiver != null) {
            receiver.offer(command);
        }
    }

    private synchronized Set<TopicPartition> commandPartitionsOfRunningAgents() {
        assignmentChanged = false;
        Set<TopicPartition> partitions = new HashSet<>();
        receivers.keySet().forEach(clusterId -> partitions.add(new TopicPartition(Topics.agentCommands(clusterId), 0)));
        return partitions;
    }

    private synchronized boolean readerAlive() {
        return reader != null && reader.isAlive();
    }

    private void readCommands() {
        Map<String, Object> config = new HashMap<>(EmbeddedKafkaBroker.adminConfig(bootstrapServers));
        config.putAll(Map.of(
                ConsumerConfig.CLIENT_ID_CONFIG, "simulated-agents",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"));
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            while (running) {
                if (assignmentChanged) {
                    // partitions that stay assigned keep their positions; an agent started again goes on where it
                    // left off, a new one from the start of its topic
                    Set<TopicPartition> before = consumer.assignment();
                    Set<TopicPartition> now = commandPartitionsOfRunningAgents();
                    consumer.assign(now);
                    for (TopicPartition partition : now) {
                        Long handled = handledUpTo.get(Topics.clusterOfAgentCommands(partition.topic()));
                        if (!before.contains(partition) && handled != null) {
                            consumer.seek(partition, handled);
                        }
                    }
                }
                if (consumer.assignment().isEmpty()) {
                    Thread.sleep(50);
                    continue;
                }
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    route(Topics.clusterOfAgentCommands(record.topic()), record);
                }
            }
        } catch (WakeupException | InterruptedException e) {
            if (running) {
                LOG.error("The simulated agents' command reader was stopped while running", e);
            }
        } catch (RuntimeException e) {
            LOG.error("The simulated agents' command reader failed: their agents get no more commands", e);
        }
    }

    @Override
    public void close() {
        running = false;
        Thread thread;
        synchronized (this) {
            thread = reader;
            receivers.values().forEach(receiver -> receiver.open = false);
        }
        handlers.shutdownNow();
        if (thread != null) {
            try {
                thread.join(Duration.ofSeconds(10).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            handlers.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(Duration.ofSeconds(5));
    }

    private final class Channel implements AgentChannel {

        private final String clusterId;
        private Receiver receiver;

        Channel(String clusterId) {
            this.clusterId = clusterId;
        }

        @Override
        public synchronized void receive(Consumer<EventEnvelope<?>> handler) {
            if (receiver != null) {
                throw new IllegalStateException("the channel of " + clusterId + " already has a receiver");
            }
            receiver = new Receiver(clusterId, handler);
            register(receiver);
        }

        @Override
        public void send(EventEnvelope<AgentReport> report) {
            KafkaAgentChannel.send(producer, report);
        }

        @Override
        public synchronized boolean isReceiving() {
            return receiver != null && receiver.open && running && readerAlive();
        }

        @Override
        public synchronized void close() {
            if (receiver != null) {
                receiver.open = false;
                unregister(receiver);
            }
        }
    }

    /** One agent's commands, handed to it in order on the shared handler threads, one at a time. */
    private final class Receiver {

        private final String clusterId;
        private final Consumer<EventEnvelope<?>> handler;
        private final SerialExecutor commands = new SerialExecutor(handlers);
        private volatile boolean open = true;

        Receiver(String clusterId, Consumer<EventEnvelope<?>> handler) {
            this.clusterId = clusterId;
            this.handler = handler;
        }

        /** Hands a command to the agent if it is the plane's (its MAC is of the agent's key) and readable. */
        void offer(ConsumerRecord<String, byte[]> record) {
            long next = record.offset() + 1;
            if (!KafkaAgentChannel.authentic(record, keys.get(clusterId), clusterId)) {
                commands.execute(() -> handled(next));
                return;
            }
            EventEnvelope<?> command;
            try {
                command = deserializer.deserialize(record.topic(), record.headers(), record.value());
            } catch (RuntimeException e) {
                LOG.warn("Ignoring an unreadable command at {}@{}: {}", record.partition(), record.offset(),
                        e.getMessage());
                commands.execute(() -> handled(next));
                return;
            }
            commands.execute(() -> {
                if (handleUntilDone(command)) {
                    handled(next);
                }
            });
        }

        private void handled(long next) {
            if (open) {
                handledUpTo.merge(clusterId, next, Math::max);
            }
        }

        /** @return whether the agent is done with the command: handled, or passed over; not when it stopped first */
        private boolean handleUntilDone(EventEnvelope<?> command) {
            while (open) {
                try {
                    handler.accept(command);
                    return true;
                } catch (RuntimeException e) {
                    if (!(e instanceof CommandRetryException)) {
                        LOG.error("Agent of {} passes over a command it could not handle", clusterId, e);
                        return true;
                    }
                    LOG.warn("Agent of {} retries a command: {}", clusterId, e.getMessage());
                    try {
                        Thread.sleep(AgentChannel.RETRY_PAUSE.toMillis());
                    } catch (InterruptedException interrupted) {
                        Thread.currentThread().interrupt();
                        return false;
                    }
                }
            }
            return false;
        }
    }
}
