package io.pivotplane.devstack.infra;

import io.pivotplane.events.Topics;
import io.pivotplane.events.access.KafkaGrant;
import io.pivotplane.events.access.PlaneAccess;
import io.pivotplane.events.kafka.KafkaAcls;
import io.pivotplane.events.kafka.KafkaSasl;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.common.utils.Time;

/**
 * A real, single-node Apache Kafka broker in KRaft mode (broker and controller in one), running in this JVM.
 * It can be stopped and started again on the same ports and data, which is how tests take Kafka down.
 *
 * <p>It runs as the plane's Kafka does in production: clients sign in with SASL/SCRAM-SHA-512 and the
 * {@code StandardAuthorizer} allows only what an ACL grants. At start it creates the plane's topics, a principal per
 * service with the ACLs of {@link PlaneAccess}, and a super user {@value #ADMIN} for tests and tools (its client
 * settings in {@code admin-client.properties} of the data directory). A client without credentials gets nothing.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

    public static final String ADMIN = "admin";
    /** The broker's own principal: to its controller (PLAIN, the controller has no SCRAM store before it runs). */
    private static final String BROKER = "broker";
    private static final String CREDENTIALS_FILE = "pivotplane-credentials.properties";
    private static final SecureRandom RANDOM = new SecureRandom();
    /** The brokers of this JVM by bootstrap address, so that test helpers given an address can sign in as admin. */
    private static final Map<String, EmbeddedKafkaBroker> RUNNING = new ConcurrentHashMap<>();

    private final int port;
    private final int controllerPort;
    private final Path dataDir;
    private final boolean ownsDataDir;
    private final int defaultPartitions;
    private final String clusterId = Uuid.randomUuid().toString();
    private final Properties passwords;
    private KafkaRaftServer server;

    private EmbeddedKafkaBroker(int port, Path dataDir, int defaultPartitions) {
        this.port = FreePorts.orFree(port);
        this.controllerPort = FreePorts.find();
        this.ownsDataDir = dataDir == null;
        this.dataDir = ownsDataDir ? TempDirs.create("pivotplane-kafka-") : dataDir;
        this.defaultPartitions = defaultPartitions;
        this.passwords = loadOrMakePasswords(this.dataDir);
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
        SaslProviders.ofThisClassLoader();
        EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(port, dataDir, defaultPartitions);
        try {
            broker.format();
            broker.startServer();
        } catch (RuntimeException e) {
            broker.close();
            throw e;
        }
        RUNNING.put(broker.bootstrapServers(), broker);
        broker.setUpPlaneAccess();
        return broker;
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /** The settings of a client that signs in as {@code principal}: the admin or one of the services. */
    public Map<String, Object> clientConfig(String principal) {
        Map<String, Object> config = new HashMap<>(KafkaSasl.scram(KafkaSasl.LOCAL_PROTOCOL, principal,
                passwordOf(principal)));
        config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        return config;
    }

    /** The password of one of the broker's principals (tests also make sure it shows nowhere). */
    public String passwordOf(String principal) {
        String password = passwords.getProperty(principal);
        if (password == null) {
            throw new IllegalArgumentException("the broker has no principal " + principal);
        }
        return password;
    }

    /** The same as {@link #clientConfig(String)}, as the environment of a Quarkus service gives it. */
    public Map<String, String> serviceEnvironment(String principal) {
        Map<String, String> environment = new HashMap<>();
        clientConfig(principal).forEach((key, value) -> environment.put(
                "KAFKA_" + key.toUpperCase(Locale.ROOT).replace('.', '_'), value.toString()));
        return environment;
    }

    /** The same as {@link #clientConfig(String)}, as Quarkus configuration ({@code kafka.*}). */
    public Map<String, String> serviceConfig(String principal) {
        Map<String, String> config = new HashMap<>();
        clientConfig(principal).forEach((key, value) -> config.put("kafka." + key, value.toString()));
        return config;
    }

    /**
     * The admin's client settings for a broker of this JVM at {@code bootstrapServers}; for any other address only the
     * address (a broker that asks for no credentials).
     */
    public static Map<String, Object> adminConfig(String bootstrapServers) {
        EmbeddedKafkaBroker broker = RUNNING.get(bootstrapServers);
        return broker == null ? Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers)
                : broker.clientConfig(ADMIN);
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
        RUNNING.remove(bootstrapServers(), this);
        stop();
        if (ownsDataDir) {
            TempDirs.deleteRecursively(dataDir);
        }
    }

    private synchronized void startServer() {
        KafkaRaftServer raftServer = new KafkaRaftServer(new KafkaConfig(config(), false), Time.SYSTEM);
        try {
            raftServer.startup();
        } catch (RuntimeException e) {
            raftServer.shutdown();
            raftServer.awaitShutdown();
            throw e;
        }
        server = raftServer;
    }

    private Map<String, String> config() {
        Map<String, String> config = new TreeMap<>();
        config.put("process.roles", "broker,controller");
        config.put("node.id", "1");
        config.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        config.put("listeners", "CLIENT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        config.put("advertised.listeners", "CLIENT://127.0.0.1:" + port);
        config.put("controller.listener.names", "CONTROLLER");
        config.put("inter.broker.listener.name", "CLIENT");
        config.put("listener.security.protocol.map", "CLIENT:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT");
        config.put("sasl.enabled.mechanisms", KafkaSasl.MECHANISM);
        config.put("listener.name.client.sasl.enabled.mechanisms", KafkaSasl.MECHANISM);
        config.put("sasl.mechanism.inter.broker.protocol", KafkaSasl.MECHANISM);
        config.put("listener.name.client.scram-sha-512.sasl.jaas.config", KafkaSasl.jaas(
                "org.apache.kafka.common.security.scram.ScramLoginModule", BROKER, passwords.getProperty(BROKER)));
        config.put("listener.name.controller.sasl.enabled.mechanisms", "PLAIN");
        config.put("sasl.mechanism.controller.protocol", "PLAIN");
        config.put("listener.name.controller.plain.sasl.jaas.config",
                "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + BROKER
                        + "\" password=\"" + passwords.getProperty(BROKER) + "\" user_" + BROKER + "=\""
                        + passwords.getProperty(BROKER) + "\";");
        config.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        config.put("super.users", "User:" + BROKER + ";User:" + ADMIN);
        config.put("allow.everyone.if.no.acl.found", "false");
        config.put("log.dirs", dataDir.toString());
        config.put("num.partitions", Integer.toString(defaultPartitions));
        // as in deploy/: a topic is made on purpose (the plane's at start, an agent's by pivot-service), never by a typo
        config.put("auto.create.topics.enable", "false");
        // A single node: every internal topic must live with one replica, or consumer groups never form.
        config.put("offsets.topic.replication.factor", "1");
        config.put("offsets.topic.num.partitions", "5");
        config.put("transaction.state.log.replication.factor", "1");
        config.put("transaction.state.log.min.isr", "1");
        config.put("share.coordinator.state.topic.replication.factor", "1");
        config.put("share.coordinator.state.topic.min.isr", "1");
        config.put("group.initial.rebalance.delay.ms", "0");
        // a broker that cannot register with its controller says so after 15 s rather than Kafka's 60
        config.put("initial.broker.registration.timeout.ms", "15000");
        config.put("log.segment.bytes", Integer.toString(16 * 1024 * 1024));
        return config;
    }

    private void format() {
        Path properties = dataDir.resolve("server.properties");
        Properties props = new Properties();
        props.putAll(config());
        writePrivately(properties, props, "pivotplane embedded broker");
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        // the admin's and the broker's SCRAM credentials go into the metadata log as it is made (KIP-900): nobody
        // could sign in to add the first ones otherwise
        int exit = StorageTool.execute(new String[] {"format", "-t", clusterId, "-c", properties.toString(),
                "--ignore-formatted", "--add-scram", scramArgument(ADMIN), "--add-scram", scramArgument(BROKER)},
                new PrintStream(output, true, StandardCharsets.UTF_8));
        if (exit != 0) {
            throw new IllegalStateException("formatting Kafka storage failed: " + output.toString(StandardCharsets.UTF_8));
        }
    }

    private String scramArgument(String principal) {
        return KafkaSasl.MECHANISM + "=[name=" + principal + ",password=" + passwords.getProperty(principal) + "]";
    }

    /**
     * The plane's topics (no service may create one), and a principal per service with its ACLs. Returns once the
     * broker applies them, or a service that starts right after would be refused.
     */
    private void setUpPlaneAccess() {
        try (Admin admin = Admin.create(clientConfig(ADMIN))) {
            List<NewTopic> topics = new ArrayList<>();
            for (String topic : Topics.ALL) {
                topics.add(new NewTopic(topic, defaultPartitions, (short) 1));
                topics.add(new NewTopic(Topics.deadLetter(topic), defaultPartitions, (short) 1));
            }
            topics.add(new NewTopic(Topics.OUTBOX_PROGRESS, 1, (short) 1));
            for (var created : admin.createTopics(topics).values().values()) {
                try {
                    created.get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
            List<UserScramCredentialUpsertion> users = new ArrayList<>();
            List<AclBinding> acls = new ArrayList<>();
            for (Map.Entry<String, List<KafkaGrant>> service : PlaneAccess.services().entrySet()) {
                users.add(new UserScramCredentialUpsertion(service.getKey(),
                        new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), password(service.getKey())));
                acls.addAll(KafkaAcls.bindings(service.getKey(), service.getValue()));
            }
            admin.alterUserScramCredentials(new ArrayList<>(users)).all().get(30, TimeUnit.SECONDS);
            admin.createAcls(acls).all().get(30, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!admin.describeAcls(AclBindingFilter.ANY).values().get(30, TimeUnit.SECONDS).containsAll(acls)
                    || !admin.describeUserScramCredentials().users().get(30, TimeUnit.SECONDS)
                            .containsAll(PlaneAccess.services().keySet())) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the broker did not apply the plane's ACLs within 30 s");
                }
                Thread.sleep(20);
            }
            writeAdminClientProperties();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while setting up the broker's principals", e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot set up the broker's topics and principals", e);
        }
    }

    /** A password of a principal made now, or the one it got when the data directory was first used. */
    private String password(String principal) {
        synchronized (passwords) {
            String password = passwords.getProperty(principal);
            if (password == null) {
                password = newPassword();
                passwords.setProperty(principal, password);
                storePasswords();
            }
            return password;
        }
    }

    private static String newPassword() {
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static Properties loadOrMakePasswords(Path dataDir) {
        Properties passwords = new Properties();
        Path file = dataDir.resolve(CREDENTIALS_FILE);
        try {
            if (Files.exists(file)) {
                try (var reader = Files.newBufferedReader(file)) {
                    passwords.load(reader);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        for (String principal : List.of(ADMIN, BROKER)) {
            passwords.putIfAbsent(principal, newPassword());
        }
        return passwords;
    }

    /** Kept beside the data, readable by its owner alone: a broker started again on it needs them. */
    private void storePasswords() {
        writePrivately(dataDir.resolve(CREDENTIALS_FILE), passwords, "pivotplane embedded broker principals");
    }

    /** For Kafka's own tools and kcat: {@code kafka-topics.sh --command-config <dataDir>/admin-client.properties}. */
    private void writeAdminClientProperties() {
        Properties properties = new Properties();
        clientConfig(ADMIN).forEach((key, value) -> properties.setProperty(key, value.toString()));
        writePrivately(adminClientProperties(), properties, "the embedded broker's admin");
        storePasswords();
    }

    public Path adminClientProperties() {
        return dataDir.resolve("admin-client.properties");
    }

    private static void writePrivately(Path file, Properties properties, String comment) {
        try {
            Files.deleteIfExists(file);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try (Writer writer = Files.newBufferedWriter(file)) {
                properties.store(writer, comment);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
