package io.pivotplane.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The request API, as a user's script would call it. */
final class PivotplaneApi {

    static final ObjectMapper JSON = new ObjectMapper();

    private final String baseUrl;
    private final String authorization;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** @param token the caller's bearer token (the local stack's {@code token()} for a platform admin) */
    PivotplaneApi(String baseUrl, String token) {
        this.baseUrl = baseUrl + "/api/v1/clusters";
        this.authorization = "Bearer " + token;
    }

    /** Posts a request body (a JSON tree or a map); @return the new cluster's id */
    String create(Object request) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(baseUrl))
                .header("Authorization", authorization)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(request))).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 201) {
            throw new IllegalStateException("POST answered " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body()).path("id").asText();
    }

    /** Asks for the cluster's deletion; @return the cluster as the answer shows it */
    JsonNode delete(String id) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(baseUrl + "/" + id))
                        .header("Authorization", authorization).DELETE().build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 202) {
            throw new IllegalStateException("DELETE answered " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body());
    }

    /** Changes a running cluster with a merge patch of its spec; @return the cluster with its change */
    JsonNode change(String id, Object patch) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(baseUrl + "/" + id))
                        .header("Authorization", authorization)
                        .header("Content-Type", "application/merge-patch+json")
                        .method("PATCH", HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(patch))).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 202) {
            throw new IllegalStateException("PATCH answered " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body());
    }

    JsonNode get(String id) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(baseUrl + "/" + id))
                        .header("Authorization", authorization).build(),
                HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(response.body());
    }

    /** The first page of the clusters the caller may read, newest first. */
    JsonNode list(int size) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(baseUrl + "?size=" + size))
                        .header("Authorization", authorization).build(),
                HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(response.body());
    }

    String stage(String id) throws IOException, InterruptedException {
        return get(id).path("stage").asText();
    }

    List<String> timeline(String id) throws IOException, InterruptedException {
        List<String> stages = new ArrayList<>();
        get(id).path("timeline").forEach(entry -> stages.add(entry.path("stage").asText()));
        return stages;
    }

    static JsonNode read(java.nio.file.Path file) throws IOException {
        return JSON.readTree(file.toFile());
    }
}
