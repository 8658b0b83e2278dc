package io.pivotplane.devstack;

import io.pivotplane.devstack.infra.EmbeddedPostgresServer;
import io.pivotplane.devstack.simulator.SimulatorSettings;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The local stack on the command line ({@code bin/devstack}): everything {@link LocalStack} runs, on fixed
 * ports. Ctrl-C (or SIGTERM) stops the services, then the infrastructure, and removes every temporary directory.
 */
@Command(name = "devstack", mixinStandardHelpOptions = true,
        description = "Starts pivotplane locally: Kafka, PostgreSQL, a simulated Cluster API with its clouds, and the "
        + "five services. Ctrl-C stops everything.")
public final class DevStack implements Callable<Integer> {

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

    @Option(names = "--kube-port", description = "Port of the management cluster's Kubernetes API (default: ${DEFAULT-VALUE})",
            defaultValue = "${env:PIVOTPLANE_KUBE_PORT:-16443}")
    int kubePort;

    @Option(names = "--charts-port", description = "Port of the local Helm chart repository (default: ${DEFAULT-VALUE})",
            defaultValue = "${env:PIVOTPLANE_CHARTS_PORT:-8078}")
    int chartsPort;

    @Option(names = "--admin-port", description = "Port of the stack's admin endpoint, which kills, stops and "
            + "starts its parts (default: ${DEFAULT-VALUE})", defaultValue = "${env:PIVOTPLANE_ADMIN_PORT:-8079}")
    int adminPort;

    @Option(names = "--partitions", description = "Partitions of each topic (default: ${DEFAULT-VALUE})",
            defaultValue = "3")
    int partitions;

    @Option(names = "--machine-delay", description = "Simulated time for a machine to boot and join (default: ${DEFAULT-VALUE})",
            defaultValue = "PT3S", converter = DurationConverter.class)
    Duration machineDelay;

    @Option(names = "--infrastructure-delay", description = "Simulated time for a cluster's network and load "
            + "balancer (default: ${DEFAULT-VALUE})", defaultValue = "PT2S", converter = DurationConverter.class)
    Duration infrastructureDelay;

    @Option(names = "--demo", description = "Once the stack runs, request the example cluster of each infrastructure "
            + "(examples/*.yaml) and follow them to their last stage")
    boolean demo;

    private final PrintStream out = System.out;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile LocalStack stack;

    public static void main(String[] args) {
        System.exit(new CommandLine(new DevStack()).execute(args));
    }

    /** Accepts ISO-8601 durations (PT3S) and plain seconds (3). */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            return value.matches("\\d+") ? Duration.ofSeconds(Long.parseLong(value)) : Duration.parse(value);
        }
    }

    @Override
    public Integer call() throws Exception {
        Runtime.getRuntime().addShutdownHook(new Thread(this::stopAll, "devstack-shutdown"));
        out.printf("Starting Kafka (KRaft) on %d, PostgreSQL on %d, the management cluster's API on %d, the "
                + "infrastructure simulator (machines take %s) and the five services ...%n", kafkaPort, postgresPort,
                kubePort, machineDelay);
        StackAdmin admin = StackAdmin.start(() -> stack, adminPort);
        stack = LocalStack.start(new LocalStack.Settings(projectDir, apiPort, kafkaPort, postgresPort, kubePort,
                chartsPort, partitions, new SimulatorSettings(infrastructureDelay, machineDelay), Map.of(), out));

        out.println();
        out.println("pivotplane is running:");
        out.printf("  %-20s %s/api/v1/clusters  (OpenAPI: /q/openapi, health: /q/health)%n", "request API",
                stack.apiUrl());
        for (Service service : Service.all()) {
            if (service != Service.REQUEST) {
                out.printf("  %-20s http://127.0.0.1:%d/q/health%n", service.module(), stack.port(service));
            }
        }
        out.printf("  %-20s %s (SASL/SCRAM; admin's client settings: %s)%n", "Kafka", stack.kafka().bootstrapServers(),
                stack.kafka().adminClientProperties());
        out.printf("  %-20s %s (user %s)%n", "PostgreSQL", stack.postgres().jdbcUrl("requests"),
                EmbeddedPostgresServer.USER);
        out.printf("  %-20s %s (each workload cluster's API is under a path of one other server)%n", "management cluster",
                stack.management().url());
        out.printf("  %-20s %s/  (the clusters and their stages, live)%n", "status page", stack.apiUrl());
        out.printf("  %-20s %s  (Helm charts of devstack's sources: widgets 1.0.0, 1.1.0)%n", "chart repository",
                stack.chartsUrl());
        out.printf("  %-20s %s stored (examples/profiles; bin/pivotctl profile list)%n", "cluster profiles",
                String.join(", ", stack.exampleProfiles()));
        out.printf("  %-20s bin/pivotctl login --context local --api-url %s --token \"$(curl -s -X POST "
                + "http://127.0.0.1:%d/token)\"%n", "token", stack.apiUrl(), admin.port());
        out.printf("  %-20s (a platform admin's, for 12 h; /token?project=team-a&role=viewer gives one project's role;"
                + " the status page asks for one too)%n", "");
        out.printf("  %-20s bin/pivotctl list -A%n", "command line");
        // what an operator creates before the first request: the credentials the examples name (fake values)
        out.printf("  %-20s in project team-a, with fake values: %s%n", "example credentials",
                String.join(", ", ExampleCredentials.create(stack.management().client(), projectDir, "team-a")));
        out.printf("  %-20s curl -X POST http://127.0.0.1:%d/<service|kafka|postgres>/<kill|stop|start|restart>"
                + "  (e.g. /pivot-service/kill: a service that exits is started again)%n", "admin", admin.port());
        out.println("Service logs are shown with a [service] prefix. Press Ctrl-C to stop everything.");
        out.println("READY");
        if (demo) {
            Thread demoThread = new Thread(() -> {
                try {
                    new Demo(projectDir, stack.apiUrl(), stack.token(), stack.management().client(), out).run();
                } catch (Exception e) {
                    out.println("demo: stopped: " + e);
                }
            }, "devstack-demo");
            demoThread.setDaemon(true);
            demoThread.start();
        }

        stack.superviseServices();
        stopped.await();
        return 0;
    }

    /** Stops the services before the infrastructure they use, and removes every temporary directory. */
    private void stopAll() {
        if (stopped.getCount() == 0) {
            return;
        }
        stopped.countDown();
        out.println("Stopping pivotplane ...");
        if (stack != null) {
            stack.close();
        }
        out.println("Stopped.");
    }
}
