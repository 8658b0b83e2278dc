package io.pivotplane.provisioner.messaging;

import io.pivotplane.events.ClusterDeletionRequested;
import io.pivotplane.events.EventEnvelope;
import io.pivotplane.events.SpecsCreated;
import io.pivotplane.events.Topics;
import io.pivotplane.kit.messaging.EventConsumers;
import io.pivotplane.kit.messaging.Payloads;
import io.pivotplane.provisioner.service.ProvisionerService;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;

/**
 * Subscribes provisioner-service to {@code cluster.specs-created}, once its watches are resumed, and to
 * {@code cluster.deletion-requested}, which ends a watch.
 */
@ApplicationScoped
public class SpecsCreatedConsumer {

    private final EventConsumers consumers;
    private final ProvisionerService provisioner;

    public SpecsCreatedConsumer(EventConsumers consumers, ProvisionerService provisioner) {
        this.consumers = consumers;
        this.provisioner = provisioner;
    }

    void start(@Observes StartupEvent startup) throws Exception {
        provisioner.start();
        consumers.subscribe("specs-created", List.of(Topics.CLUSTER_SPECS_CREATED), this::handle);
        consumers.subscribe("deletion-requested", List.of(Topics.CLUSTER_DELETION_REQUESTED), event -> {
            provisioner.stopWatching(event, Payloads.expect(event, ClusterDeletionRequested.class));
            return List.of();
        });
    }

    List<EventEnvelope<?>> handle(EventEnvelope<?> event) throws Exception {
        provisioner.watch(event, Payloads.expect(event, SpecsCreated.class));
        return List.of();
    }
}
