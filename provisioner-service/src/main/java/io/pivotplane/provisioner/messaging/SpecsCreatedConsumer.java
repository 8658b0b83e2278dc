package io.pivotplane.provisioner.messaging;

import io.pivotplane.events.ClusterDeletionRequested;
import io.pivotplane.events.EventEnvelope;
import io.pivotplane.events.SpecsCreated;
import io.pivotplane.kit.messaging.EventConsumers;
import io.pivotplane.kit.messaging.Payloads;
import io.pivotplane.provisioner.service.ProvisionerService;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

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
        consumers.subscribe("specs-created", this::handle);
        consumers.subscribe("deletion-requested", event -> {
            provisioner.stopWatching(event, Payloads.expect(event, ClusterDeletionRequested.class));
            return List.of();
        });
    }

    List<EventEnvelope<?>> handle(EventEnvelope<?> event) throws Exception {
        provisioner.watch(event, Payloads.expect(event, SpecsCreated.class));
        return List.of();
    }

    @Incoming("specs-created")
    @Blocking
    public void specsCreated(ConsumerRecord<byte[], byte[]> record) throws InterruptedException {
        consumers.process("specs-created", record);
    }

    @Incoming("deletion-requested")
    @Blocking
    public void deletionRequested(ConsumerRecord<byte[], byte[]> record) throws InterruptedException {
        consumers.process("deletion-requested", record);
    }
}
