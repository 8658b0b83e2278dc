package io.pivotplane.devstack.benchmark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.sun.management.UnixOperatingSystemMXBean;
import io.pivotplane.capi.request.ClusterRequestDocument;
import io.pivotplane.capi.request.Provider;
import io.pivotplane.devstack.LocalStack;
import io.pivotplane.devstack.Service;
import io.pivotplane.devstack.simulator.SimulatorSettings;
import io.pivotplane.devstack.testing.TestCredentials;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The whole pipeline under load ({@code bin/benchmark}): the local stack with simulated delays of 0, N clusters
 * mixed over the five infrastructures submitted through the REST API, followed to {@code AddonsInstalled}; then a
 * bare Kafka relay over five topics on the same broker, for comparison. Prints and writes the figures.
 */
@Command(name = "benchmark", mixinStandardHelpOptions = true,
        description = "Runs N clusters through the local stack with simulated delays of 0 and a bare Kafka relay "
        + "beside it; prints throughput, stage handoff percentiles, CPU and heap of every process.")
public final class Benchmark implements Callable<Integer> {

    static final List<String> MANAGEMENT_SERVICES = List.of("spec-service", "provisioner-service", "pivot-service");
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    /** Open files of one simulated cluster with its agent in this JVM, with a margin (docs/performance.md). */
    private static final long FILES_PER_CLUSTER = 15;

    @Option(names = "--project-dir", defaultValue = ".", description = "Root of the pivotplane checkout")
    Path projectDir;

    @Option(names = {"-n", "--clusters"}, defaultValue = "1000", description = "Clusters to run (default: ${DEFAULT-VALUE})")
    int clusters;

    @Option(names = "--rate", defaultValue = "0",
            description = "Clusters submitted per second; 0 submits them all at once (default: ${DEFAULT-VALUE})")
    double rate;

    @Option(names = "--warmup", defaultValue = "10",
            description = "Clusters run first, before measuring; the services' heap is taken after them (default: ${DEFAULT-VALUE})")
    int warmup;

    @Option(names = "--partitions", defaultValue = "12", description = "Partitions of each topic (default: ${DEFAULT-VALUE})")
    int partitions;

    @Option(names = "--timeout", defaultValue = "PT15M", description = "How long to wait for the clusters (default: ${DEFAULT-VALUE})")
    Duration timeout;

    @Option(names = "--output", description = "Where to write benchmark.json, stage-latencies.png and the stack's log "
            + "(default: target/benchmark/<time>)")
    Path output;

    @Option(names = "--no-baseline", description = "Skip the bare Kafka relay")
    boolean noBaseline;

    @Option(names = "--relay-only", description = "Run the bare Kafka relay with as many messages as --clusters, "
            + "after the warm-up, and stop")
    boolean relayOnly;

    @Option(names = "--fleet", defaultValue = "0", description = "Instead of running clusters, measure the plane at rest "
            + "under this many pivoted clusters whose agents only report (synthetic agents, the agent's own format)")
    int fleet;

    @Option(names = "--fleet-time", defaultValue = "PT1H", description = "Fleet time the agents report for "
            + "(default: ${DEFAULT-VALUE})")
    Duration fleetTime;

    @Option(names = "--speedup", defaultValue = "6", description = "How much faster than the fleet time the "
            + "agents' reports are sent (default: ${DEFAULT-VALUE})")
    int speedup;

    @Option(names = "--idle", defaultValue = "PT20S", description = "How long the services' idle CPU is measured, "
            + "after the warm-up (default: ${DEFAULT-VALUE})")
    Duration idle;

    @Option(names = "--heartbeat", defaultValue = "PT10S", description = "The agents' report interval in fleet time, "
            + "the agent's default (default: ${DEFAULT-VALUE})")
    Duration heartbeat;

    private final PrintStream out = System.out;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private String token;
    private final List<Map<String, Object>> examples = new ArrayList<>();

