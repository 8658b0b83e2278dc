package io.pivotplane.events.model;

import static io.pivotplane.events.Fields.required;

import com.fasterxml.jackson.annotation.JsonEnumDefaultValue;

/** The outcome of installing one add-on, as its agent reported it. */
public record AddonResult(String name, State state, String message) {

    public enum State {
        INSTALLED,
        FAILED,
        /** Failed after its retries, but allowed to ({@code continueOnError}): the cluster is installed without it. */
        DEGRADED,
        /** Installed, then changed or deleted in the cluster, and put back by the agent; the message says what. */
        REPAIRED,
        /** Uninstalled: what it had applied is deleted from the cluster. */
        REMOVED,
        @JsonEnumDefaultValue
        UNKNOWN
    }

    public AddonResult {
        required(name, "name");
        required(state, "state");
    }
}
