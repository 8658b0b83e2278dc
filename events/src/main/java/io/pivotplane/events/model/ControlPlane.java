package io.pivotplane.events.model;

import static io.pivotplane.events.Fields.mapOrEmpty;
import static io.pivotplane.events.Fields.required;

import java.util.Map;

/** The control plane at its desired size; {@code machine} holds the provider's machine fields. */
public record ControlPlane(Integer replicas, Map<String, Object> machine) {

    public ControlPlane {
        required(replicas, "replicas");
        machine = mapOrEmpty(machine);
    }
}