    public static void main(String[] args) {
        System.exit(new CommandLine(new Benchmark()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        projectDir = projectDir.toAbsolutePath().normalize();
        if (output == null) {
            output = projectDir.resolve("target/benchmark").resolve(Instant.now().toString().replace(':', '-'));
        }
        Files.createDirectories(output);
        for (String provider : Provider.ids()) {
            examples.add(ClusterRequestDocument.body(Files.readString(projectDir.resolve("examples/" + provider + ".yaml"))));
        }
        if (fleet > 0) {
            out.printf("benchmark: the plane at rest under a fleet of %d clusters, after %d real ones; the stack's log "
                    + "goes to %s%n", fleet, warmup, output.resolve("stack.log"));
        } else if (relayOnly) {
            out.printf("benchmark: the bare Kafka relay alone, %d messages, after %d clusters to warm up%n", clusters,
                    warmup);
        } else {
            warnIfFileDescriptorsRunShort();
            out.printf("benchmark: %d clusters %s, after %d to warm up; the stack's log goes to %s%n", clusters,
                    rate > 0 ? "at " + rate + " per second" : "submitted all at once", warmup,
                    output.resolve("stack.log"));
        }
        try (PrintStream stackLog = new PrintStream(Files.newOutputStream(output.resolve("stack.log")), true);
             LocalStack stack = LocalStack.start(new LocalStack.Settings(projectDir, 0, 0, 0, 0, 0, partitions,
                     SimulatorSettings.IMMEDIATE.withAgentsSharingKafkaClients(), Map.of(), stackLog));
             StageClock clock = new StageClock(stack.kafka().bootstrapServers())) {
            // stopped with Ctrl-C or a TERM signal, the JVM skips the closing of the try: the services would outlive it
            Runtime.getRuntime().addShutdownHook(new Thread(stack::close, "benchmark-shutdown"));
            Map<String, Long> measured = new LinkedHashMap<>();
            for (Service service : Service.all()) {
                measured.put(service.module(), stack.process(service).process().pid());
            }
            try (ProcessMeter meter = new ProcessMeter(measured)) {
                return fleet > 0 ? runFleet(stack, clock, meter) : run(stack, clock, meter);
            }
        }
    }

    private int runFleet(LocalStack stack, StageClock clock, ProcessMeter meter) throws Exception {
        token = stack.token();
        // a few real clusters first: the plane has pivoted some, and their real agents report beside the fleet's
        awaitDone(clock, submit(stack.apiUrl() + "/api/v1/clusters", requests(stack, "warmup", warmup), 0, clock));
        Map<String, Object> figures = FleetAtRest.run(stack.kafka().bootstrapServers(), stack.agentKeysSecret(), meter,
                new FleetAtRest.Settings(fleet, fleetTime, speedup, heartbeat, idle), out);
        Files.writeString(output.resolve("fleet.json"), JSON.writeValueAsString(figures));
        out.println("written: " + output.resolve("fleet.json"));
        return Boolean.TRUE.equals(figures.get("allReadByAddonService")) && figures.get("deadLettered").equals(0L)
                ? 0 : 1;
    }

    private int run(LocalStack stack, StageClock clock, ProcessMeter meter) throws Exception {
        String api = stack.apiUrl() + "/api/v1/clusters";
        token = stack.token();
        Set<String> warm = submit(api, requests(stack, "warmup", warmup), 0, clock);
        awaitDone(clock, warm);
        Map<String, Long> heapAfterWarmup = heapsAfterFullGc(meter);
        // before the measured run: afterwards the broker shares its JVM with every cluster simulated, and the relay
        // would measure that load rather than Kafka
        out.printf("benchmark: %d warm-up clusters done; %s%n", warm.size(),
                noBaseline ? "no bare relay" : "the bare relay passes " + clusters + " messages");
        Map<String, Double> idleCores = relayOnly ? Map.of() : idleCores(meter);
        RelayBaseline.Result baseline = noBaseline ? null
                : RelayBaseline.run(stack.kafka().bootstrapServers(), partitions, clusters, rate, 1024);
        if (relayOnly && baseline != null) {
            out.printf("bare Kafka relay, %d messages over five topics: %.1f messages/s end to end (%d lost, %d sends "
                            + "Kafka failed made again), its clients %.2f ms of CPU per message; p99 per hop: %s%n",
                    clusters, baseline.messagesPerSecond(), baseline.lost(), baseline.resent(),
                    baseline.cpuMillisPerMessage(), baseline.hops().entrySet().stream().skip(1)
                            .map(hop -> hop.getKey() + " " + Math.round(hop.getValue().p99()) + " ms").toList());
            Files.writeString(output.resolve("relay.json"), JSON.writeValueAsString(baseline));
            return baseline.lost() == 0 ? 0 : 1;
        }
        out.printf("benchmark: running %d clusters%n", clusters);

        meter.start();
        long meterStart = System.nanoTime();
        long start = System.currentTimeMillis();
        Set<String> ids = submit(api, requests(stack, "bench", clusters), rate, clock);
        boolean finished = awaitDone(clock, ids);
        long end = ids.stream().map(id -> clock.time(id, "AddonsInstalled")).filter(t -> t != null)
                .mapToLong(Long::longValue).max().orElse(System.currentTimeMillis());
        Map<String, Map<String, Double>> processes = meter.figures();
        double meteredSeconds = (System.nanoTime() - meterStart) / 1e9;
        Map<String, Long> heapAfterRun = heapsAfterFullGc(meter);
        int installed = (int) clock.countReached(ids, "AddonsInstalled");
        Set<String> failed = clock.failed(ids);
        int lost = ids.size() - installed - failed.size();
        double seconds = Math.max(0.001, (end - start) / 1000.0);
        Map<String, List<StageClock.Handoff>> handoffs = clock.handoffs(ids);
        Map<String, Latencies> stageLatencies = new LinkedHashMap<>();
        handoffs.forEach((stage, list) -> stageLatencies.put(stage,
                Latencies.of(list.stream().map(StageClock.Handoff::millis).toList())));

        Map<String, Object> report = new LinkedHashMap<>();
        report.put("clusters", clusters);
        report.put("ratePerSecond", rate);
        report.put("partitions", partitions);
        report.put("cores", Runtime.getRuntime().availableProcessors());
        report.put("seconds", seconds);
        report.put("clustersPerSecond", installed / seconds);
        report.put("installed", installed);
        report.put("failed", failed.size());
        report.put("lost", lost);
        report.put("finishedInTime", finished);
        report.put("stageHandoffMillis", stageLatencies);
        report.put("processes", processes);
        report.put("planeCpuMillisPerCluster", planeCpuMillisPerCluster(processes, installed, Map.of(), 0));
        report.put("idleCores", idleCores);
        report.put("planeCpuMillisPerClusterAboveIdle", planeCpuMillisPerCluster(processes, installed, idleCores,
                meteredSeconds));
        Map<String, Object> heap = new LinkedHashMap<>();
        for (String service : MANAGEMENT_SERVICES) {
            heap.put(service, Map.of("afterWarmupMiB", heapAfterWarmup.get(service) / 1048576.0,
                    "afterRunMiB", heapAfterRun.get(service) / 1048576.0,
                    "ratio", (double) heapAfterRun.get(service) / Math.max(1, heapAfterWarmup.get(service))));
        }
        report.put("heapAfterFullGc", heap);
        if (baseline != null) {
            report.put("baseline", baseline);
            report.put("throughputRatio", baseline.messagesPerSecond() / Math.max(0.001, installed / seconds));
        }
        Files.writeString(output.resolve("benchmark.json"), JSON.writeValueAsString(report));
        LatencyChart.write(output.resolve("stage-latencies.png"),
                String.format("pivotplane: %d clusters, %s, stage handoff latency", clusters,
                        rate > 0 ? rate + "/s" : "all at once"), start, handoffs);
        print(report, stageLatencies, processes, heap, baseline, installed, failed, lost, seconds);
        if (!failed.isEmpty()) {
            out.println("failed clusters (first 5): " + failed.stream().limit(5).toList());
        }
        return lost == 0 && failed.isEmpty() ? 0 : 1;
    }

    /**
     * CPU milliseconds each of the five services spent per cluster that reached AddonsInstalled, and their sum
     * ({@code total}): the plane's own cost, whatever the simulator and the broker cost beside it. With idle rates,
     * less what each service spends idle over {@code seconds} (polling its topics and outbox), which a small run
     * would otherwise charge to its few clusters.
     */
    static Map<String, Double> planeCpuMillisPerCluster(Map<String, Map<String, Double>> processes, int clusters,
                                                        Map<String, Double> idleCores, double seconds) {
        Map<String, Double> perCluster = new LinkedHashMap<>();
        double total = 0;
        for (Service service : Service.all()) {
            double cpuSeconds = processes.get(service.module()).get("cpuSeconds")
                    - idleCores.getOrDefault(service.module(), 0.0) * seconds;
            double millis = Math.max(0, cpuSeconds) * 1000 / Math.max(1, clusters);
            perCluster.put(service.module(), millis);
            total += millis;
        }
        perCluster.put("total", total);
        return perCluster;
    }

    /** Each JVM's CPU, in cores, while nothing is asked of the stack for {@code --idle}. */
    private Map<String, Double> idleCores(ProcessMeter meter) throws InterruptedException {
        out.printf("benchmark: measuring the services idle for %d s%n", idle.toSeconds());
        return meter.coresOver(idle);
    }

    private static Map<String, Long> heapsAfterFullGc(ProcessMeter meter) {
        Map<String, Long> heaps = new LinkedHashMap<>();
        MANAGEMENT_SERVICES.forEach(service -> heaps.put(service, meter.heapAfterFullGc(service)));
        return heaps;
    }

    private void print(Map<String, Object> report, Map<String, Latencies> stages,
                       Map<String, Map<String, Double>> processes, Map<String, Object> heap,
                       RelayBaseline.Result baseline, int installed, Set<String> failed, int lost, double seconds) {
        out.println();
        out.printf("pivotplane: %d of %d clusters reached AddonsInstalled in %.1f s: %.1f clusters/s end to end "
                + "(%d failed, %d %s)%n", installed, clusters, seconds, installed / seconds, failed.size(), lost,
                Boolean.TRUE.equals(report.get("finishedInTime")) ? "lost" : "lost or unfinished when --timeout came");
        out.println("stage handoff (event in -> next event out):");
        String[] services = {"request-service", "spec-service", "provisioner-service", "pivot-service", "addon-service"};
        int i = 0;
        for (Map.Entry<String, Latencies> stage : stages.entrySet()) {
            Latencies relay = baseline == null ? null : baseline.hops().get(stage.getKey());
            out.printf("  %-20s %-20s %s%s%n", "-> " + stage.getKey(), "(" + services[i++] + ")", stage.getValue(),
                    relay == null || relay.count() == 0 ? ""
                            : String.format("   bare relay p99 %.0f ms (x%.0f)", relay.p99(),
                            stage.getValue().p99() / Math.max(1, relay.p99())));
        }
        out.println("processes (during the measured run):");
        @SuppressWarnings("unchecked")
        Map<String, Double> perCluster = (Map<String, Double>) report.get("planeCpuMillisPerCluster");
        processes.forEach((name, figures) -> out.printf("  %-36s CPU %7.1f s   peak heap %7.1f MiB%s%n", name,
                figures.get("cpuSeconds"), figures.get("peakHeapMiB"), perCluster.containsKey(name)
                        ? String.format("   %6.1f ms CPU per cluster", perCluster.get(name)) : ""));
        @SuppressWarnings("unchecked")
        Map<String, Double> aboveIdle = (Map<String, Double>) report.get("planeCpuMillisPerClusterAboveIdle");
        out.printf("the plane (five services): %.1f ms of CPU per cluster, request to AddonsInstalled (%.1f ms above "
                        + "what they spend idle)%s%n", perCluster.get("total"), aboveIdle.get("total"),
                baseline == null ? "" : String.format(
                        "; the bare relay's clients %.2f ms per message through its five topics",
                        baseline.cpuMillisPerMessage()));
        out.println("heap after a full GC, after the warm-up and after the run:");
        heap.forEach((name, figures) -> {
            @SuppressWarnings("unchecked")
            Map<String, Double> f = (Map<String, Double>) figures;
            out.printf("  %-20s %6.1f MiB -> %6.1f MiB  (x%.2f)%n", name, f.get("afterWarmupMiB"),
                    f.get("afterRunMiB"), f.get("ratio"));
        });
        if (baseline != null) {
            out.printf("bare Kafka relay, same broker, %d messages over five topics: %.1f messages/s end to end "
                    + "(%d lost, %d sends Kafka failed made again); pivotplane does %.1f clusters/s: the relay is"
                    + " x%.1f faster%n", clusters,
                    baseline.messagesPerSecond(), baseline.lost(), baseline.resent(), installed / seconds,
                    baseline.messagesPerSecond() / Math.max(0.001, installed / seconds));
        }
        out.println("written: " + output.resolve("benchmark.json") + ", " + output.resolve("stage-latencies.png"));
    }

    /**
     * Every simulated workload cluster lives in this JVM with its API store and agent: about 13 open files each
     * (docs/performance.md), which the open-file limit must allow for all clusters at once.
     */
    private void warnIfFileDescriptorsRunShort() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean unix) {
            long needed = 2000L + FILES_PER_CLUSTER * (clusters + warmup);
            if (unix.getMaxFileDescriptorCount() < needed) {
                out.printf("benchmark: WARNING: the open-file limit (%d) allows about %d simulated clusters in this JVM;"
                        + " %d may run out of file descriptors (raise it with ulimit -n)%n",
                        unix.getMaxFileDescriptorCount(), (unix.getMaxFileDescriptorCount() - 2000) / FILES_PER_CLUSTER,
                        clusters + warmup);
            }
        }
    }

