package io.pivotplane.capi;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.stream.Collectors;

/** Kubernetes manifests as YAML that reads back to the same values (a string of digits stays a string). */
public final class Manifests {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
            .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
            .disable(YAMLGenerator.Feature.SPLIT_LINES))
            .setSerializationInclusion(JsonInclude.Include.NON_NULL);

    private Manifests() {
    }

    public static String yaml(Object manifest) {
        try {
            return YAML.writeValueAsString(manifest);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Several manifests as one multi-document YAML stream, as {@code kubectl apply -f} reads it. */
    public static String yamlStream(List<?> manifests) {
        return manifests.stream().map(m -> "---\n" + yaml(m)).collect(Collectors.joining());
    }
}
