package io.pivotplane.capi.components;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.pivotplane.capi.ObjectMaps;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * One components file, read once: its YAML documents, each either fixed (no variable in it: parsed here, copied
 * for every render) or a template (substituted and parsed for every render). clusterctl substitutes the whole file
 * and splits it afterwards; doing it per document gives the same text, as no substitution spans a document
 * separator, and spares parsing the CRDs, which make up most of each file, again for every render.
 */
final class Bundle {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /**
     * A document of the file. {@code template} is null where variables are not processed (cert-manager's file,
     * which clusterctl applies as it is); {@code fixed} is null where the document has substitutions;
     * {@code probe} is the document with every variable at its default or empty, to tell what it holds.
     */
    record Document(Envsubst.Template template, List<GenericKubernetesResource> fixed,
                    List<GenericKubernetesResource> probe) {

        boolean hasSubstitutions() {
            return fixed == null;
        }

        List<GenericKubernetesResource> objects(Function<String, String> values) {
            return fixed != null ? copies(fixed) : parse(template.evaluate(values));
        }
    }

    private final String origin;
    private final List<Document> documents;

    private Bundle(String origin, List<Document> documents) {
        this.origin = origin;
        this.documents = documents;
    }

    /**
     * @param processVariables whether clusterctl runs its variable substitution over this file (it does for
     *     providers' components, not for cert-manager's)
     */
    static Bundle read(String origin, String text, boolean processVariables) {
        List<Document> documents = new ArrayList<>();
        for (String document : documents(text)) {
            try {
                // without a '$' envsubst's output is its input
                if (!processVariables || document.indexOf('$') < 0) {
                    List<GenericKubernetesResource> objects = parse(document);
                    documents.add(new Document(null, objects, objects));
                    continue;
                }
                Envsubst.Template template = Envsubst.parse(document);
                if (template.hasSubstitutions()) {
                    documents.add(new Document(template, null, parse(template.evaluate(name -> ""))));
                } else {
                    // still evaluated: envsubst turns $$ into $ (e.g. in the CRDs' descriptions of $$(VAR_NAME))
                    List<GenericKubernetesResource> objects = parse(template.evaluate(name -> ""));
                    documents.add(new Document(template, objects, objects));
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(origin + ": " + e.getMessage(), e);
            }
        }
        return new Bundle(origin, List.copyOf(documents));
    }

    String origin() {
        return origin;
    }

    List<Document> documents() {
        return documents;
    }

    /**
     * The documents of a YAML stream, split where apimachinery's YAMLReader splits them (the reader clusterctl's
     * util/yaml.ToUnstructured uses): at lines that start with {@code ---} followed by nothing but spaces or a
     * comment.
     */
    static List<String> documents(String text) {
        List<String> documents = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        int start = 0;
        while (start < text.length()) {
            int end = text.indexOf('\n', start);
            int next = end < 0 ? text.length() : end + 1;
            String line = text.substring(start, end < 0 ? text.length() : end);
            if (line.startsWith("---")) {
                String rest = line.substring(3).strip();
                if (!rest.isEmpty() && !rest.startsWith("#")) {
                    throw new IllegalArgumentException("invalid YAML document separator: " + line);
                }
                if (!current.isEmpty()) {
                    documents.add(current.toString());
                    current.setLength(0);
                }
            } else {
                current.append(text, start, next);
            }
            start = next;
        }
        if (!current.isEmpty()) {
            documents.add(current.toString());
        }
        return documents;
    }

    /** The objects of a YAML text; documents without an object (comments only) give none, as in clusterctl. */
    static List<GenericKubernetesResource> parse(String text) {
        List<GenericKubernetesResource> objects = new ArrayList<>();
        for (String document : documents(text)) {
            if (!hasContent(document)) {
                continue;
            }
            try {
                GenericKubernetesResource object = YAML.readValue(document, GenericKubernetesResource.class);
                if (object != null) {
                    objects.add(object);
                }
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException("not YAML: " + e.getOriginalMessage(), e);
            }
        }
        return objects;
    }

    /** Whether a document has more than blank lines and comments. */
    private static boolean hasContent(String document) {
        for (String line : document.split("\n", -1)) {
            String stripped = line.strip();
            if (!stripped.isEmpty() && !stripped.startsWith("#")) {
                return true;
            }
        }
        return false;
    }

    static List<GenericKubernetesResource> copies(List<GenericKubernetesResource> objects) {
        List<GenericKubernetesResource> copies = new ArrayList<>(objects.size());
        for (GenericKubernetesResource object : objects) {
            copies.add(ObjectMaps.copy(object));
        }
        return copies;
    }
}