    /**
     * The requests to submit, the examples in turn, each with the credentials it names created in the management
     * cluster first, as its operator would (a vSphere cluster's own): before the clock runs, so that what is
     * measured is the pipeline.
     */
    private List<Map<String, Object>> requests(LocalStack stack, String project, int count) {
        List<Map<String, Object>> requests = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Map<String, Object> body = new LinkedHashMap<>(examples.get(i % examples.size()));
            body.put("name", project + "-" + i);
            body.put("project", project);
            requests.add(TestCredentials.prepare(stack.management().client(), body));
        }
        return requests;
    }

    /** Submits the clusters through the REST API (at most 32 requests in flight) and returns their ids. */
    private Set<String> submit(String api, List<Map<String, Object>> requests, double ratePerSecond, StageClock clock)
            throws Exception {
        int count = requests.size();
        Set<String> ids = ConcurrentHashMap.newKeySet();
        ExecutorService senders = Executors.newFixedThreadPool(32);
        Semaphore inFlight = new Semaphore(32);
        List<Future<?>> sent = new ArrayList<>();
        long start = System.currentTimeMillis();
        try {
            for (int i = 0; i < count; i++) {
                if (ratePerSecond > 0) {
                    long wait = start + (long) (i * 1000 / ratePerSecond) - System.currentTimeMillis();
                    if (wait > 0) {
                        Thread.sleep(wait);
                    }
                }
                Map<String, Object> body = requests.get(i);
                inFlight.acquire();
                sent.add(senders.submit(() -> {
                    try {
                        long submittedAt = System.currentTimeMillis();
                        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(api))
                                .header("Content-Type", "application/json")
                                .header("Authorization", "Bearer " + token)
                                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build(),
                                HttpResponse.BodyHandlers.ofString());
                        if (response.statusCode() != 201) {
                            throw new IllegalStateException("request " + body.get("name") + " refused ("
                                    + response.statusCode() + "): " + response.body());
                        }
                        JsonNode cluster = JSON.readTree(response.body());
                        String id = cluster.path("id").asText();
                        clock.submitted(id, submittedAt);
                        ids.add(id);
                        return null;
                    } finally {
                        inFlight.release();
                    }
                }));
            }
            for (Future<?> future : sent) {
                future.get();
            }
        } finally {
            senders.shutdown();
        }
        return ids;
    }

    /** Waits until every cluster reached AddonsInstalled or failed; false when the timeout came first. */
    private boolean awaitDone(StageClock clock, Set<String> ids) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        long lastReport = 0;
        while (Instant.now().isBefore(deadline)) {
            long installed = clock.countReached(ids, "AddonsInstalled");
            int failed = clock.failed(ids).size();
            if (installed + failed >= ids.size()) {
                return true;
            }
            if (System.currentTimeMillis() - lastReport > 5000) {
                lastReport = System.currentTimeMillis();
                out.printf("benchmark: %d of %d at AddonsInstalled, %d failed%n", installed, ids.size(), failed);
            }
            Thread.sleep(100);
        }
        return false;
    }
}
