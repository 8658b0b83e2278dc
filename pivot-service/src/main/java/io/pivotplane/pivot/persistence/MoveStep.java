package io.pivotplane.pivot.persistence;

import java.util.List;

/**
 * The steps of a move, in order; each is recorded when it is complete, so a restarted pivot-service goes on with the
 * next. A pivot takes all of them; a reverse pivot (back into the management cluster, which already runs every
 * provider) only those of {@link Direction#REVERSE_PIVOT}'s list.
 */
public enum MoveStep {
    STARTED,
    /** The agent runs on the first control-plane node, on the host's network. */
    AGENT_INSTALLED,
    /** The bootstrap layer (the profile's network plugin, the cloud's controller manager) is applied. */
    BOOTSTRAP_APPLIED,
    /** The bootstrap layer is rolled out, and the agent moved onto the pod network. */
    BOOTSTRAP_READY,
    /** clusterctl's provisioning check passed in the source: infrastructure, control plane, every Machine's node. */
    PROVISIONED,
    CERT_MANAGER_APPLIED,
    CERT_MANAGER_READY,
    /** The cluster's providers, as {@code clusterctl init} installs them, are applied in the target. */
    PROVIDERS_APPLIED,
    /** They run, and the target has every provider the moved objects need, at the source's version or newer. */
    PROVIDERS_READY,
    PAUSED,
    COLLECTED,
    CREATED,
    DELETED,
    UNPAUSED,
    DONE,
    FAILED;

    /** The reverse pivot's steps: the management cluster needs nothing installed. */
    static final List<MoveStep> REVERSE_PIVOT_STEPS = List.of(STARTED, PROVISIONED, PROVIDERS_READY, PAUSED,
            COLLECTED, CREATED, DELETED, UNPAUSED, DONE);

    public boolean reached(MoveStep step) {
        return this != FAILED && ordinal() >= step.ordinal();
    }

    public boolean ended() {
        return this == DONE || this == FAILED;
    }

    /** Whether nothing of the source has changed yet: a failure now leaves the cluster where it was. */
    public boolean beforePause() {
        return ordinal() < PAUSED.ordinal();
    }
}
