package io.pivotplane.devstack;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.pivotplane.capi.request.ClusterRequestDocument;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The stored profiles of {@code examples/profiles/}, stored in a local stack through its API, as a platform admin
 * would with {@code pivotctl profile create}: the example cluster requests name them. They name the local stack's
 * chart repository at its default address; a stack that serves it elsewhere (tests, {@code --charts-port}) stores
 * them with its own.
 */
final class ExampleProfiles {

    /** Where {@code bin/devstack} serves its chart repository unless told otherwise, as the examples name it. */
    static final String DEFAULT_CHARTS_URL = "http://127.0.0.1:8078/";
    private static final ObjectMapper JSON = new ObjectMapper();

    private ExampleProfiles() {
    }

    /** @return one line per profile stored, name and version */
    static List<String> store(Path projectDir, String apiUrl, String token, String chartsUrl) {
        Path folder = projectDir.resolve("examples/profiles");
        List<String> stored = new ArrayList<>();
        if (!Files.isDirectory(folder)) {
            return stored;
        }
        HttpClient http = HttpClient.newHttpClient();
        try (Stream<Path> files = Files.list(folder)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                String yaml = Files.readString(file).replace(DEFAULT_CHARTS_URL, chartsUrl);
                Map<String, Object> body = ClusterRequestDocument.profileBody(yaml);
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(apiUrl
                                + "/api/v1/profiles"))
                        .header("Content-Type", "application/json").header("Authorization", "Bearer " + token)
                        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() / 100 != 2) {
                    throw new IllegalStateException("the API refused example profile " + file.getFileName() + " ("
                            + response.statusCode() + "): " + response.body());
                }
                stored.add(body.get("name") + " " + body.get("version"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store the example profiles of " + folder, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while storing the example profiles", e);
        }
        return stored;
    }
}
