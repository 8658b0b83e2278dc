package io.pivotplane.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.pivotplane.capi.Manifests;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Clusters as a table, JSON or YAML: the API's own JSON, so {@code -o json} is what scripts can rely on. */
final class Printer {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    static final List<String> COLUMNS = List.of("ID", "NAME", "PROJECT", "PROVIDER", "VERSION", "STAGE", "AGE");

    private Printer() {
    }

    static void print(PrintWriter out, OutputOptions.Format format, JsonNode document, List<JsonNode> rows) {
        switch (format) {
            case json -> out.println(json(document));
            case yaml -> out.print(Manifests.yaml(JSON.convertValue(document, Object.class)));
            case table -> table(out, rows);
        }
        out.flush();
    }

    static String json(JsonNode document) {
        try {
            return JSON.writeValueAsString(document);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void table(PrintWriter out, List<JsonNode> clusters) {
        List<List<String>> rows = new ArrayList<>();
        rows.add(COLUMNS);
        Instant now = Instant.now();
        for (JsonNode cluster : clusters) {
            rows.add(List.of(cluster.path("id").asText(), cluster.path("name").asText(),
                    cluster.path("project").asText(), cluster.path("provider").asText(),
                    cluster.path("kubernetesVersion").asText(), cluster.path("stage").asText(),
                    age(cluster.path("createdAt").asText(null), now)));
        }
        columns(out, rows);
    }

    static void columns(PrintWriter out, List<List<String>> rows) {
        int[] widths = new int[rows.get(0).size()];
        for (List<String> row : rows) {
            for (int i = 0; i < row.size(); i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        for (List<String> row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.size(); i++) {
                line.append(i == row.size() - 1 ? row.get(i) : String.format("%-" + (widths[i] + 3) + "s", row.get(i)));
            }
            out.println(line.toString().stripTrailing());
        }
    }

    static String age(String since, Instant now) {
        if (since == null) {
            return "";
        }
        return duration(Duration.between(Instant.parse(since), now));
    }

    static String duration(Duration duration) {
        long seconds = Math.max(0, duration.getSeconds());
        if (seconds < 120) {
            return seconds + "s";
        } else if (seconds < 7200) {
            return seconds / 60 + "m";
        } else if (seconds < 172_800) {
            return seconds / 3600 + "h";
        }
        return seconds / 86_400 + "d";
    }
}
