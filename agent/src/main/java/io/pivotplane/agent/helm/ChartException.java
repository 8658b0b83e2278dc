package io.pivotplane.agent.helm;

/** A chart that cannot be fetched or rendered; the message says why, for the add-on's result. */
public class ChartException extends RuntimeException {

    public ChartException(String message) {
        super(message);
    }

    public ChartException(String message, Throwable cause) {
        super(message, cause);
    }
}
