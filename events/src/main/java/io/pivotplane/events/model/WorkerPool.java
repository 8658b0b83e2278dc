package io.pivotplane.events.model;

import static io.pivotplane.events.Fields.mapOrEmpty;
import static io.pivotplane.events.Fields.required;

import java.util.Map;

/** One pool of worker machines, a {@code MachineDeployment} in Cluster API. */
public record WorkerPool(String name, Integer replicas, Map<String, Object> machine) {

    public WorkerPool {
        required(name, "name");
        required(replicas, "replicas");
        machine = mapOrEmpty(machine);
    }
}
