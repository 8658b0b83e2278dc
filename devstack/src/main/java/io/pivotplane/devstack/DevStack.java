package io.pivotplane.devstack;

import io.pivotplane.devstack.infra.EmbeddedKafkaBroker;
import io.pivotplane.devstack.infra.EmbeddedPostgresServer;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The local stack: a real Kafka broker and a real PostgreSQL in this JVM, and the services as child processes
 * from their packaged builds. Ctrl-C (or SIGTERM) stops the services, then the infrastructure, and removes
 * every temporary directory.
 */
@Command(name = "devstack", mixinStandardHelpOptions = true,
        description = "Starts pivotplane locally: Kafka, PostgreSQL and the services. Ctrl-C stops everything.")
public final class DevStack implements Callable<Integer> {

    static final String REQUEST_SERVICE = "request-service";

    @Option(names = "--project-dir", description = "Root of the pivotplane checkout (default: current directory)",
            defaultValue = ".")
    Path projectDir;

    @Option(names = "--api-port", description = "HTTP port of the request API (default: ${DEFAULT-VALUE})",
            defaultValue = "${env:PIVOTPLANE_API_PORT:-8080}")
    int apiPort;

    @Option(names = "--kafka-port", description = "Kafka client port (default: ${DEFAULT-VALUE})",
            defaultValue = "${env:PIVOTPLANE_KAFKA_PORT:-9092}")
    int kafkaPort;

    @Option(names = "--postgres-port", description = "PostgreSQL port (default: ${DEFAULT-VALUE})",
            defaultValue = "${env:PIVOTPLANE_POSTGRES_PORT:-15432}")
    int postgresPort;

    @Option(names = "--partitions", description = "Partitions of each topic (default: ${DEFAULT-VALUE})",
            defaultValue = "3")
    int partitions;

    private final PrintStream out = System.out;
    private final List<AutoCloseable> running = new ArrayList<>();
    private final CountDownLatch stopped = new CountDownLatch(1);

    public static void main(String[] args) {
        System.exit(new CommandLine(new DevStack()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Runtime.getRuntime().addShutdownHook(new Thread(this::stopAll, "devstack-shutdown"));
        Path requestServiceJar = runnerJar(REQUEST_SERVICE);

        out.println("Starting Kafka (KRaft) on " + kafkaPort + " and PostgreSQL on " + postgresPort + " ...");
        CompletableFuture<EmbeddedKafkaBroker> kafkaStarting =
                CompletableFuture.supplyAsync(() -> EmbeddedKafkaBroker.start(kafkaPort, null, partitions));
        CompletableFuture<EmbeddedPostgresServer> postgresStarting =
                CompletableFuture.supplyAsync(() -> EmbeddedPostgresServer.start(postgresPort));
        EmbeddedPostgresServer postgres = keep(postgresStarting.join());
        EmbeddedKafkaBroker kafka = keep(kafkaStarting.join());
        postgres.createDatabase("requests");

        ServiceProcess requestService = keep(ServiceProcess.start(REQUEST_SERVICE, requestServiceJar, apiPort, Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                "QUARKUS_DATASOURCE_REACTIVE_URL", postgres.reactiveUrl("requests"),
                "QUARKUS_DATASOURCE_JDBC_URL", postgres.jdbcUrl("requests"),
                "QUARKUS_DATASOURCE_USERNAME", EmbeddedPostgresServer.USER,
                "QUARKUS_DATASOURCE_PASSWORD", EmbeddedPostgresServer.PASSWORD), out));
        requestService.awaitReady(Duration.ofSeconds(120));

        out.println();
        out.println("pivotplane is running:");
        out.printf("  %-16s http://127.0.0.1:%d/api/v1/clusters  (OpenAPI: /q/openapi, health: /q/health)%n",
                "request API", apiPort);
        out.printf("  %-16s %s%n", "Kafka", kafka.bootstrapServers());
        out.printf("  %-16s %s (user %s)%n", "PostgreSQL", postgres.jdbcUrl("requests"), EmbeddedPostgresServer.USER);
        out.println("Service logs are shown with a [service] prefix. Press Ctrl-C to stop everything.");
        out.println("READY");

        requestService.process().onExit().join();
        if (stopped.getCount() > 0) {
            out.println(REQUEST_SERVICE + " exited with code " + requestService.process().exitValue() + "; stopping");
            return 1;
        }
        return 0;
    }

    private <T extends AutoCloseable> T keep(T part) {
        synchronized (running) {
            running.add(part);
        }
        return part;
    }

    /** Stops in reverse order of start: services before the infrastructure they use. */
    private void stopAll() {
        if (stopped.getCount() == 0) {
            return;
        }
        stopped.countDown();
        out.println("Stopping pivotplane ...");
        List<AutoCloseable> parts;
        synchronized (running) {
            parts = new ArrayList<>(running);
            running.clear();
        }
        for (int i = parts.size() - 1; i >= 0; i--) {
            try {
                parts.get(i).close();
            } catch (Exception e) {
                out.println("  could not stop cleanly: " + e);
            }
        }
        out.println("Stopped.");
    }

    private Path runnerJar(String service) {
        Path jar = projectDir.resolve(service).resolve("target/quarkus-app/quarkus-run.jar").toAbsolutePath().normalize();
        if (!Files.isRegularFile(jar)) {
            throw new CommandLine.ParameterException(new CommandLine(this),
                    service + " is not built: " + jar + " is missing (run ./mvnw package -DskipTests, or bin/devstack)");
        }
        return jar;
    }
}
