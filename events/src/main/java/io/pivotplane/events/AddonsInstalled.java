package io.pivotplane.events;

import static io.pivotplane.events.Fields.listOrEmpty;
import static io.pivotplane.events.Fields.required;

import io.pivotplane.events.model.AddonResult;
import java.time.Instant;
import java.util.List;

/** Every add-on of the cluster's profile reported installed: the last stage. */
public record AddonsInstalled(String clusterId, List<AddonResult> addons, Instant installedAt) implements ClusterEvent {

    public AddonsInstalled {
        required(clusterId, "clusterId");
        addons = listOrEmpty(addons);
        required(installedAt, "installedAt");
    }
}
