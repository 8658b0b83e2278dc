package io.pivotplane.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pivotplane.devstack.infra.FreePorts;
import io.pivotplane.devstack.testing.TopicReader;
import io.pivotplane.events.Topics;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The README's path for a new user: {@code bin/devstack --demo} starts the stack and takes the example cluster of
 * each infrastructure to AddonsInstalled, the README's curl POST is accepted and published, a service killed through
 * the admin endpoint is started again, and Ctrl-C leaves no process, port or temporary directory behind.
 */
class LocalStackTest {

    private static final Path PROJECT = Path.of(System.getProperty("pivotplane.project-dir", "..")).toAbsolutePath().normalize();
    private static final Pattern CLUSTER_ID = Pattern.compile("\"id\"\\s*:\\s*\"([0-9a-f-]{36})\"");

    private final List<String> output = new CopyOnWriteArrayList<>();

    @Test
    void devstackDemoTakesAClusterOfEachInfrastructureToTheEndRestartsAKilledServiceAndStopsCleanlyOnCtrlC()
            throws Exception {
        // a port is free until something binds it, so the same one can come up twice
        List<Integer> ports = java.util.stream.Stream.generate(FreePorts::find).distinct().limit(5).toList();
        int apiPort = ports.get(0);
        int kafkaPort = ports.get(1);
        int postgresPort = ports.get(2);
        int kubePort = ports.get(3);
        int adminPort = ports.get(4);
        Set<Path> tempDirsBefore = pivotplaneTempDirs();

        // setsid: a process group of its own, as a terminal gives it, so Ctrl-C (SIGINT) reaches the whole stack;
        // env --default-signal: SIGINT may be ignored by whatever started this build.
        Process devstack = new ProcessBuilder("setsid", "env", "--default-signal=INT", "bin/devstack",
                "--api-port", Integer.toString(apiPort), "--kafka-port", Integer.toString(kafkaPort),
                "--postgres-port", Integer.toString(postgresPort), "--kube-port", Integer.toString(kubePort),
                "--admin-port", Integer.toString(adminPort), "--demo")
                .directory(PROJECT.toFile())
                .redirectErrorStream(true)
                .start();
        collectOutput(devstack);
        try {
            await().atMost(Duration.ofMinutes(3))
                    .failFast("devstack exited", () -> !devstack.isAlive())
                    .until(() -> output.contains("READY"));
            List<ProcessHandle> stack = devstack.descendants().toList();
            assertThat(stack).as("child processes: the service and PostgreSQL").isNotEmpty();
            Set<Path> tempDirsOfStack = difference(pivotplaneTempDirs(), tempDirsBefore);
            assertThat(tempDirsOfStack).isNotEmpty();

            await().atMost(Duration.ofMinutes(3))
                    .failFast("the demo failed", () -> output.stream().anyMatch(l -> l.startsWith("demo: gave up")
                            || l.startsWith("demo: stopped") || l.contains("was refused")))
                    .until(() -> output.stream().anyMatch(l -> l.startsWith("demo: 5 of 5 clusters reached AddonsInstalled")));
            assertThat(output).anySatisfy(l -> assertThat(l).contains("status page"));
            for (String provider : List.of("aws", "gcp", "azure", "vsphere", "maas")) {
                assertThat(output).anySatisfy(l -> assertThat(l).startsWith("demo: edge-" + provider)
                        .contains("AddonsInstalled"));
            }

            assertThat(output).anySatisfy(l -> assertThat(l).contains("bin/pivotctl login", "--token",
                    "http://127.0.0.1:" + adminPort + "/token"));
            String clusterId = postReadmeExample(apiPort, adminPort);
            // Kafka lets in only who signs in: as its admin, with the settings devstack printed where to find
            Map<String, Object> admin = adminClientSettings(output);
            assertThat(admin).containsEntry("bootstrap.servers", "127.0.0.1:" + kafkaPort);
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    TopicReader.readAll(admin, Topics.CLUSTER_REQUESTED).stream()
                            .anyMatch(r -> clusterId.equals(r.key())));

            // a service killed through the admin endpoint is started again, as its Deployment would be
            HttpResponse<String> killed = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                    "http://127.0.0.1:" + adminPort + "/pivot-service/kill")).POST(HttpRequest.BodyPublishers.noBody())
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(killed.statusCode()).as(killed.body()).isEqualTo(200);
            await().atMost(Duration.ofMinutes(2)).until(() -> output.contains("pivot-service is ready again"));

            signal("INT", devstack.pid());
            assertThat(devstack.onExit().get(90, java.util.concurrent.TimeUnit.SECONDS).isAlive()).isFalse();

            assertThat(stack).as("processes left behind").noneMatch(ProcessHandle::isAlive);
            assertThat(List.of(apiPort, kafkaPort, postgresPort, kubePort)).as("ports still listening")
                    .noneMatch(FreePorts::isListening);
            assertThat(tempDirsOfStack).as("temporary directories left behind").noneMatch(Files::exists);
            assertThat(output).contains("Stopped.");
        } finally {
            if (devstack.isAlive()) {
                signal("KILL", devstack.pid());
            }
        }
    }

    /** The README's curl example, with the token the admin endpoint gives, as bin/devstack says. */
    private static String postReadmeExample(int apiPort, int adminPort) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest.Builder post = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + apiPort + "/api/v1/clusters"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofFile(PROJECT.resolve("examples/vsphere-request.json")));
        assertThat(http.send(post.build(), HttpResponse.BodyHandlers.ofString()).statusCode())
                .as("without a token").isEqualTo(401);
        String token = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/token"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString()).body().strip();
        HttpResponse<String> response = http.send(post.header("Authorization", "Bearer " + token).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        assertThat(response.body()).contains("\"stage\":\"Requested\"");
        Matcher id = CLUSTER_ID.matcher(response.body());
        assertThat(id.find()).isTrue();
        return id.group(1);
    }

    private void collectOutput(Process process) {
        Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    output.add(line);
                    System.out.println("[devstack] " + line);
                }
            } catch (IOException ended) {
                // process ended
            }
        });
        reader.setDaemon(true);
        reader.start();
    }

    /** Signals the whole process group, as a terminal's Ctrl-C does. */
    private static void signal(String signal, long processGroup) throws Exception {
        new ProcessBuilder("kill", "-" + signal, "--", "-" + processGroup).inheritIO().start().waitFor();
    }

    private static Set<Path> pivotplaneTempDirs() throws IOException {
        try (Stream<Path> dirs = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return dirs.filter(p -> p.getFileName().toString().startsWith("pivotplane-")).collect(Collectors.toSet());
        }
    }

    private static Set<Path> difference(Set<Path> a, Set<Path> b) {
        return a.stream().filter(p -> !b.contains(p)).collect(Collectors.toSet());
    }


    /** The admin's Kafka client settings, from the file whose path devstack prints beside Kafka's address. */
    private static Map<String, Object> adminClientSettings(List<String> output) throws IOException {
        String line = output.stream().filter(l -> l.contains("admin's client settings: ")).findFirst().orElseThrow();
        Path file = Path.of(line.substring(line.indexOf("admin's client settings: ") + "admin's client settings: ".length(),
                line.lastIndexOf(')')));
        Properties properties = new Properties();
        try (var reader = Files.newBufferedReader(file)) {
            properties.load(reader);
        }
        Map<String, Object> settings = new HashMap<>();
        properties.forEach((key, value) -> settings.put((String) key, value));
        return settings;
    }
}
