package io.pivotplane.agent.core;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.pivotplane.agent.AgentConfig;
import io.pivotplane.capi.Capi;
import io.pivotplane.capi.k8s.Teardown;
import io.pivotplane.events.AgentCommand;
import io.pivotplane.events.AgentReport;
import io.pivotplane.events.EventEnvelope;
import io.pivotplane.events.Topics;
import io.pivotplane.events.kafka.EventEnvelopeDeserializer;
import io.pivotplane.events.kafka.EventEnvelopeSerializer;
import io.pivotplane.events.model.AddonResult;
import io.pivotplane.events.model.Condition;
import io.pivotplane.events.model.ObjectReference;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent of one workload cluster. It talks to its own cluster's API and to Kafka only: it reads the
 * desired spec that moved in with the cluster, scales the cluster, applies add-ons on command, and reports.
 * Commands for other clusters are ignored.
 */
public final class Agent implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Agent.class);
    static final String CONDITION_DELETED = "Deleted";
    /** How long each step of a deletion (workers, control plane, Cluster, the rest) may take. */
    static final Duration DELETION_STEP_TIMEOUT = Duration.ofMinutes(10);

    private final AgentConfig config;
    private final URI source;
    private final ClusterScaler scaler;
    private final AddonInstaller installer;
    private final KafkaProducer<String, EventEnvelope<?>> producer;
    private final KafkaConsumer<String, byte[]> consumer;
    private final EventEnvelopeDeserializer deserializer = new EventEnvelopeDeserializer();
    private final ScheduledExecutorService scheduler;
    private final List<SharedIndexInformer<GenericKubernetesResource>> informers = new ArrayList<>();
    private final AtomicBoolean lookPending = new AtomicBoolean();
    private final Thread commandThread;
    private volatile boolean running = true;
    private volatile boolean reportedScaled;
    /** Set on DELETE_CLUSTER: from then on the agent neither scales nor reports heartbeats. */
    private volatile boolean deleting;
    private final KubernetesClient client;

    private Agent(AgentConfig config, KubernetesClient client) {
        this.config = config;
        this.client = client;
        this.source = URI.create("/pivotplane/agent/" + config.clusterId());
        this.scaler = new ClusterScaler(config, client);
        this.installer = new AddonInstaller(client);
        this.producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrapServers(),
                ProducerConfig.CLIENT_ID_CONFIG, "agent-" + config.clusterId(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true),
                new StringSerializer(), new EventEnvelopeSerializer());
        this.consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "pivotplane-agent-" + config.clusterId(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new org.apache.kafka.common.serialization.StringDeserializer(), new ByteArrayDeserializer());
        this.scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "agent-" + config.clusterName());
            thread.setDaemon(true);
            return thread;
        });
        this.commandThread = new Thread(this::readCommands, "agent-commands-" + config.clusterName());
        for (String[] kind : List.of(
                new String[] {Capi.CORE_API_VERSION, Capi.CLUSTER},
                new String[] {Capi.CONTROL_PLANE_API_VERSION, Capi.KUBEADM_CONTROL_PLANE},
                new String[] {Capi.CORE_API_VERSION, Capi.MACHINE_DEPLOYMENT})) {
            informers.add(client.genericKubernetesResources(kind[0], kind[1]).inNamespace(config.namespace())
                    .inform(new LookAgain(), 0));
        }
    }

    public static Agent start(AgentConfig config, KubernetesClient client) {
        Agent agent = new Agent(config, client);
        agent.commandThread.start();
        agent.scheduler.scheduleWithFixedDelay(agent::heartbeat, 0, config.heartbeatInterval().toMillis(),
                TimeUnit.MILLISECONDS);
        LOG.info("Agent of cluster {} ({}) started", config.clusterName(), config.clusterId());
        return agent;
    }

    private final class LookAgain implements ResourceEventHandler<GenericKubernetesResource> {
        @Override
        public void onAdd(GenericKubernetesResource object) {
            if (lookPending.compareAndSet(false, true)) {
                scheduler.execute(() -> look(false));
            }
        }

        @Override
        public void onUpdate(GenericKubernetesResource before, GenericKubernetesResource object) {
            onAdd(object);
        }

        @Override
        public void onDelete(GenericKubernetesResource object, boolean deletedFinalStateUnknown) {
            onAdd(object);
        }
    }

    private void heartbeat() {
        look(true);
    }

    /** Scales the cluster if needed; reports a heartbeat when asked, and the moment the cluster is scaled. */
    private void look(boolean heartbeat) {
        lookPending.set(false);
        if (deleting) {
            // the cluster is being torn down: scaling it back up would undo that, and it has nothing to report
            return;
        }
        try {
            ClusterScaler.Observation observation = scaler.reconcile();
            boolean newlyScaled = observation.scaled() && !reportedScaled;
            if (newlyScaled || heartbeat) {
                AgentReport.Kind kind = newlyScaled ? AgentReport.Kind.SCALED : AgentReport.Kind.HEARTBEAT;
                report(new AgentReport(config.clusterId(), kind, Instant.now(), observation.machines(),
                        observation.conditions(), null, null, List.of()), config.clusterId());
                if (newlyScaled) {
                    reportedScaled = true;
                    LOG.info("Cluster {} reached its desired size: {}", config.clusterName(), observation.machines());
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("Agent of {} could not look at its cluster: {}", config.clusterName(), e.toString());
        }
    }

    private void readCommands() {
        try {
            TopicPartition partition = commandPartition();
            consumer.assign(List.of(partition));
            while (running) {
                long next = -1;
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofSeconds(1))) {
                    try {
                        if (config.clusterId().equals(record.key())) {
                            handle(record);
                        }
                        next = record.offset() + 1;
                    } catch (IllegalStateException e) {
                        // the report did not reach Kafka: read the command again and retry it
                        LOG.warn("Agent of {} retries command at {}: {}", config.clusterName(), record.offset(),
                                e.getMessage());
                        consumer.seek(partition, record.offset());
                        Thread.sleep(1000);
                        break;
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
            LOG.error("Agent of {} stopped reading commands", config.clusterName(), e);
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /**
     * The one partition of agent.commands its cluster's commands go to: they are keyed by cluster id, and the
     * producer's default partitioner puts a key always on the same partition. Reading only that one spares each
     * agent the commands of every other cluster but those that share its partition.
     */
    private TopicPartition commandPartition() throws InterruptedException {
        while (running) {
            List<PartitionInfo> partitions = consumer.partitionsFor(Topics.AGENT_COMMANDS, Duration.ofSeconds(30));
            if (partitions != null && !partitions.isEmpty()) {
                return new TopicPartition(Topics.AGENT_COMMANDS, BuiltInPartitioner.partitionForKey(
                        config.clusterId().getBytes(StandardCharsets.UTF_8), partitions.size()));
            }
            LOG.warn("Agent of {} waits for topic {} to exist", config.clusterName(), Topics.AGENT_COMMANDS);
            Thread.sleep(1000);
        }
        throw new WakeupException();
    }

    private void handle(ConsumerRecord<String, byte[]> record) {
        EventEnvelope<?> event;
        try {
            event = deserializer.deserialize(record.topic(), record.headers(), record.value());
        } catch (RuntimeException e) {
            LOG.warn("Ignoring an unreadable command at {}@{}: {}", record.partition(), record.offset(), e.getMessage());
            return;
        }
        if (!(event.payload() instanceof AgentCommand command)) {
            return;
        }
        switch (command.kind()) {
            case INSTALL_ADDON -> {
                AddonResult result = installer.install(command.addon());
                report(new AgentReport(config.clusterId(), AgentReport.Kind.ADDON_RESULT, Instant.now(), null,
                        List.of(), command.commandId(), result, List.of()), event.correlationId());
            }
            case DELETE_CLUSTER -> report(deleteCluster(command), event.correlationId());
            default -> LOG.warn("Agent of {} does not know how to {} (command {})", config.clusterName(),
                    command.kind(), command.commandId());
        }
    }

    /**
     * Deprovisions this cluster from inside, in the order Cluster API needs (workers, control plane, Cluster, the
     * rest), and reports what it deleted. A repeated command finds less to delete and reports again.
     */
    private AgentReport deleteCluster(AgentCommand command) {
        deleting = true;
        awaitScalerIdle();
        LOG.info("Agent of {} deletes its cluster (command {})", config.clusterName(), command.commandId());
        try {
            List<ObjectReference> deleted = Teardown.run(client, config.namespace(), config.clusterName(),
                    DELETION_STEP_TIMEOUT);
            LOG.info("Agent of {} deleted its cluster's {} objects", config.clusterName(), deleted.size());
            return new AgentReport(config.clusterId(), AgentReport.Kind.DELETED, Instant.now(), null, List.of(),
                    command.commandId(), null, deleted);
        } catch (Teardown.TeardownIncompleteException e) {
            Instant now = Instant.now();
            return new AgentReport(config.clusterId(), AgentReport.Kind.DELETION_FAILED, now, null,
                    List.of(new Condition(CONDITION_DELETED, "False", "TeardownIncomplete", e.getMessage(), now)),
                    command.commandId(), null, List.of());
        }
    }

    /** Lets a look at the cluster that began before the deletion finish, so it cannot re-create what goes. */
    private void awaitScalerIdle() {
        try {
            scheduler.submit(() -> { }).get(1, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warn("Agent of {} could not wait for its scaler: {}", config.clusterName(), e.toString());
        }
    }

    private void report(AgentReport report, String correlationId) {
        try {
            producer.send(new ProducerRecord<>(Topics.AGENT_REPORTS, config.clusterId(),
                    EventEnvelope.create(source, correlationId, report))).get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // a command's report that fails is retried: the command is redelivered, as its offset is not committed
            throw new IllegalStateException("cannot report " + report.kind() + " of " + config.clusterName(), e);
        }
    }

    public boolean isRunning() {
        return running && commandThread.isAlive();
    }

    @Override
    public void close() {
        running = false;
        informers.forEach(SharedIndexInformer::close);
        scheduler.shutdownNow();
        consumer.wakeup();
        try {
            commandThread.join(Duration.ofSeconds(10).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(Duration.ofSeconds(5));
        LOG.info("Agent of cluster {} stopped", config.clusterName());
    }
}
