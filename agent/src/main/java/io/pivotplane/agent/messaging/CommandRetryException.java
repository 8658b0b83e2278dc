package io.pivotplane.agent.messaging;

/**
 * A command handler could not take its command now (its answer could not be sent, or what the command carries could
 * not be kept in the cluster yet): the channel hands the command over again after a pause, before any later one, and
 * does not count it as read until then, so that a restart meanwhile reads it again.
 */
public class CommandRetryException extends IllegalStateException {

    public CommandRetryException(String message, Throwable cause) {
        super(message, cause);
    }
}
