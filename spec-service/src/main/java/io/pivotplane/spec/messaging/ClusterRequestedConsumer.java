package io.pivotplane.spec.messaging;

import io.pivotplane.events.ClusterRequested;
import io.pivotplane.events.EventEnvelope;
import io.pivotplane.events.Topics;
import io.pivotplane.kit.messaging.EventConsumers;
import io.pivotplane.kit.messaging.Payloads;
import io.pivotplane.spec.service.SpecService;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;

/** Subscribes spec-service to {@code cluster.requested}. */
@ApplicationScoped
public class ClusterRequestedConsumer {

    private final EventConsumers consumers;
    private final SpecService specs;

    public ClusterRequestedConsumer(EventConsumers consumers, SpecService specs) {
        this.consumers = consumers;
        this.specs = specs;
    }

    void start(@Observes StartupEvent startup) {
        consumers.subscribe("requested", List.of(Topics.CLUSTER_REQUESTED), this::handle);
    }

    List<EventEnvelope<?>> handle(EventEnvelope<?> event) {
        return List.of(specs.createSpecs(event, Payloads.expect(event, ClusterRequested.class)));
    }
}
