package io.pivotplane.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.StringJoiner;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/** The REST API of request-service, with each refusal turned into a {@link CliException} that says why. */
final class PivotplaneClient {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern CLUSTER_ID = Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    private final String apiUrl;
    private final String baseUrl;
    private final String token;
    private final String tokenSource;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** @param tokenSource where the token came from, to say which one to renew when it is refused */
    PivotplaneClient(String apiUrl, String token, String tokenSource) {
        this.apiUrl = apiUrl.replaceAll("/+$", "");
        this.baseUrl = this.apiUrl + "/api/v1/clusters";
        this.token = token;
        this.tokenSource = tokenSource;
    }

    JsonNode create(Map<String, Object> body, String idempotencyKey) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json(body)));
        if (idempotencyKey != null) {
            request.header("Idempotency-Key", idempotencyKey);
        }
        return send(request, null);
    }

    /** Stores a profile version; answers the stored version. */
    JsonNode createProfile(Map<String, Object> body) {
        return send(HttpRequest.newBuilder(URI.create(apiUrl + "/api/v1/profiles"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json(body))), null);
    }

    /** Every stored profile version; of one profile when {@code name} is given. */
    JsonNode profiles(String name) {
        return send(HttpRequest.newBuilder(URI.create(apiUrl + "/api/v1/profiles"
                + (name == null ? "" : "?name=" + URLEncoder.encode(name, StandardCharsets.UTF_8)))).GET(), null);
    }

    /** The plane's release, the agents it drives and the Kubernetes minors of each infrastructure. */
    JsonNode versions() {
        return send(HttpRequest.newBuilder(URI.create(apiUrl + "/api/v1/versions")).GET(), null);
    }

    JsonNode profile(String name, String version) {
        return send(HttpRequest.newBuilder(URI.create(apiUrl + "/api/v1/profiles/"
                + URLEncoder.encode(name, StandardCharsets.UTF_8) + "/versions/"
                + URLEncoder.encode(version, StandardCharsets.UTF_8))).GET(), null);
    }

    /** Moves a running cluster to another profile; answers the cluster. */
    JsonNode changeProfile(String id, Map<String, Object> profile) {
        return send(HttpRequest.newBuilder(URI.create(cluster(id) + "/profile"))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json(profile))), id);
    }

    /** Changes a running cluster with a JSON merge patch of its spec; answers the cluster with its change. */
    JsonNode change(String id, Map<String, Object> patch) {
        return send(HttpRequest.newBuilder(cluster(id))
                .header("Content-Type", "application/merge-patch+json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString(json(patch))), id);
    }

    /** Pauses the cluster for maintenance: changes asked for meanwhile are held until it is resumed. */
    JsonNode pause(String id, String reason) {
        return send(HttpRequest.newBuilder(URI.create(cluster(id) + "/pause"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json(reason == null ? Map.of() : Map.of("reason", reason)))),
                id);
    }

    /** Resumes a paused cluster: the changes held go to its agent. */
    JsonNode resume(String id) {
        return send(HttpRequest.newBuilder(URI.create(cluster(id) + "/resume"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}")), id);
    }

    JsonNode get(String id) {
        return send(HttpRequest.newBuilder(cluster(id)).GET(), id);
    }

    JsonNode list(String project, int page, int size) {
        return list(project, null, page, size);
    }

    /**
     * The id of the cluster named {@code name} in {@code project}; an id is taken as it is.
     *
     * @throws CliException with {@link ExitCodes#NOT_FOUND} when the project has no cluster of that name
     */
    String idOf(String nameOrId, String project) {
        if (CLUSTER_ID.matcher(nameOrId).matches()) {
            return nameOrId;
        }
        if (project == null) {
            throw new CliException(ExitCodes.USAGE, "'" + nameOrId + "' is a name: say its project with -p, or set "
                    + "one in the context (pivotctl login -p PROJECT)");
        }
        JsonNode items = list(project, nameOrId, 0, 1).path("items");
        if (items.isEmpty()) {
            throw new CliException(ExitCodes.NOT_FOUND, "no cluster named " + nameOrId + " in project " + project);
        }
        return items.get(0).path("id").asText();
    }

    private JsonNode list(String project, String name, int page, int size) {
        StringJoiner query = new StringJoiner("&", "?", "");
        if (project != null) {
            query.add("project=" + URLEncoder.encode(project, StandardCharsets.UTF_8));
        }
        if (name != null) {
            query.add("name=" + URLEncoder.encode(name, StandardCharsets.UTF_8));
        }
        query.add("page=" + page).add("size=" + size);
        return send(HttpRequest.newBuilder(URI.create(baseUrl + query)).GET(), null);
    }

    JsonNode delete(String id, boolean force) {
        return send(HttpRequest.newBuilder(force ? URI.create(cluster(id) + "?force=true") : cluster(id)).DELETE(), id);
    }

    /**
     * Follows the cluster's stages as the API streams them, handing each to {@code onStage} until it returns
     * {@code true} or the stream ends.
     */
    void follow(String id, Predicate<JsonNode> onStage) {
        HttpRequest request = authorized(HttpRequest.newBuilder(URI.create(cluster(id) + "/events"))
                .header("Accept", "text/event-stream").GET()).build();
        HttpResponse<InputStream> response = exchange(request, HttpResponse.BodyHandlers.ofInputStream());
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            if (response.statusCode() != 200) {
                throw refusal(response.statusCode(), readAll(reader), id);
            }
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.startsWith("data:") && onStage.test(JSON.readTree(line.substring("data:".length()).strip()))) {
                    return;
                }
            }
        } catch (IOException e) {
            throw new CliException(ExitCodes.UNAVAILABLE, "the stream of cluster " + id + " broke off: " + e.getMessage());
        }
    }

    private URI cluster(String id) {
        return URI.create(baseUrl + "/" + URLEncoder.encode(id, StandardCharsets.UTF_8));
    }

    private JsonNode send(HttpRequest.Builder request, String id) {
        HttpResponse<String> response = exchange(authorized(request.header("Accept", "application/json")).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw refusal(response.statusCode(), response.body(), id);
        }
        try {
            return response.body().isEmpty() ? JSON.nullNode() : JSON.readTree(response.body());
        } catch (IOException e) {
            throw new CliException(ExitCodes.UNAVAILABLE, "the API answered something that is not JSON: " + e.getMessage());
        }
    }

    private HttpRequest.Builder authorized(HttpRequest.Builder request) {
        return token == null ? request : request.header("Authorization", "Bearer " + token);
    }

    private <T> HttpResponse<T> exchange(HttpRequest request, HttpResponse.BodyHandler<T> body) {
        try {
            return http.send(request, body);
        } catch (ConnectException e) {
            throw new CliException(ExitCodes.UNAVAILABLE, "cannot reach the pivotplane API at " + baseUrl
                    + " (is bin/devstack running? set --api-url or " + ApiOptions.ENVIRONMENT_VARIABLE + ")");
        } catch (IOException e) {
            throw new CliException(ExitCodes.UNAVAILABLE, "the pivotplane API at " + baseUrl + " failed: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(ExitCodes.UNAVAILABLE, "interrupted");
        }
    }

    /** A problem+json answer as one message: its detail and each field it names. */
    private CliException refusal(int status, String body, String id) {
        JsonNode problem;
        try {
            problem = JSON.readTree(body == null || body.isBlank() ? "{}" : body);
        } catch (IOException e) {
            problem = JSON.createObjectNode();
        }
        if (status == 401) {
            return new CliException(ExitCodes.UNAUTHENTICATED, Tokens.whyRefused(token, tokenSource, apiUrl));
        }
        if (status == 403) {
            return new CliException(ExitCodes.FORBIDDEN, "forbidden: " + problem.path("detail").asText(
                    "your token's roles do not allow this"));
        }
        if (status == 404) {
            return new CliException(ExitCodes.NOT_FOUND, id != null ? "no cluster has the id " + id
                    : problem.path("detail").asText("not found"));
        }
        StringBuilder message = new StringBuilder(problem.path("title").asText("HTTP " + status));
        if (problem.hasNonNull("detail")) {
            message.append(": ").append(problem.path("detail").asText());
        }
        problem.path("errors").forEach(error -> message.append("\n  ")
                .append(error.path("field").asText()).append(": ").append(error.path("message").asText()));
        return new CliException(status >= 500 ? ExitCodes.UNAVAILABLE : ExitCodes.INVALID_INPUT, message.toString());
    }

    private static String readAll(BufferedReader reader) throws IOException {
        StringBuilder text = new StringBuilder();
        String line;
        while ((line = reader.readLine()) != null) {
            text.append(line).append('\n');
        }
        return text.toString();
    }

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
