package io.pivotplane.events;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * The stages of a cluster, in the order of operations. {@link #FAILED} can follow any stage and only a deletion
 * follows it; {@link #DELETING} can follow any stage; {@link #DELETED} is the end.
 * The one vocabulary of stage names for every service, the API and the status page.
 */
public enum Stage {
    REQUESTED("Requested"),
    SPECS_CREATED("SpecsCreated"),
    CONTROL_PLANE_READY("ControlPlaneReady"),
    PIVOTED("Pivoted"),
    ADDONS_INSTALLED("AddonsInstalled"),
    DELETING("Deleting"),
    DELETED("Deleted"),
    FAILED("Failed");

    private final String displayName;

    Stage(String displayName) {
        this.displayName = displayName;
    }

    /** The name shown to users and used in JSON, e.g. {@code ControlPlaneReady}. */
    public String displayName() {
        return displayName;
    }

    @JsonValue
    public String toJson() {
        return displayName;
    }

    @JsonCreator
    public static Stage fromDisplayName(String name) {
        for (Stage stage : values()) {
            if (stage.displayName.equals(name) || stage.name().equals(name)) {
                return stage;
            }
        }
        throw new IllegalArgumentException("unknown stage '" + name + "'");
    }
}
