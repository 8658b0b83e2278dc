package io.pivotplane.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
        Path log = PROJECT.resolve("e2e/target/e2e-logs/benchmark-smoke.log");
        Files.createDirectories(log.getParent());
        Process benchmark = new ProcessBuilder("bin/benchmark", "--clusters", "5", "--warmup", "0",
                "--output", output.toString())
                .directory(PROJECT.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        boolean exited = benchmark.waitFor(10, TimeUnit.MINUTES);
        if (!exited) {
            benchmark.destroyForcibly();
        }
        String printed = Files.readString(log);
        assertThat(exited).as("bin/benchmark finished; its output:%n%s", printed).isTrue();
        assertThat(benchmark.exitValue()).as(printed).isZero();

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
        assertThat(figures.path("heapAfterFullGc").path("pivot-service").path("afterRunMiB").asDouble()).isPositive();
        assertThat(output.resolve("stage-latencies.png")).isNotEmptyFile();
        assertThat(Files.readAllBytes(output.resolve("stage-latencies.png"))).startsWith((byte) 0x89, (byte) 'P', (byte) 'N', (byte) 'G');
    }

    private static JsonNode json(Path file) throws IOException {
        return new ObjectMapper().readTree(file.toFile());
    }
}
