package io.pivotplane.kit.messaging;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.pivotplane.events.EventEnvelope;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;

/**
 * The messaging metrics of every service, under one prefix ({@code pivotplane_} in Prometheus):
 * <ul>
 *   <li>{@code pivotplane_events_consumed_total{consumer, type, outcome}}: handled, duplicate or dead_lettered;</li>
 *   <li>{@code pivotplane_events_handling_seconds{consumer, type, outcome}}: from the event's time (when its producer
 *       wrote it) to its handling's end, so the queueing counts: the handoff of a stage;</li>
 *   <li>{@code pivotplane_events_produced_total{type, outcome}}: published or failed, by the outbox relay;</li>
 *   <li>{@code pivotplane_events_dead_lettered_total{consumer, topic}};</li>
 *   <li>{@code pivotplane_consumer_retries_total{consumer, channel}}: a record whose handling failed outside its
 *       handler (the inbox, a bug) and was tried again.</li>
 * </ul>
 */
@ApplicationScoped
public class MessagingMetrics {

    public enum Outcome {
        HANDLED, DUPLICATE, DEAD_LETTERED,
        /** Not needed by the subscription (an agent's heartbeat among its reports): read, left out of the inbox. */
        PASSED_OVER;

        String tag() {
            return name().toLowerCase();
        }
    }

    static final String UNREADABLE = "unreadable";

    private final MeterRegistry registry;

    public MessagingMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void consumed(String consumer, EventEnvelope<?> event, Outcome outcome) {
        String type = event == null ? UNREADABLE : event.type().ceType();
        Counter.builder("pivotplane.events.consumed")
                .description("Events a consumer group took from Kafka, by type and outcome")
                .tag("consumer", consumer).tag("type", type).tag("outcome", outcome.tag())
                .register(registry).increment();
        if (event != null && outcome != Outcome.DUPLICATE) {
            Duration sinceWritten = Duration.between(event.time(), Instant.now());
            Timer.builder("pivotplane.events.handling")
                    .description("From an event's time to the end of its handling: queueing and work")
                    .tag("consumer", consumer).tag("type", type).tag("outcome", outcome.tag())
                    .publishPercentileHistogram()
                    .register(registry).record(sinceWritten.isNegative() ? Duration.ZERO : sinceWritten);
        }
    }

    void deadLettered(String consumer, String topic) {
        deadLetters(consumer, topic).increment();
    }

    /** Registered at subscription, so that the series exists at 0 and an alert on it can fire from the first one. */
    Counter deadLetters(String consumer, String topic) {
        return Counter.builder("pivotplane.events.dead.lettered")
                .description("Messages sent to a dead-letter topic, with the reason in their headers")
                .tag("consumer", consumer).tag("topic", topic)
                .register(registry);
    }

    void handlingRetried(String consumer, String channel) {
        Counter.builder("pivotplane.consumer.retries")
                .description("Records whose handling failed outside their handler and were tried again")
                .tag("consumer", consumer).tag("channel", channel)
                .register(registry).increment();
    }

    void produced(String type, boolean published) {
        Counter.builder("pivotplane.events.produced")
                .description("Events the outbox relay handed to Kafka, by type and outcome")
                .tag("type", type).tag("outcome", published ? "published" : "failed")
                .register(registry).increment();
    }
}
