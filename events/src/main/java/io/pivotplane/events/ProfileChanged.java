package io.pivotplane.events;

import static io.pivotplane.events.Fields.required;

import io.pivotplane.events.model.Profile;
import java.time.Instant;

/**
 * A running cluster moved to another profile (a new version, or another profile): {@code profile} is what its
 * add-ons are to be now, {@code generation} counts the cluster's profiles (its first is 0), so that a late or
 * repeated change is told from the newest. Add-ons that changed are upgraded, new ones installed, those the profile
 * no longer has uninstalled; {@code AddonsInstalled} follows, as for the first install.
 */
public record ProfileChanged(String clusterId, long generation, Profile profile, Instant changedAt)
        implements ClusterEvent {

    public ProfileChanged {
        required(clusterId, "clusterId");
        required(profile, "profile");
        required(changedAt, "changedAt");
        if (generation < 1) {
            throw new IllegalArgumentException("generation of a changed profile must be at least 1, is " + generation);
        }
    }
}
