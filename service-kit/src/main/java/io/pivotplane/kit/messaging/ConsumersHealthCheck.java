package io.pivotplane.kit.messaging;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready while every consumer thread runs: a service whose consumer died must not look healthy. */
@Readiness
@ApplicationScoped
public class ConsumersHealthCheck implements HealthCheck {

    private final EventConsumers consumers;

    public ConsumersHealthCheck(EventConsumers consumers) {
        this.consumers = consumers;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("event-consumers")
                .status(consumers.allRunning())
                .withData("stopped", String.join(",", consumers.notRunning()))
                .build();
    }
}
