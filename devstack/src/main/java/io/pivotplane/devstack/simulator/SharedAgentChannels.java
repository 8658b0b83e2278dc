package io.pivotplane.devstack.simulator;

import io.pivotplane.agent.AgentConfig;
import io.pivotplane.agent.messaging.AgentChannel;
import io.pivotplane.agent.messaging.ReportNotSentException;
import io.pivotplane.agent.messaging.KafkaAgentChannel;
import io.pivotplane.devstack.infra.DaemonThreads;
import io.pivotplane.devstack.infra.SerialExecutor;
import io.pivotplane.events.AgentReport;
import io.pivotplane.events.EventEnvelope;
import io.pivotplane.events.kafka.EventEnvelopeDeserializer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka clients of all simulated agents of one JVM: one producer of their reports and one consumer of all of
 * {@code agent.commands}, which hands each command to the agent of the cluster it is keyed to. A real agent has
 * clients of its own in its own cluster ({@link KafkaAgentChannel}); a thousand simulated ones with two clients
 * each would cost the one JVM that hosts them two threads, a dozen file descriptors and a broker connection per
 * cluster. The consumer remembers no offsets: it reads from the start of the topic, which lives no longer than
 * the simulated clusters do. A command that arrives before its agent runs waits for it.
 */
final class SharedAgentChannels implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SharedAgentChannels.class);

    private final String bootstrapServers;
    private final KafkaProducer<String, EventEnvelope<?>> producer;
    private final EventEnvelopeDeserializer deserializer = new EventEnvelopeDeserializer();
    /** Runs each agent's commands, one at a time per agent: handling one may take minutes (a deletion). */
    private final ExecutorService handlers;
    private final Map<String, Receiver> receivers = new HashMap<>();
    private final Map<String, List<ConsumerRecord<String, byte[]>>> waiting = new HashMap<>();
    /** Each agent's own key, as its Secret gives it: its reports carry its MAC, its commands must. */
    private final Map<String, byte[]> keys = new ConcurrentHashMap<>();
    private Thread reader;
    private volatile boolean running = true;

    SharedAgentChannels(String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
        this.producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.CLIENT_ID_CONFIG, "simulated-agents",
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 5),
                new StringSerializer(), KafkaAgentChannel.reportSigner(keys::get));
        this.handlers = Executors.newCachedThreadPool(DaemonThreads.named("simulated-agent-commands"));
    }

    /** The channel of the agent of one cluster. */
    AgentChannel open(AgentConfig config) {
        keys.put(config.clusterId(), config.keyBytes());
        return new Channel(config.clusterId());
    }

    private synchronized void register(Receiver receiver) {
        receivers.put(receiver.clusterId, receiver);
        List<ConsumerRecord<String, byte[]>> early = waiting.remove(receiver.clusterId);
        if (early != null) {
            early.forEach(receiver::offer);
        }
        if (reader == null) {
            reader = new Thread(this::readCommands, "simulated-agents-commands-reader");
            reader.setDaemon(true);
            reader.start();
        }
    }

    private synchronized void unregister(Receiver receiver) {
        receivers.remove(receiver.clusterId, receiver);
    }

    private synchronized void route(String clusterId, ConsumerRecord<String, byte[]> command) {
        Receiver receiver = receivers.get(clusterId);
        if (receiver != null) {
            receiver.offer(command);
        } else {
            waiting.computeIfAbsent(clusterId, id -> new ArrayList<>()).add(command);
        }
    }

    private synchronized boolean readerAlive() {
        return reader != null && reader.isAlive();
    }

    private void readCommands() {
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.CLIENT_ID_CONFIG, "simulated-agents",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = KafkaAgentChannel.commandPartitions(consumer, () -> running,
                    "Simulated agents");
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (running) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.key() == null) {
                        continue;
                    }
                    route(record.key(), record);
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
            if (!KafkaAgentChannel.authentic(record, keys.get(clusterId), clusterId)) {
                return;
            }
            EventEnvelope<?> command;
            try {
                command = deserializer.deserialize(record.topic(), record.headers(), record.value());
            } catch (RuntimeException e) {
                LOG.warn("Ignoring an unreadable command at {}@{}: {}", record.partition(), record.offset(),
                        e.getMessage());
                return;
            }
            commands.execute(() -> handleUntilDone(command));
        }

        private void handleUntilDone(EventEnvelope<?> command) {
            while (open) {
                try {
                    handler.accept(command);
                    return;
                } catch (RuntimeException e) {
                    if (!(e instanceof ReportNotSentException)) {
                        LOG.error("Agent of {} passes over a command it could not handle", clusterId, e);
                        return;
                    }
                    LOG.warn("Agent of {} retries a command: {}", clusterId, e.getMessage());
                    try {
                        Thread.sleep(AgentChannel.RETRY_PAUSE.toMillis());
                    } catch (InterruptedException interrupted) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
        }
    }
}
