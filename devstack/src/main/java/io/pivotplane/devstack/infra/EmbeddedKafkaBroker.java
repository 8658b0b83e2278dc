package io.pivotplane.devstack.infra;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.common.utils.Time;

/**
 * A real, single-node Apache Kafka broker in KRaft mode (broker and controller in one), running in this JVM.
 * It can be stopped and started again on the same ports and data, which is how tests take Kafka down.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

    private final int port;
    private final int controllerPort;
    private final Path dataDir;
    private final boolean ownsDataDir;
    private final int defaultPartitions;
    private final String clusterId = Uuid.randomUuid().toString();
    private KafkaRaftServer server;

    private EmbeddedKafkaBroker(int port, Path dataDir, int defaultPartitions) {
        this.port = FreePorts.orFree(port);
        this.controllerPort = FreePorts.find();
        this.ownsDataDir = dataDir == null;
        this.dataDir = ownsDataDir ? TempDirs.create("pivotplane-kafka-") : dataDir;
        this.defaultPartitions = defaultPartitions;
    }

    /**
     * Starts a broker.
     *
     * @param port              the client port, 0 for a free one
     * @param dataDir           where the logs go; {@code null} for a temporary directory deleted on {@link #close()}
     * @param defaultPartitions partitions of topics created on first use
     */
    public static EmbeddedKafkaBroker start(int port, Path dataDir, int defaultPartitions) {
        // A broker that fails for good (its disk full, no file descriptors left) halts its JVM: here that would
        // take the whole local stack down without stopping its service processes or removing its temporary
        // directories. The broker stops serving instead, and the stack stops as it always does.
        Exit.setHaltProcedure((status, message) -> System.err.printf(
                "The Kafka broker failed and stopped serving (%d): %s%n", status, message));
        EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(port, dataDir, defaultPartitions);
        broker.format();
        broker.startServer();
        return broker;
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public Path dataDir() {
        return dataDir;
    }

    public synchronized boolean isRunning() {
        return server != null;
    }

    /** Stops the broker and keeps its data, so that {@link #restart()} brings back the same topics and offsets. */
    public synchronized void stop() {
        if (server != null) {
            server.shutdown();
            server.awaitShutdown();
            server = null;
        }
    }

    public synchronized void restart() {
        if (server == null) {
            startServer();
        }
    }

    @Override
    public synchronized void close() {
        stop();
        if (ownsDataDir) {
            TempDirs.deleteRecursively(dataDir);
        }
    }

    private synchronized void startServer() {
        KafkaRaftServer raftServer = new KafkaRaftServer(new KafkaConfig(config(), false), Time.SYSTEM);
        raftServer.startup();
        server = raftServer;
    }

    private Map<String, String> config() {
        Map<String, String> config = new TreeMap<>();
        config.put("process.roles", "broker,controller");
        config.put("node.id", "1");
        config.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        config.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        config.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        config.put("controller.listener.names", "CONTROLLER");
        config.put("inter.broker.listener.name", "PLAINTEXT");
        config.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        config.put("log.dirs", dataDir.toString());
        config.put("num.partitions", Integer.toString(defaultPartitions));
        config.put("auto.create.topics.enable", "true");
        // A single node: every internal topic must live with one replica, or consumer groups never form.
        config.put("offsets.topic.replication.factor", "1");
        config.put("offsets.topic.num.partitions", "5");
        config.put("transaction.state.log.replication.factor", "1");
        config.put("transaction.state.log.min.isr", "1");
        config.put("share.coordinator.state.topic.replication.factor", "1");
        config.put("share.coordinator.state.topic.min.isr", "1");
        config.put("group.initial.rebalance.delay.ms", "0");
        config.put("log.segment.bytes", Integer.toString(16 * 1024 * 1024));
        return config;
    }

    private void format() {
        try {
            Path properties = dataDir.resolve("server.properties");
            Properties props = new Properties();
            props.putAll(config());
            try (Writer writer = Files.newBufferedWriter(properties)) {
                props.store(writer, "pivotplane embedded broker");
            }
            ByteArrayOutputStream output = new ByteArrayOutputStream();
            int exit = StorageTool.execute(
                    new String[] {"format", "-t", clusterId, "-c", properties.toString(), "--ignore-formatted"},
                    new PrintStream(output, true, StandardCharsets.UTF_8));
            if (exit != 0) {
                throw new IllegalStateException("formatting Kafka storage failed: " + output.toString(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the broker configuration in " + dataDir, e);
        }
    }
}
