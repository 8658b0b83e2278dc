package io.pivotplane.agent.messaging;

import io.pivotplane.events.AgentReport;
import io.pivotplane.events.EventEnvelope;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * How an agent hears its cluster's commands and sends its reports: in production Kafka clients of its own
 * ({@link KafkaAgentChannel}); the local stack's simulator may share clients among the agents of many simulated
 * clusters in one JVM.
 */
public interface AgentChannel extends AutoCloseable {

    /** How long a channel waits before it hands over again a command its handler could not take. */
    Duration RETRY_PAUSE = Duration.ofSeconds(1);

    /**
     * Starts handing the commands keyed to this channel's cluster to {@code handler}, one at a time and in order,
     * on a thread of the channel. A command whose handler throws {@link CommandRetryException} (such as
     * {@link ReportNotSentException}) is handed over again,
     * after a pause, before any later one; one whose handler fails otherwise is logged and passed over, and the
     * channel goes on reading.
     */
    void receive(Consumer<EventEnvelope<?>> handler);

    /**
     * Sends a report, keyed by its cluster's id, and returns once Kafka has it.
     *
     * @throws ReportNotSentException when it cannot be sent
     */
    void send(EventEnvelope<AgentReport> report);

    /** Whether commands still reach the handler: false once the channel failed for good or was closed. */
    boolean isReceiving();

    @Override
    void close();
}
