package io.pivotplane.pivot.messaging;

import io.pivotplane.events.ClusterDeletionRequested;
import io.pivotplane.events.EventEnvelope;
import io.pivotplane.kit.messaging.EventConsumers;
import io.pivotplane.kit.messaging.Payloads;
import io.pivotplane.pivot.service.DeprovisionService;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

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
        consumers.subscribe("deletion-requested", this::requested);
    }

    /** The deletion publishes its own outcome, in the transaction that ends it. */
    List<EventEnvelope<?>> requested(EventEnvelope<?> event) throws Exception {
        deprovisioning.requested(event, Payloads.expect(event, ClusterDeletionRequested.class));
        return List.of();
    }

    @Incoming("deletion-requested")
    @Blocking
    public void deletionRequested(ConsumerRecord<byte[], byte[]> record) throws InterruptedException {
        consumers.process("deletion-requested", record);
    }
}
