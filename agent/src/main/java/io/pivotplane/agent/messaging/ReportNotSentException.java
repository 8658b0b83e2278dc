package io.pivotplane.agent.messaging;

/**
 * A report Kafka did not take. The command it answered is handed to the agent again: the only failure of a handler
 * that a channel retries, so that a command the agent cannot execute never holds up the ones after it.
 */
public class ReportNotSentException extends IllegalStateException {

    public ReportNotSentException(String message, Throwable cause) {
        super(message, cause);
    }
}
