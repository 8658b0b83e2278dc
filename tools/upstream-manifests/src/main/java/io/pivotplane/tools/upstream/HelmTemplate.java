package io.pivotplane.tools.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * {@code helm template} of a chart directory, for bin/build-provider-components, which has no helm binary to run:
 * helm-java calls Helm's own Go library, so the rendering is Helm's.
 *
 * <pre>
 * HelmTemplate --chart DIR --name RELEASE --namespace NS [--values FILE] [--set KEY=VALUE]... [--only-crds] --output FILE
 * </pre>
 *
 * The output is what cert-manager's make/manifests.mk keeps of {@code helm template}: without the leading
 * {@code ---} line, and with {@code --only-crds} only the CustomResourceDefinitions, as its hack/extractcrd picks them
 * (documents split at {@code \n---}, each trimmed, joined by {@code ---} lines).
 */
public final class HelmTemplate {

    private static final Pattern DOCUMENT_SEPARATOR = Pattern.compile("\n---");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private HelmTemplate() {
    }

    public static void main(String[] args) throws IOException {
        Map<String, String> options = new LinkedHashMap<>();
        List<String[]> values = new ArrayList<>();
        boolean onlyCrds = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--chart", "--name", "--namespace", "--values", "--output" -> options.put(args[i], argument(args, ++i));
                case "--set" -> {
                    String assignment = argument(args, ++i);
                    int equals = assignment.indexOf('=');
                    if (equals < 1) {
                        throw usage("--set takes KEY=VALUE, not " + assignment);
                    }
                    values.add(new String[] {assignment.substring(0, equals), assignment.substring(equals + 1)});
                }
                case "--only-crds" -> onlyCrds = true;
                default -> throw usage("unknown argument " + args[i]);
            }
        }
        for (String required : List.of("--chart", "--name", "--namespace", "--output")) {
            if (!options.containsKey(required)) {
                throw usage("missing " + required);
            }
        }

        TemplateCommand template = new Helm(Path.of(options.get("--chart"))).template()
                .withName(options.get("--name"))
                .withNamespace(options.get("--namespace"));
        if (options.containsKey("--values")) {
            template = template.withValuesFile(Path.of(options.get("--values")));
        }
        for (String[] value : values) {
            template = template.set(value[0], value[1]);
        }
        String rendered = withoutLeadingSeparator(template.call());
        Files.writeString(Path.of(options.get("--output")), onlyCrds ? customResourceDefinitions(rendered) : rendered);
    }

    /** make/manifests.mk: {@code sed -e "1{/^---$/d;}"}. */
    static String withoutLeadingSeparator(String rendered) {
        return rendered.startsWith("---\n") ? rendered.substring(4) : rendered;
    }

    static String customResourceDefinitions(String rendered) throws IOException {
        List<String> crds = new ArrayList<>();
        for (String document : DOCUMENT_SEPARATOR.split(rendered, -1)) {
            JsonNode object = YAML.readTree(document);
            if (object != null && object.isObject()
                    && object.path("apiVersion").asText().startsWith("apiextensions.k8s.io/")
                    && object.path("kind").asText().equals("CustomResourceDefinition")) {
                String text = document.startsWith("---") ? document.substring(3) : document;
                crds.add(text.strip());
            }
        }
        if (crds.isEmpty()) {
            throw new IllegalStateException("the chart rendered no CustomResourceDefinition");
        }
        return String.join("\n---\n", crds) + "\n";
    }

    private static String argument(String[] args, int i) {
        if (i >= args.length) {
            throw usage(args[i - 1] + " needs a value");
        }
        return args[i];
    }

    private static IllegalArgumentException usage(String problem) {
        return new IllegalArgumentException(problem + "\nusage: HelmTemplate --chart DIR --name RELEASE --namespace NS"
                + " [--values FILE] [--set KEY=VALUE]... [--only-crds] --output FILE");
    }
}
