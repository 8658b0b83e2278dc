package io.pivotplane.events.model;

import static io.pivotplane.events.Fields.required;

import com.fasterxml.jackson.annotation.JsonEnumDefaultValue;

/** The outcome of installing one add-on, as its agent reported it. */
public record AddonResult(String name, State state, String message) {

    public enum State {
        INSTALLED,
        FAILED,
        @JsonEnumDefaultValue
        UNKNOWN
    }

    public AddonResult {
        required(name, "name");
        required(state, "state");
    }
}
