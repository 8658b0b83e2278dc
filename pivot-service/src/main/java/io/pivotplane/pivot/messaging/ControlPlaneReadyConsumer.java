package io.pivotplane.pivot.messaging;

import io.pivotplane.events.ControlPlaneReady;
import io.pivotplane.events.EventEnvelope;
import io.pivotplane.events.Topics;
import io.pivotplane.kit.messaging.EventConsumers;
import io.pivotplane.kit.messaging.Payloads;
import io.pivotplane.pivot.service.PivotService;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;

/** Subscribes pivot-service to {@code cluster.control-plane-ready}. */
@ApplicationScoped
public class ControlPlaneReadyConsumer {

    private final EventConsumers consumers;
    private final PivotService pivots;

    public ControlPlaneReadyConsumer(EventConsumers consumers, PivotService pivots) {
        this.consumers = consumers;
        this.pivots = pivots;
    }

    void start(@Observes StartupEvent startup) {
        consumers.subscribe("control-plane-ready", List.of(Topics.CLUSTER_CONTROL_PLANE_READY), this::handle);
    }

    /** The move publishes its own outcome, in the transaction that ends it. */
    List<EventEnvelope<?>> handle(EventEnvelope<?> event) throws Exception {
        pivots.pivot(event, Payloads.expect(event, ControlPlaneReady.class));
        return List.of();
    }
}
