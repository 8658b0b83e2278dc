package io.pivotplane.events;

import static io.pivotplane.events.Fields.listOrEmpty;
import static io.pivotplane.events.Fields.required;

import io.pivotplane.events.model.AddonResult;
import java.time.Instant;
import java.util.List;

/**
 * Every add-on of the cluster's profile reported installed (or degraded, where it may be): the last stage, and again
 * after each profile change, {@code generation} saying of which profile (0: the cluster's first).
 */
public record AddonsInstalled(String clusterId, List<AddonResult> addons, Instant installedAt, long generation)
        implements ClusterEvent {

    public AddonsInstalled {
        required(clusterId, "clusterId");
        addons = listOrEmpty(addons);
        required(installedAt, "installedAt");
    }

    /** The add-ons of the cluster's first profile. */
    public AddonsInstalled(String clusterId, List<AddonResult> addons, Instant installedAt) {
        this(clusterId, addons, installedAt, 0);
    }
}
