package io.pivotplane.tools.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Writes one string value of one object of a multi-document YAML file, as it is: how bin/build-provider-components
 * takes the manifests that upstream cluster templates carry inside a ConfigMap or Secret.
 *
 * <pre>
 * YamlValue --file FILE --kind KIND --name NAME --path KEY[/KEY]... --output FILE
 * </pre>
 *
 * The file may hold clusterctl's {@code ${VAR}} placeholders; they are plain YAML strings and stay as they are.
 */
public final class YamlValue {

    private static final Pattern DOCUMENT_SEPARATOR = Pattern.compile("(?m)^---[ \\t]*(#.*)?$");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private YamlValue() {
    }

    public static void main(String[] args) throws IOException {
        String file = null;
        String kind = null;
        String name = null;
        String path = null;
        String output = null;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--file" -> file = args[i + 1];
                case "--kind" -> kind = args[i + 1];
                case "--name" -> name = args[i + 1];
                case "--path" -> path = args[i + 1];
                case "--output" -> output = args[i + 1];
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        if (file == null || kind == null || name == null || path == null || output == null || args.length % 2 != 0) {
            throw new IllegalArgumentException(
                    "usage: YamlValue --file FILE --kind KIND --name NAME --path KEY[/KEY]... --output FILE");
        }
        List<JsonNode> matches = new ArrayList<>();
        for (String document : DOCUMENT_SEPARATOR.split(Files.readString(Path.of(file)))) {
            JsonNode object = YAML.readTree(document);
            if (object != null && object.isObject() && kind.equals(object.path("kind").asText())
                    && name.equals(object.path("metadata").path("name").asText())) {
                matches.add(object);
            }
        }
        if (matches.size() != 1) {
            throw new IllegalStateException(file + " has " + matches.size() + " " + kind + " named " + name);
        }
        JsonNode value = matches.get(0);
        // keys such as aws-ccm-external.yaml hold dots
        for (String key : path.split("/")) {
            value = value.path(key);
        }
        if (!value.isTextual()) {
            throw new IllegalStateException(kind + " " + name + " has no text at " + path);
        }
        String text = value.asText();
        Files.writeString(Path.of(output), text.endsWith("\n") ? text : text + "\n");
    }
}
