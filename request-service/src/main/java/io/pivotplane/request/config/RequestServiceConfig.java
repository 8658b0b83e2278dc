package io.pivotplane.request.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.net.URI;
import java.time.Duration;

/** Settings of request-service, under {@code pivotplane.*}. Connection URLs come from the environment. */
@ConfigMapping(prefix = "pivotplane")
public interface RequestServiceConfig {

    /** The CloudEvents {@code source} of the events this service publishes. */
    @WithDefault("/pivotplane/request-service")
    URI eventSource();

    Outbox outbox();

    /** The relay that moves events from the outbox table to Kafka. */
    interface Outbox {

        /** How often the relay looks for events nobody woke it up for (e.g. written by another replica). */
        @WithDefault("1s")
        Duration pollInterval();

        /** Events sent to Kafka per database transaction. */
        @WithDefault("200")
        int batchSize();

        /** How long Kafka may take to accept a batch before the relay gives up on it and retries later. */
        @WithDefault("10s")
        Duration sendTimeout();

        /** Longest wait between attempts while Kafka is unreachable. */
        @WithDefault("5s")
        Duration maxBackoff();

        /** How long published events stay in the table, for inspection, before they are removed. */
        @WithDefault("P1D")
        Duration retention();
    }
}
