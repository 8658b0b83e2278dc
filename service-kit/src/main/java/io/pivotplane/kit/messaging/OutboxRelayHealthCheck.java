package io.pivotplane.kit.messaging;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/**
 * Live while the relay thread runs. Kafka being unreachable does not make the service unhealthy: what the
 * service decides waits in the outbox, which is the point of it; the check says so in its data.
 */
@Liveness
@ApplicationScoped
public class OutboxRelayHealthCheck implements HealthCheck {

    private final OutboxRelay relay;

    public OutboxRelayHealthCheck(OutboxRelay relay) {
        this.relay = relay;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("outbox-relay")
                .status(relay.isRunning())
                .withData("kafkaReachable", relay.isKafkaReachable())
                .build();
    }
}
