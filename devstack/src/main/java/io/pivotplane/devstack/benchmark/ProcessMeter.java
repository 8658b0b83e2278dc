package io.pivotplane.devstack.benchmark;

import java.io.IOException;
import java.nio.file.Path;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * CPU time and heap of each process of the run: the services by their Micrometer metrics and their OS process, this
 * JVM (Kafka, the simulator, the agents) by its own MXBeans. Peaks are sampled every 250 ms.
 */
final class ProcessMeter implements AutoCloseable {

    private static final Pattern HEAP_LINE = Pattern.compile(
            "^jvm_memory_used_bytes\\{[^}]*area=\"heap\"[^}]*\\}\\s+([0-9.eE+-]+)", Pattern.MULTILINE);
    static final String SELF = "devstack (Kafka, simulator, agents)";

    record Service(String name, long pid, int httpPort) {
    }

    private final Map<String, Service> services = new LinkedHashMap<>();
    private final Map<String, Long> peakHeap = new ConcurrentHashMap<>();
    private final Map<String, Long> cpuAtStart = new ConcurrentHashMap<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "benchmark-process-meter");
        thread.setDaemon(true);
        return thread;
    });

    ProcessMeter(Iterable<Service> measured) {
        measured.forEach(service -> services.put(service.name(), service));
    }

    /** Starts counting CPU time and heap peaks from now. */
    void start() {
        services.values().forEach(service -> cpuAtStart.put(service.name(), cpuMillis(service.pid())));
        cpuAtStart.put(SELF, cpuMillis(ProcessHandle.current().pid()));
        peakHeap.clear();
        sampler.scheduleAtFixedRate(this::sample, 0, 250, TimeUnit.MILLISECONDS);
    }

    private void sample() {
        for (Service service : services.values()) {
            long heap = heapUsed(service);
            if (heap > 0) {
                peakHeap.merge(service.name(), heap, Math::max);
            }
        }
        Runtime runtime = Runtime.getRuntime();
        peakHeap.merge(SELF, runtime.totalMemory() - runtime.freeMemory(), Math::max);
    }

    long heapUsed(Service service) {
        try {
            HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + service.httpPort() + "/q/metrics")).timeout(Duration.ofSeconds(5))
                    .build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            Matcher matcher = HEAP_LINE.matcher(metrics.body());
            double sum = 0;
            while (matcher.find()) {
                sum += Double.parseDouble(matcher.group(1));
            }
            return (long) sum;
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** The service's heap right after a full collection (jcmd GC.run): what it holds on to. */
    long heapAfterFullGc(String name) throws IOException, InterruptedException {
        Service service = services.get(name);
        Process jcmd = new ProcessBuilder(jcmd(), Long.toString(service.pid()), "GC.run")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!jcmd.waitFor(60, TimeUnit.SECONDS) || jcmd.exitValue() != 0) {
            throw new IOException("jcmd " + service.pid() + " GC.run failed");
        }
        return heapUsed(service);
    }

    /** CPU seconds and peak heap (MiB) of each process since {@link #start()}. */
    Map<String, Map<String, Double>> figures() {
        Map<String, Map<String, Double>> figures = new LinkedHashMap<>();
        for (Service service : services.values()) {
            figures.put(service.name(), Map.of(
                    "cpuSeconds", (cpuMillis(service.pid()) - cpuAtStart.get(service.name())) / 1000.0,
                    "peakHeapMiB", peakHeap.getOrDefault(service.name(), 0L) / 1048576.0));
        }
        figures.put(SELF, Map.of(
                "cpuSeconds", (cpuMillis(ProcessHandle.current().pid()) - cpuAtStart.get(SELF)) / 1000.0,
                "peakHeapMiB", peakHeap.getOrDefault(SELF, 0L) / 1048576.0));
        return figures;
    }

    private static long cpuMillis(long pid) {
        return ProcessHandle.of(pid).flatMap(handle -> handle.info().totalCpuDuration())
                .map(Duration::toMillis).orElse(0L);
    }

    private static String jcmd() {
        return Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
    }

    @Override
    public void close() {
        sampler.shutdownNow();
    }
}
