package io.pivotplane.devstack;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.pivotplane.devstack.infra.ChartRepository;
import io.pivotplane.devstack.infra.EmbeddedKafkaBroker;
import io.pivotplane.devstack.infra.EmbeddedPostgresServer;
import io.pivotplane.devstack.infra.FreePorts;
import io.pivotplane.devstack.infra.KubernetesApiServer;
import io.pivotplane.devstack.infra.LocalIssuer;
import io.pivotplane.devstack.simulator.InfrastructureSimulator;
import io.pivotplane.devstack.simulator.SimulatorSettings;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Base64;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The whole system on one machine: Kafka, PostgreSQL and the management cluster's API in this JVM, the
 * infrastructure simulator acting as Cluster API and the clouds, and the five services as child processes from
 * their packaged builds. {@code bin/devstack} runs it; the e2e tests run it too, and kill and restart services.
 */
public final class LocalStack implements AutoCloseable {

    /** How to run the stack. Ports of 0 are chosen free. */
    public record Settings(Path projectDir, int apiPort, int kafkaPort, int postgresPort, int managementApiPort,
                           int chartsPort, int partitions, SimulatorSettings simulator,
                           Map<Service, Map<String, String>> serviceEnvironment, PrintStream out) {

        public static Settings forTests(Path projectDir, PrintStream out) {
            return new Settings(projectDir, 0, 0, 0, 0, 0, 3, SimulatorSettings.IMMEDIATE, Map.of(), out);
        }

        public Settings withServiceEnvironment(Service service, Map<String, String> environment) {
            Map<Service, Map<String, String>> all = new EnumMap<>(Service.class);
            all.putAll(serviceEnvironment);
            all.put(service, environment);
            return new Settings(projectDir, apiPort, kafkaPort, postgresPort, managementApiPort, chartsPort,
                    partitions, simulator, all, out);
        }
    }

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(180);
    private static final Duration TOKEN_LIFETIME = Duration.ofHours(12);
    /** The namespace pivotplane runs in, as deploy/ names it. */
    public static final String PLANE_NAMESPACE = "pivotplane";

    private final Settings settings;
    private final List<AutoCloseable> parts = new ArrayList<>();
    private final Map<Service, ServiceProcess> services = new EnumMap<>(Service.class);
    private final Map<Service, Integer> ports = new EnumMap<>(Service.class);
    private EmbeddedKafkaBroker kafka;
    private EmbeddedPostgresServer postgres;
    private KubernetesApiServer management;
    private ChartRepository charts;
    private List<String> exampleProfiles = List.of();
    private InfrastructureSimulator simulator;
    private StackLeftovers leftovers;
    private Process reaper;
    private volatile boolean closing;
    /** The identity provider of this stack: the request API trusts its tokens and no other's. */
    private final LocalIssuer issuer = LocalIssuer.create();
    /** What deploy/ keeps in the Secret pivotplane-agent-keys: every agent's key is derived from it. */
    private final String agentKeysSecret = randomSecret();

    private LocalStack(Settings settings) {
        this.settings = settings;
    }

    public static LocalStack start(Settings settings) throws Exception {
        for (Service service : Service.all()) {
            runnerJar(settings.projectDir(), service);
        }
        List<String> removed = StackLeftovers.removeAbandoned(settings.projectDir());
        if (!removed.isEmpty()) {
            settings.out().println("Removed what an earlier local stack left behind when it was killed: "
                    + String.join(", ", removed));
        }
        requireFree(settings.kafkaPort(), "Kafka", "--kafka-port");
        requireFree(settings.postgresPort(), "PostgreSQL", "--postgres-port");
        requireFree(settings.managementApiPort(), "the management cluster's API", "--kube-port");
        requireFree(settings.apiPort(), "the request API", "--api-port");
        requireFree(settings.chartsPort(), "the chart repository", "--charts-port");
        LocalStack stack = new LocalStack(settings);
        try {
            stack.leftovers = StackLeftovers.create(settings.projectDir());
            stack.reaper = stack.leftovers.startReaper(ProcessHandle.current());
            stack.startInfrastructure();
            stack.startServices();
            stack.exampleProfiles = ExampleProfiles.store(settings.projectDir(), stack.apiUrl(), stack.token(),
                    stack.chartsUrl());
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
        leftovers.directory(postgres.dataDir());
        kafka = keep(kafkaStarting.join());
        leftovers.directory(kafka.dataDir());
        management = keep(managementStarting.join());
        charts = keep(ChartRepository.start(settings.chartsPort()));
        leftovers.directory(charts.workDir());
        // what deploy/base/namespace.yaml makes: where the services' own objects (request-service's Lease) live
        management.client().namespaces().resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder()
                .withNewMetadata().withName(PLANE_NAMESPACE).endMetadata().build()).create();
        simulator = keep(InfrastructureSimulator.start(management.client(), settings.simulator()));
        leftovers.directory(simulator.podsTmp());
        for (Service service : Service.all()) {
            postgres.createDatabase(service.database());
        }
    }

