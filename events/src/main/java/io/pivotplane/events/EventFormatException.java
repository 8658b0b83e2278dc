package io.pivotplane.events;

/** A message that is not a valid event: unknown type, malformed JSON, or a required field missing. */
public class EventFormatException extends RuntimeException {

    public EventFormatException(String message) {
        super(message);
    }

    public EventFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
