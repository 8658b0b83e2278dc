package io.pivotplane.kit.messaging;

/** An event that no retry can handle (it contradicts the state, or names what does not exist). */
public class PermanentEventException extends RuntimeException {

    public PermanentEventException(String message) {
        super(message);
    }

    public PermanentEventException(String message, Throwable cause) {
        super(message, cause);
    }
}