    private void startServices() throws Exception {
        for (Service service : Service.all()) {
            ports.put(service, service == Service.REQUEST && settings.apiPort() != 0 ? settings.apiPort()
                    : freePortOfNoOtherPart());
            launch(service, environment(service));
        }
        for (Service service : Service.all()) {
            for (int attempt = 1; ; attempt++) {
                try {
                    services.get(service).awaitReady(READY_TIMEOUT);
                    break;
                } catch (IllegalStateException exited) {
                    boolean chosenHere = !(service == Service.REQUEST && settings.apiPort() != 0);
                    if (!chosenHere || services.get(service).process().isAlive() || attempt == 3) {
                        throw exited;
                    }
                    // the free port found for it was taken before it bound it: another one
                    ports.put(service, freePortOfNoOtherPart());
                    settings.out().printf("%s did not start (%s); trying port %d%n", service.module(),
                            exited.getMessage(), ports.get(service));
                    launch(service, environment(service));
                }
            }
        }
    }

    /**
     * A free port that no other part of the stack has been given: a port is free until its server binds it, so a
     * fixed port not bound yet (the request API's) or one just given to another service can come up again.
     */
    private int freePortOfNoOtherPart() {
        Set<Integer> given = new HashSet<>(ports.values());
        given.addAll(List.of(settings.apiPort(), settings.managementApiPort(), kafka.port(), postgres.port()));
        while (true) {
            int port = FreePorts.find();
            if (!given.contains(port)) {
                return port;
            }
        }
    }

    private void launch(Service service, Map<String, String> environment) {
        ServiceProcess process = ServiceProcess.start(service.module(), runnerJar(settings.projectDir(), service),
                ports.get(service), environment, settings.out());
        services.put(service, process);
        leftovers.process(service.module(), process.process().toHandle());
    }

    private static String randomSecret() {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        return Base64.getEncoder().encodeToString(secret);
    }

    /** Refuses a fixed port something already listens on, rather than talking to whatever that is. */
    static void requireFree(int port, String what, String option) {
        if (port != 0 && FreePorts.isListening(port)) {
            throw new IllegalStateException("port " + port + " for " + what + " is taken: something listens there"
                    + " already (another local stack?); stop it, or choose another port with " + option);
        }
    }

