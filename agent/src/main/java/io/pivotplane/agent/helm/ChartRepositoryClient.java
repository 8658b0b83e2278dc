package io.pivotplane.agent.helm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.pivotplane.events.model.Addon;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Fetches a chart's archive from a Helm chart repository served over HTTP(S), as {@code helm pull} does: the
 * repository's {@code index.yaml} names the archive's URL (relative to the repository or absolute) and its SHA-256
 * digest. Archives are kept in a cache by digest, so a chart is downloaded once per agent, and an archive whose bytes
 * do not match the digest is refused.
 */
public final class ChartRepositoryClient {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final Path cache;
    private final HttpClient http;

    public ChartRepositoryClient(Path cache) {
        this.cache = cache;
        this.http = HttpClient.newBuilder().connectTimeout(TIMEOUT).followRedirects(HttpClient.Redirect.NORMAL).build();
    }

    /** Where downloads are kept: the agent's own writable folder. */
    public Path cache() {
        return cache;
    }

    /** The chart's archive in the cache, downloaded and checked first when it is not there yet. */
    public Path fetch(Addon.Chart chart) {
        URI repository = URI.create(chart.repository().endsWith("/") ? chart.repository() : chart.repository() + "/");
        JsonNode entry = entry(repository, chart);
        String digest = entry.path("digest").asText("");
        if (!digest.matches("[0-9a-f]{64}")) {
            throw new ChartException("chart " + chart.name() + " " + chart.version() + " in " + chart.repository()
                    + " has no SHA-256 digest in the repository's index: it cannot be checked, so it is not installed");
        }
        Path cached = cache.resolve(chart.name() + "-" + chart.version() + "-" + digest + ".tgz");
        if (Files.isRegularFile(cached)) {
            return cached;
        }
        if (!entry.path("urls").isArray() || entry.path("urls").isEmpty()) {
            throw new ChartException("chart " + chart.name() + " " + chart.version() + " in " + chart.repository()
                    + " has no download URL in the repository's index");
        }
        URI archive = repository.resolve(entry.path("urls").get(0).asText());
        byte[] bytes = get(archive, "the archive of chart " + chart.name() + " " + chart.version());
        String actual = sha256(bytes);
        if (!actual.equals(digest)) {
            throw new ChartException("the archive of chart " + chart.name() + " " + chart.version() + " from " + archive
                    + " does not match the repository's digest (index says sha256 " + digest + ", download is "
                    + actual + "): not installed");
        }
        try {
            Files.createDirectories(cache);
            Path partial = Files.createTempFile(cache, chart.name(), ".part");
            Files.write(partial, bytes);
            Files.move(partial, cached, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return cached;
        } catch (IOException e) {
            throw new ChartException("cannot keep chart " + chart.name() + " in the chart cache " + cache + ": " + e, e);
        }
    }

    private JsonNode entry(URI repository, Addon.Chart chart) {
        URI index = repository.resolve("index.yaml");
        JsonNode root;
        try {
            root = YAML.readTree(get(index, "the index of chart repository " + chart.repository()));
        } catch (IOException e) {
            throw new ChartException("the index of chart repository " + chart.repository() + " is not readable YAML: "
                    + e.getMessage(), e);
        }
        JsonNode versions = root.path("entries").path(chart.name());
        if (!versions.isArray() || versions.isEmpty()) {
            throw new ChartException("chart repository " + chart.repository() + " has no chart named "
                    + chart.name());
        }
        List<String> known = new ArrayList<>();
        for (JsonNode version : versions) {
            if (chart.version().equals(version.path("version").asText())) {
                return version;
            }
            known.add(version.path("version").asText());
        }
        throw new ChartException("chart repository " + chart.repository() + " has no version " + chart.version()
                + " of chart " + chart.name() + " (it has " + String.join(", ", known) + ")");
    }

    private byte[] get(URI uri, String what) {
        try {
            HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(uri).timeout(TIMEOUT).GET().build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() != 200) {
                throw new ChartException("cannot download " + what + ": " + uri + " answered HTTP "
                        + response.statusCode());
            }
            return response.body();
        } catch (IOException e) {
            throw new ChartException("cannot download " + what + " from " + uri + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ChartException("interrupted while downloading " + what, e);
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }
}
