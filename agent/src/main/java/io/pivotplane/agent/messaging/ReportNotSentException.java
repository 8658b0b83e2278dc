package io.pivotplane.agent.messaging;

/**
 * A report Kafka did not take. The command it answered is handed to the agent again (a {@link CommandRetryException});
 * any other failure of a handler is passed over, so that a command the agent cannot execute never holds up the ones
 * after it.
 */
public class ReportNotSentException extends CommandRetryException {

    public ReportNotSentException(String message, Throwable cause) {
        super(message, cause);
    }
}
