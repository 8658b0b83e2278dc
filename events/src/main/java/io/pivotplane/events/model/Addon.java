package io.pivotplane.events.model;

import static io.pivotplane.events.Fields.listOrEmpty;
import static io.pivotplane.events.Fields.required;

import java.util.List;

/**
 * One add-on of a profile. {@code layer} orders installation: {@code cni}, then {@code csi}, then every other
 * layer ({@code addon} when none is given). {@code manifests} are Kubernetes YAML documents the agent applies.
 */
public record Addon(String name, String layer, String version, List<String> manifests) {

    public static final String LAYER_CNI = "cni";
    public static final String LAYER_CSI = "csi";
    public static final String LAYER_DEFAULT = "addon";

    public Addon {
        required(name, "name");
        layer = layer == null || layer.isBlank() ? LAYER_DEFAULT : layer;
        manifests = listOrEmpty(manifests);
    }
}