    private Map<String, String> environment(Service service) {
        Map<String, String> environment = new HashMap<>();
        // each service signs in to Kafka as its own principal, with the ACLs of PlaneAccess
        environment.putAll(kafka.serviceEnvironment(service.module()));
        // a killed service's consumers hold their partitions for the group's session timeout: 10 s, not Kafka's 45
        environment.put("PIVOTPLANE_MESSAGING_CONSUMER_SESSION_TIMEOUT_MS", "10000");
        environment.put("QUARKUS_DATASOURCE_JDBC_URL", postgres.jdbcUrl(service.database()));
        environment.put("QUARKUS_DATASOURCE_REACTIVE_URL", postgres.reactiveUrl(service.database()));
        environment.put("QUARKUS_DATASOURCE_USERNAME", EmbeddedPostgresServer.USER);
        environment.put("QUARKUS_DATASOURCE_PASSWORD", EmbeddedPostgresServer.PASSWORD);
        if (service.usesManagementCluster()) {
            environment.put("QUARKUS_KUBERNETES_CLIENT_API_SERVER_URL", management.url());
            environment.put("QUARKUS_KUBERNETES_CLIENT_TRUST_CERTS", "true");
            // Stands for the token of the service's ServiceAccount in deploy/: the API server records who did what.
            // fabric8 reads it (Quarkus' own token property is fixed at build time, and logs the value it is given);
            // a developer's kubeconfig and service account stay out of the local stack.
            environment.put("KUBERNETES_AUTH_TOKEN", service.module());
            environment.put("KUBERNETES_AUTH_TRYKUBECONFIG", "false");
            environment.put("KUBERNETES_AUTH_TRYSERVICEACCOUNT", "false");
        }
        if (service == Service.PIVOT || service == Service.ADDON) {
            environment.put("PIVOTPLANE_AGENT_KEYS_SECRET", agentKeysSecret);
        }
        if (service == Service.PIVOT) {
            // one replica, started again by the supervisor as a pod's container would be: the same name, as a pod's
            environment.put("PIVOTPLANE_PIVOT_REPLICA_ID", "pivot-service-local");
        }
        if (service == Service.REQUEST) {
            issuer.verifierSettings().forEach((property, value) ->
                    environment.put(property.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_"), value));
        }
        environment.putAll(settings.serviceEnvironment().getOrDefault(service, Map.of()));
        return environment;
    }

    /** Kills the service at once (SIGKILL), in the middle of whatever it does. */
    public void kill(Service service) throws InterruptedException {
        services.get(service).kill();
    }

    /** Starts the service again, as it was, and waits until it is ready. */
    public synchronized void restart(Service service, Map<String, String> environmentOverrides) throws Exception {
        ServiceProcess old = services.get(service);
        if (old.process().isAlive()) {
            old.close();
        }
        Map<String, String> environment = environment(service);
        environment.putAll(environmentOverrides);
        launch(service, environment);
        services.get(service).awaitReady(READY_TIMEOUT);
    }

    /** Starts these services again, all at once as a Deployment rollout would, and waits until each is ready. */
    public synchronized void restart(Collection<Service> services) throws Exception {
        for (Service service : services) {
            ServiceProcess old = this.services.get(service);
            if (old.process().isAlive()) {
                old.close();
            }
            launch(service, environment(service));
        }
        for (Service service : services) {
            this.services.get(service).awaitReady(READY_TIMEOUT);
        }
    }

    /**
     * From now on a service that exits is started again, as its Deployment's pods would be, after a pause that
     * doubles with each restart in a row (up to 30 s), and the stack goes on.
     */
    public void superviseServices() {
        Thread supervisor = new Thread(() -> {
            Map<Service, Integer> restarts = new EnumMap<>(Service.class);
            while (!closing) {
                for (Service service : Service.all()) {
                    ServiceProcess process = services.get(service);
                    if (closing || process == null || process.process().isAlive()) {
                        continue;
                    }
                    int count = restarts.merge(service, 1, Integer::sum);
                    Duration pause = Duration.ofSeconds(Math.min(30, 1L << Math.min(count - 1, 5)));
                    settings.out().printf("%s exited with code %d; starting it again in %d s (restart %d)%n",
                            service.module(), process.process().exitValue(), pause.toSeconds(), count);
                    try {
                        Thread.sleep(pause.toMillis());
                        if (!closing) {
                            restart(service, Map.of());
                            settings.out().printf("%s is ready again%n", service.module());
                        }
                    } catch (InterruptedException e) {
                        return;
                    } catch (Exception e) {
                        settings.out().printf("%s did not start again: %s%n", service.module(), e.getMessage());
                    }
                }
                try {
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "local-stack-supervisor");
        supervisor.setDaemon(true);
        supervisor.start();
    }

    /** The local chart repository's URL: the charts of devstack's own sources, for the profiles' chart add-ons. */
    public String chartsUrl() {
        return charts.url();
    }

    public ChartRepository charts() {
        return charts;
    }

    /** The example profiles stored at start, name and version. */
    public List<String> exampleProfiles() {
        return exampleProfiles;
    }

    public String apiUrl() {
        return "http://127.0.0.1:" + ports.get(Service.REQUEST);
    }

    /** The secret every agent's key derives from, as pivot-service and addon-service are given it. */
    public String agentKeysSecret() {
        return agentKeysSecret;
    }

    /** A bearer token of a platform admin, for the request API: what the developer of the local stack is. */
    public String token() {
        return issuer.platformAdminToken("developer", TOKEN_LIFETIME);
    }

    /** A bearer token whose holder has {@code role} (viewer, editor, admin) in {@code project} alone. */
    public String token(String project, String role) {
        return issuer.projectToken(role + "@" + project, project, role, TOKEN_LIFETIME);
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
    public void close() {
        closing = true;
        synchronized (this) {
            stopEverything();
        }
    }

    private void stopEverything() {
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
        if (leftovers != null) {
            leftovers.forget();
        }
        if (reaper != null) {
            // it ignores SIGTERM, to outlive a stack whose process group is told to stop
            reaper.destroyForcibly();
        }
    }
}
