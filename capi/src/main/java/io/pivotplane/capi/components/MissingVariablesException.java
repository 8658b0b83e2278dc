package io.pivotplane.capi.components;

import java.util.List;

/**
 * Variables of a component's YAML that have neither a value nor a default, as clusterctl refuses them
 * ({@code cmd/clusterctl/client/yamlprocessor/simple_processor.go}, errMissingVariables).
 */
public final class MissingVariablesException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final String component;
    private final List<String> variables;

    public MissingVariablesException(String component, List<String> variables) {
        super("value for variables [" + String.join(", ", variables.stream().sorted().toList()) + "] of " + component
                + " is not set");
        this.component = component;
        this.variables = variables.stream().sorted().toList();
    }

    /** The component's manifest label, e.g. {@code infrastructure-vsphere}, or the template's name. */
    public String component() {
        return component;
    }

    /** The missing variables, sorted. */
    public List<String> variables() {
        return variables;
    }
}
