package io.pivotplane.devstack;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.pivotplane.devstack.infra.EmbeddedKafkaBroker;
import io.pivotplane.devstack.infra.EmbeddedPostgresServer;
import io.pivotplane.devstack.infra.FreePorts;
import io.pivotplane.devstack.infra.KubernetesApiServer;
import io.pivotplane.devstack.simulator.InfrastructureSimulator;
import io.pivotplane.devstack.simulator.SimulatorSettings;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The whole system on one machine: Kafka, PostgreSQL and the management cluster's API in this JVM, the
 * infrastructure simulator acting as Cluster API and the clouds, and the five services as child processes from
 * their packaged builds. {@code bin/devstack} runs it; the e2e tests run it too, and kill and restart services.
 */
public final class LocalStack implements AutoCloseable {

    /** How to run the stack. Ports of 0 are chosen free. */
    public record Settings(Path projectDir, int apiPort, int kafkaPort, int postgresPort, int managementApiPort,
                           int partitions, SimulatorSettings simulator,
                           Map<Service, Map<String, String>> serviceEnvironment, PrintStream out) {

        public static Settings forTests(Path projectDir, PrintStream out) {
            return new Settings(projectDir, 0, 0, 0, 0, 3, SimulatorSettings.IMMEDIATE, Map.of(), out);
        }

        public Settings withServiceEnvironment(Service service, Map<String, String> environment) {
            Map<Service, Map<String, String>> all = new EnumMap<>(Service.class);
            all.putAll(serviceEnvironment);
            all.put(service, environment);
            return new Settings(projectDir, apiPort, kafkaPort, postgresPort, managementApiPort, partitions,
                    simulator, all, out);
        }
    }

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(180);

    private final Settings settings;
    private final List<AutoCloseable> parts = new ArrayList<>();
    private final Map<Service, ServiceProcess> services = new EnumMap<>(Service.class);
    private final Map<Service, Integer> ports = new EnumMap<>(Service.class);
    private EmbeddedKafkaBroker kafka;
    private EmbeddedPostgresServer postgres;
    private KubernetesApiServer management;
    private InfrastructureSimulator simulator;

    private LocalStack(Settings settings) {
        this.settings = settings;
    }

    public static LocalStack start(Settings settings) throws Exception {
        for (Service service : Service.all()) {
            runnerJar(settings.projectDir(), service);
        }
        LocalStack stack = new LocalStack(settings);
        try {
            stack.startInfrastructure();
            stack.startServices();
            return stack;
        } catch (Exception | Error e) {
            stack.close();
            throw e;
        }
    }

    private void startInfrastructure() {
        CompletableFuture<EmbeddedKafkaBroker> kafkaStarting = CompletableFuture.supplyAsync(
                () -> EmbeddedKafkaBroker.start(settings.kafkaPort(), null, settings.partitions()));
        CompletableFuture<EmbeddedPostgresServer> postgresStarting = CompletableFuture.supplyAsync(
                () -> EmbeddedPostgresServer.start(settings.postgresPort()));
        CompletableFuture<KubernetesApiServer> managementStarting = CompletableFuture.supplyAsync(
                () -> KubernetesApiServer.start(settings.managementApiPort()));
        postgres = keep(postgresStarting.join());
        kafka = keep(kafkaStarting.join());
        management = keep(managementStarting.join());
        simulator = keep(InfrastructureSimulator.start(management.client(), settings.simulator()));
        for (Service service : Service.all()) {
            postgres.createDatabase(service.database());
        }
    }

    private void startServices() throws Exception {
        for (Service service : Service.all()) {
            ports.put(service, service == Service.REQUEST && settings.apiPort() != 0 ? settings.apiPort()
                    : FreePorts.find());
            services.put(service, ServiceProcess.start(service.module(), runnerJar(settings.projectDir(), service),
                    ports.get(service), environment(service), settings.out()));
        }
        for (ServiceProcess process : services.values()) {
            process.awaitReady(READY_TIMEOUT);
        }
    }

    private Map<String, String> environment(Service service) {
        Map<String, String> environment = new HashMap<>();
        environment.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
        environment.put("QUARKUS_DATASOURCE_JDBC_URL", postgres.jdbcUrl(service.database()));
        environment.put("QUARKUS_DATASOURCE_REACTIVE_URL", postgres.reactiveUrl(service.database()));
        environment.put("QUARKUS_DATASOURCE_USERNAME", EmbeddedPostgresServer.USER);
        environment.put("QUARKUS_DATASOURCE_PASSWORD", EmbeddedPostgresServer.PASSWORD);
        if (service.usesManagementCluster()) {
            environment.put("QUARKUS_KUBERNETES_CLIENT_API_SERVER_URL", management.url());
            environment.put("QUARKUS_KUBERNETES_CLIENT_TRUST_CERTS", "true");
            // Stands for the token of the service's ServiceAccount in deploy/: the API server records who did what.
            environment.put("QUARKUS_KUBERNETES_CLIENT_TOKEN", service.module());
        }
        environment.putAll(settings.serviceEnvironment().getOrDefault(service, Map.of()));
        return environment;
    }

    /** Kills the service at once (SIGKILL), in the middle of whatever it does. */
    public void kill(Service service) throws InterruptedException {
        services.get(service).kill();
    }

    /** Starts the service again, as it was, and waits until it is ready. */
    public void restart(Service service, Map<String, String> environmentOverrides) throws Exception {
        ServiceProcess old = services.get(service);
        if (old.process().isAlive()) {
            old.close();
        }
        Map<String, String> environment = environment(service);
        environment.putAll(environmentOverrides);
        ServiceProcess process = ServiceProcess.start(service.module(), runnerJar(settings.projectDir(), service),
                ports.get(service), environment, settings.out());
        services.put(service, process);
        process.awaitReady(READY_TIMEOUT);
    }

    public String apiUrl() {
        return "http://127.0.0.1:" + ports.get(Service.REQUEST);
    }

    public int port(Service service) {
        return ports.get(service);
    }

    public ServiceProcess process(Service service) {
        return services.get(service);
    }

    public EmbeddedKafkaBroker kafka() {
        return kafka;
    }

    public EmbeddedPostgresServer postgres() {
        return postgres;
    }

    public KubernetesApiServer management() {
        return management;
    }

    public InfrastructureSimulator simulator() {
        return simulator;
    }

    /** A client of a workload cluster's API, by the URL of its kubeconfig (e.g. from ControlPlaneReady). */
    public KubernetesClient workloadClient(String url) {
        return simulator.workloadClient(url).orElseThrow(() -> new IllegalArgumentException(
                "no simulated workload cluster at " + url));
    }

    private <T extends AutoCloseable> T keep(T part) {
        parts.add(part);
        return part;
    }

    static Path runnerJar(Path projectDir, Service service) {
        Path jar = projectDir.resolve(service.module()).resolve("target/quarkus-app/quarkus-run.jar")
                .toAbsolutePath().normalize();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(service.module() + " is not built: " + jar
                    + " is missing (run ./mvnw package -DskipTests, or bin/devstack --rebuild)");
        }
        return jar;
    }

    /** Stops the services, then the simulator and the infrastructure: the reverse of the start. */
    @Override
    public synchronized void close() {
        List<ServiceProcess> processes = new ArrayList<>(services.values());
        services.clear();
        processes.parallelStream().forEach(ServiceProcess::close);
        for (int i = parts.size() - 1; i >= 0; i--) {
            try {
                parts.get(i).close();
            } catch (Exception e) {
                settings.out().println("could not stop cleanly: " + e);
            }
        }
        parts.clear();
    }
}
