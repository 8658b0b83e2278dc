package io.pivotplane.events;

/** A required field of an event or of one of its parts is absent. */
public class MissingFieldException extends IllegalArgumentException {

    private final String field;

    public MissingFieldException(String field) {
        super("missing required field '" + field + "'");
        this.field = field;
    }

    public String field() {
        return field;
    }
}
