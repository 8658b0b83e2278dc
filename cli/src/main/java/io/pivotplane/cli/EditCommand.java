package io.pivotplane.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code pivotctl edit}: the fields of a running cluster that may change, in an editor as kubectl edit has it (or from
 * a file), sent as the JSON merge patch of what was edited.
 */
@Command(name = "edit", mixinStandardHelpOptions = true,
        description = "Edit what may change in a running cluster (kubernetesVersion, controlPlane, workerPools, "
                + "healthCheck) in your editor, or take it from a file, and send what you changed as one change.",
        footer = {"", "The editor is --editor, else $PIVOTPLANE_EDITOR, $KUBE_EDITOR, $EDITOR, else vi.",
            "Examples:", "  pivotctl edit edge-gcp --wait", "  pivotctl edit edge-gcp -f edge-gcp-spec.yaml"})
final class EditCommand extends ChangeCommands.ChangeCommand {

    static final List<String> EDITABLE = List.of("kubernetesVersion", "controlPlane", "workerPools", "healthCheck");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));
    private static final String HEADER = """
            # Edit what may change in cluster %s; what you leave as it is is not sent.
            # A pool left out is removed, a new one is added; Kubernetes goes up one minor at a time.
            # Saving an unchanged file, or an empty one, cancels the edit.
            """;

    @Option(names = {"-f", "--filename"}, paramLabel = "FILE",
            description = "Take the edited fields from this YAML file instead of an editor.")
    Path file;
    @Option(names = "--editor", paramLabel = "COMMAND", description = "The editor to run, with the file as its argument.")
    String editor;

    /** The patch of what was edited; empty when the edit was cancelled (nothing changed, or an empty file). */
    @Override
    @SuppressWarnings("unchecked")
    Map<String, Object> patch(JsonNode current) {
        ObjectNode editable = editable(current);
        JsonNode edited = file != null ? read(file) : editInEditor(current.path("name").asText(), editable);
        if (edited == null || edited.isMissingNode() || edited.isNull() || edited.equals(editable)) {
            return Map.of();
        }
        if (!edited.isObject()) {
            throw new CliException(ExitCodes.INVALID_INPUT, "the edited document is not a map of fields");
        }
        return JSON.convertValue(mergePatch(editable, (ObjectNode) edited), Map.class);
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    static ObjectNode editable(JsonNode cluster) {
        ObjectNode editable = JsonNodeFactory.instance.objectNode();
        editable.set("kubernetesVersion", cluster.path("kubernetesVersion"));
        for (String field : List.of("controlPlane", "workerPools", "healthCheck")) {
            JsonNode value = cluster.path("spec").path(field);
            if (!value.isMissingNode()) {
                editable.set(field, value);
            }
        }
        return editable;
    }

    /**
     * RFC 7396's patch from {@code before} to {@code after}: changed fields, {@code null} for removed ones, and the whole
     * new list of pools, each pool's removed machine fields as {@code null} (the API merges a pool's machine into the
     * one it has).
     */
    static ObjectNode mergePatch(ObjectNode before, ObjectNode after) {
        ObjectNode patch = JsonNodeFactory.instance.objectNode();
        before.fieldNames().forEachRemaining(field -> {
            if (!after.has(field)) {
                patch.putNull(field);
            }
        });
        for (Iterator<Map.Entry<String, JsonNode>> fields = after.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            JsonNode old = before.get(field.getKey());
            JsonNode value = field.getValue();
            if (value.equals(old)) {
                continue;
            }
            if (field.getKey().equals("workerPools") && value.isArray()) {
                patch.set("workerPools", poolsPatch(old, value));
            } else if (old != null && old.isObject() && value.isObject()) {
                patch.set(field.getKey(), mergePatch((ObjectNode) old, (ObjectNode) value));
            } else {
                patch.set(field.getKey(), value);
            }
        }
        return patch;
    }

    private static JsonNode poolsPatch(JsonNode before, JsonNode after) {
        Map<String, JsonNode> old = new HashMap<>();
        if (before != null) {
            before.forEach(pool -> old.put(pool.path("name").asText(), pool));
        }
        var pools = JsonNodeFactory.instance.arrayNode();
        for (JsonNode pool : after) {
            JsonNode was = old.get(pool.path("name").asText());
            if (pool.isObject() && was != null && was.path("machine").isObject() && pool.path("machine").isObject()) {
                ObjectNode copy = ((ObjectNode) pool).deepCopy();
                copy.set("machine", mergePatch((ObjectNode) was.path("machine"), (ObjectNode) pool.path("machine")));
                pools.add(copy);
            } else {
                pools.add(pool);
            }
        }
        return pools;
    }

    private JsonNode editInEditor(String name, ObjectNode editable) {
        try {
            Path edited = Files.createTempFile("pivotctl-edit-" + name + "-", ".yaml");
            Files.writeString(edited, HEADER.formatted(name) + YAML.writeValueAsString(editable));
            String command = editor != null ? editor : firstSet(System.getenv("PIVOTPLANE_EDITOR"),
                    System.getenv("KUBE_EDITOR"), System.getenv("EDITOR"), "vi");
            Process process = new ProcessBuilder("sh", "-c", command + " \"$0\"", edited.toString()).inheritIO()
                    .start();
            int exit = process.waitFor();
            if (exit != 0) {
                throw new CliException(ExitCodes.USAGE, "the editor (" + command + ") exited with " + exit
                        + "; nothing was sent (your edit is in " + edited + ")");
            }
            JsonNode read = read(edited);
            Files.deleteIfExists(edited);
            return read;
        } catch (IOException e) {
            throw new CliException(ExitCodes.USAGE, "cannot run the editor: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(ExitCodes.USAGE, "interrupted while the editor ran; nothing was sent");
        }
    }

    private static JsonNode read(Path path) {
        try {
            String text = Files.readString(path, StandardCharsets.UTF_8);
            return text.lines().allMatch(line -> line.isBlank() || line.strip().startsWith("#")) ? null
                    : YAML.readTree(text);
        } catch (IOException e) {
            throw new CliException(ExitCodes.INVALID_INPUT, "cannot read " + path + ": " + e.getMessage());
        }
    }

    private static String firstSet(String... values) {
        for (String value : values) {
            if (value != null && !value.isBlank()) {
                return value;
            }
        }
        return null;
    }
}
