package io.pivotplane.capi.components;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;

/**
 * A YAML text with clusterctl's variables ({@code ${VAR}}, {@code ${VAR:=default}}…), such as an upstream cluster
 * template or the manifests it carries: parsed once, rendered with values as clusterctl's simple processor does
 * ({@code cmd/clusterctl/client/yamlprocessor/simple_processor.go}).
 */
public final class ClusterctlTemplate {

    private final String name;
    private final Envsubst.Template template;

    private ClusterctlTemplate(String name, Envsubst.Template template) {
        this.name = name;
        this.template = template;
    }

    /**
     * @param name what the template is, for messages
     * @throws IllegalArgumentException where clusterctl could not parse a substitution
     */
    public static ClusterctlTemplate parse(String name, String text) {
        try {
            return new ClusterctlTemplate(name, Envsubst.parse(text));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + ": " + e.getMessage(), e);
        }
    }

    /** Each variable with its default, empty for none, in the order of their first appearance. */
    public Map<String, Optional<String>> variables() {
        Map<String, Optional<String>> variables = new LinkedHashMap<>();
        template.variables().forEach((variable, defaultText) ->
                variables.put(variable, Optional.of(defaultText).filter(d -> !d.isEmpty())));
        return variables;
    }

    /**
     * The text with every variable substituted.
     *
     * @param values a key that is present counts as set, even to {@code ""}
     * @throws MissingVariablesException naming every variable that has neither a value nor a default
     */
    public String process(Map<String, String> values) {
        TreeSet<String> missing = new TreeSet<>();
        template.variables().forEach((variable, defaultText) -> {
            if (values.get(variable) == null && defaultText.isEmpty()) {
                missing.add(variable);
            }
        });
        if (!missing.isEmpty()) {
            throw new MissingVariablesException(name, List.copyOf(missing));
        }
        return template.evaluate(variable -> Objects.requireNonNullElse(values.get(variable), ""));
    }

    /** The objects of {@link #process}'s text, as clusterctl reads a YAML stream. */
    public List<GenericKubernetesResource> render(Map<String, String> values) {
        return Bundle.parse(process(values));
    }

    @Override
    public String toString() {
        return name;
    }
}
