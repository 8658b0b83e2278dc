package io.pivotplane.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A small run of {@code bin/benchmark}, as the README gives it: it runs from the script, takes every cluster to
 * AddonsInstalled, measures the bare Kafka relay beside it, and writes its figures. The figures themselves are not
 * judged here: they belong to the benchmark, on a quiet machine (docs/performance.md).
 */
class BenchmarkSmokeTest {

    private static final Path PROJECT = Path.of(System.getProperty("pivotplane.project-dir", "..")).toAbsolutePath().normalize();

    @Test
    void aSmallBenchmarkRunsEveryClusterToTheEndAndWritesItsFigures() throws Exception {
        Path output = PROJECT.resolve("e2e/target/benchmark-smoke");
        String printed = runToTheEnd(output, "benchmark-smoke.log", "--clusters", "5", "--warmup", "0",
                "--idle", "PT2S");

        assertThat(printed).contains("5 of 5 clusters reached AddonsInstalled", "stage handoff", "-> SpecsCreated",
                "bare Kafka relay", "heap after a full GC");
        JsonNode figures = json(output.resolve("benchmark.json"));
        assertThat(figures.path("installed").asInt()).isEqualTo(5);
        assertThat(figures.path("lost").asInt()).isZero();
        assertThat(figures.path("failed").asInt()).isZero();
        assertThat(figures.path("clustersPerSecond").asDouble()).isPositive();
        assertThat(figures.path("stageHandoffMillis").fieldNames()).toIterable()
                .containsExactly("Requested", "SpecsCreated", "ControlPlaneReady", "Pivoted", "AddonsInstalled");
        figures.path("stageHandoffMillis").forEach(stage -> assertThat(stage.path("count").asInt()).isEqualTo(5));
        assertThat(figures.path("processes").fieldNames()).toIterable().contains("spec-service", "pivot-service");
        assertThat(figures.path("baseline").path("lost").asInt()).isZero();
        assertThat(figures.path("baseline").path("messagesPerSecond").asDouble()).isPositive();
        assertThat(figures.path("baseline").path("cpuMillisPerMessage").asDouble()).isPositive();
        assertThat(printed).contains("ms of CPU per cluster, request to AddonsInstalled",
                "the bare relay's clients");
        JsonNode perCluster = figures.path("planeCpuMillisPerCluster");
        assertThat(perCluster.fieldNames()).toIterable().containsExactly("request-service", "spec-service",
                "provisioner-service", "pivot-service", "addon-service", "total");
        double services = 0;
        for (String service : List.of("request-service", "spec-service", "provisioner-service", "pivot-service",
                "addon-service")) {
            assertThat(perCluster.path(service).asDouble()).as(service).isPositive();
            assertThat(perCluster.path(service).asDouble()).as(service).isCloseTo(
                    figures.path("processes").path(service).path("cpuSeconds").asDouble() * 1000 / 5, within(0.01));
            services += perCluster.path(service).asDouble();
        }
        assertThat(perCluster.path("total").asDouble()).isCloseTo(services, within(0.01));
        assertThat(figures.path("heapAfterFullGc").path("pivot-service").path("afterRunMiB").asDouble()).isPositive();
        assertThat(output.resolve("stage-latencies.png")).isNotEmptyFile();
        assertThat(Files.readAllBytes(output.resolve("stage-latencies.png"))).startsWith((byte) 0x89, (byte) 'P', (byte) 'N', (byte) 'G');
    }

    @Test
    void theFleetModeHasSyntheticAgentsReportThroughThePlaneAndPrintsItsCostAndHeap() throws Exception {
        Path output = PROJECT.resolve("e2e/target/benchmark-fleet-smoke");
        String printed = runToTheEnd(output, "benchmark-fleet-smoke.log", "--fleet", "300", "--fleet-time", "PT2M",
                "--speedup", "6", "--idle", "PT3S", "--warmup", "0");

        assertThat(printed).contains("fleet: 300 clusters at rest", "all read by addon-service", "0 dead-lettered",
                "of a core for 300 clusters at the production rate", "heap after a full GC");
        JsonNode figures = json(output.resolve("fleet.json"));
        // 300 clusters, a heartbeat each every 10 s, for 2 minutes of fleet time
        assertThat(figures.path("heartbeatsSent").asLong()).isEqualTo(3600);
        assertThat(figures.path("heartbeatsFailed").asLong()).isZero();
        assertThat(figures.path("deadLettered").asLong()).isZero();
        assertThat(figures.path("allReadByAddonService").asBoolean()).isTrue();
        assertThat(figures.path("planeCoresAtProductionRate").asDouble()).isPositive();
        assertThat(figures.path("services").fieldNames()).toIterable().containsExactly("request-service",
                "spec-service", "provisioner-service", "pivot-service", "addon-service");
        // before the fleet, then every tenth of its time, then at the end
        assertThat(figures.path("heapAfterFullGcMiB").path("addon-service").size()).isGreaterThanOrEqualTo(3);
    }

    /** Runs bin/benchmark with {@code arguments}, writing to {@code output}; returns what it printed, once it exited 0. */
    private static String runToTheEnd(Path output, String logName, String... arguments) throws Exception {
        Path log = PROJECT.resolve("e2e/target/e2e-logs").resolve(logName);
        Files.createDirectories(log.getParent());
        List<String> command = new java.util.ArrayList<>(List.of("bin/benchmark"));
        command.addAll(List.of(arguments));
        command.addAll(List.of("--output", output.toString()));
        Process benchmark = new ProcessBuilder(command).directory(PROJECT.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        boolean exited = benchmark.waitFor(10, TimeUnit.MINUTES);
        if (!exited) {
            benchmark.destroyForcibly();
        }
        String printed = Files.readString(log);
        assertThat(exited).as("bin/benchmark finished; its output:%n%s", printed).isTrue();
        assertThat(benchmark.exitValue()).as(printed).isZero();
        return printed;
    }

    private static JsonNode json(Path file) throws IOException {
        return new ObjectMapper().readTree(file.toFile());
    }
}
