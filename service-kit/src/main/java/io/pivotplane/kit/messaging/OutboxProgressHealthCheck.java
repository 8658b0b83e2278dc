package io.pivotplane.kit.messaging;

import io.smallrye.health.api.Wellness;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;

/**
 * DOWN while outbox rows have waited longer than {@code pivotplane.messaging.outbox.stall-after} without the relay
 * publishing any: what the service decided is not reaching the others. A wellness check ({@code /q/health/well}
 * and {@code /q/health}), for alerts and people: neither a restart nor taking the service out of its load balancer
 * brings Kafka back, and requests are still to be accepted meanwhile.
 */
@Wellness
@ApplicationScoped
public class OutboxProgressHealthCheck implements HealthCheck {

    private final OutboxRelay relay;

    public OutboxProgressHealthCheck(OutboxRelay relay) {
        this.relay = relay;
    }

    @Override
    public HealthCheckResponse call() {
        var stalled = relay.stalledFor();
        return HealthCheckResponse.named("outbox-progress")
                .status(stalled.compareTo(relay.stallAfter()) < 0)
                .withData("stalledSeconds", stalled.toSeconds())
                .withData("kafkaReachable", relay.isKafkaReachable())
                .build();
    }
}
