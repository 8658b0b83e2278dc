package io.pivotplane.pivot.messaging;

import io.pivotplane.events.ClusterDeletionRequested;
import io.pivotplane.events.EventEnvelope;
import io.pivotplane.events.Topics;
import io.pivotplane.kit.messaging.EventConsumers;
import io.pivotplane.kit.messaging.Payloads;
import io.pivotplane.pivot.service.DeprovisionService;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;

/** Subscribes pivot-service to deletion requests. */
@ApplicationScoped
public class DeletionConsumer {

    private final EventConsumers consumers;
    private final DeprovisionService deprovisioning;

    public DeletionConsumer(EventConsumers consumers, DeprovisionService deprovisioning) {
        this.consumers = consumers;
        this.deprovisioning = deprovisioning;
    }

    void start(@Observes StartupEvent startup) {
        consumers.subscribe("deletion-requested", List.of(Topics.CLUSTER_DELETION_REQUESTED), this::requested);
    }

    /** The deletion publishes its own outcome, in the transaction that ends it. */
    List<EventEnvelope<?>> requested(EventEnvelope<?> event) throws Exception {
        deprovisioning.requested(event, Payloads.expect(event, ClusterDeletionRequested.class));
        return List.of();
    }
}
