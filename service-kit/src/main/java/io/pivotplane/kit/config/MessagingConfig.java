package io.pivotplane.kit.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.net.URI;
import java.time.Duration;

/** How a service consumes and publishes events, under {@code pivotplane.messaging.*}. */
@ConfigMapping(prefix = "pivotplane.messaging")
public interface MessagingConfig {

    /** The CloudEvents {@code source} of the events this service publishes. */
    @WithDefault("/pivotplane/${quarkus.application.name}")
    URI eventSource();

    Outbox outbox();

    Consumer consumer();

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

        /** How long rows may wait without the relay publishing any before its health check says DOWN. */
        @WithDefault("2m")
        Duration stallAfter();

        /** How long published events and the inbox's entries stay in their tables before they are removed. */
        @WithDefault("P7D")
        Duration retention();
    }

    /** The consumers of the service's subscriptions. */
    interface Consumer {

        /** The Kafka consumer group; replicas of a service share it. */
        @WithDefault("${quarkus.application.name}")
        String group();

        /**
         * Consumers per subscription (the channels' {@code concurrency}); each takes a share of the partitions, so
         * more consumers than partitions idle. Events of one cluster stay on one partition, hence in order.
         */
        @WithDefault("3")
        int concurrency();

        /** Attempts at an event whose handling fails with a transient error, before it is dead-lettered. */
        @WithDefault("5")
        int maxAttempts();

        /** Wait before the first retry; it doubles with each attempt. */
        @WithDefault("500ms")
        Duration retryBackoff();
    }
}
