package io.pivotplane.devstack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pivotplane.capi.request.ClusterRequestDocument;
import io.pivotplane.capi.request.Provider;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * {@code bin/devstack --demo}: submits the example cluster of each infrastructure through the REST API, as a user
 * would, in project {@code demo}, and follows them all to their last stage, printing each stage as it is reached.
 */
final class Demo {

    private static final Set<String> LAST_STAGES = Set.of("AddonsInstalled", "Failed", "Deleted");
    private static final Duration POLL = Duration.ofMillis(500);
    private static final Duration PATIENCE = Duration.ofMinutes(10);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String PROJECT = "demo";

    private final Path projectDir;
    private final Path examples;
    private final String apiUrl;
    private final String token;
    private final io.fabric8.kubernetes.client.KubernetesClient management;
    private final PrintStream out;
    private final HttpClient http = HttpClient.newHttpClient();

    Demo(Path projectDir, String apiUrl, String token, io.fabric8.kubernetes.client.KubernetesClient management,
         PrintStream out) {
        this.projectDir = projectDir;
        this.token = token;
        this.examples = projectDir.resolve("examples");
        this.apiUrl = apiUrl + "/api/v1/clusters";
        this.management = management;
        this.out = out;
    }

    /** @return whether every cluster reached AddonsInstalled */
    boolean run() throws IOException, InterruptedException {
        Map<String, String> ids = new LinkedHashMap<>();
        ExampleCredentials.create(management, projectDir, PROJECT);
        Instant start = Instant.now();
        for (String provider : Provider.ids()) {
            Map<String, Object> body = ClusterRequestDocument.body(Files.readString(examples.resolve(provider + ".yaml")));
            // a project of its own, so that the README's own `pivotctl create -f examples/…` does not collide
            body.put("project", PROJECT);
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(apiUrl))
                    .header("Content-Type", "application/json")
                    .header("Authorization", "Bearer " + token)
                    .header("Idempotency-Key", "devstack-demo-" + provider)
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 201) {
                out.printf("demo: %s was refused (%d): %s%n", provider, response.statusCode(), response.body());
                return false;
            }
            JsonNode cluster = JSON.readTree(response.body());
            ids.put(cluster.path("id").asText(), cluster.path("name").asText() + " (" + provider + ")");
            out.printf("demo: requested %-24s %s%n", ids.get(cluster.path("id").asText()), cluster.path("id").asText());
        }
        Map<String, String> stages = new LinkedHashMap<>();
        Instant deadline = start.plus(PATIENCE);
        while (stages.size() < ids.size() || !stages.values().stream().allMatch(LAST_STAGES::contains)) {
            if (Instant.now().isAfter(deadline)) {
                out.printf("demo: gave up after %s: %s%n", PATIENCE, stages);
                return false;
            }
            for (Map.Entry<String, String> cluster : ids.entrySet()) {
                String stage = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(apiUrl + "/" + cluster.getKey()))
                        .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString())
                        .body()).path("stage").asText();
                if (!stage.equals(stages.put(cluster.getKey(), stage))) {
                    out.printf("demo: %-24s %-18s +%.1fs%n", cluster.getValue(), stage,
                            Duration.between(start, Instant.now()).toMillis() / 1000.0);
                }
            }
            Thread.sleep(POLL.toMillis());
        }
        long installed = stages.values().stream().filter("AddonsInstalled"::equals).count();
        out.printf("demo: %d of %d clusters reached AddonsInstalled in %.1fs; bin/pivotctl list shows them%n",
                installed, ids.size(), Duration.between(start, Instant.now()).toMillis() / 1000.0);
        return installed == ids.size();
    }
}
