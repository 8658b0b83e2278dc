package io.pivotplane.pivot.messaging;

import io.pivotplane.events.ControlPlaneReady;
import io.pivotplane.events.EventEnvelope;
import io.pivotplane.kit.messaging.EventConsumers;
import io.pivotplane.kit.messaging.Payloads;
import io.pivotplane.pivot.persistence.Direction;
import io.pivotplane.pivot.service.DeprovisionService;
import io.pivotplane.pivot.service.PivotService;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/** Subscribes pivot-service to {@code cluster.control-plane-ready}. */
@ApplicationScoped
public class ControlPlaneReadyConsumer {

    private static final Logger LOG = Logger.getLogger(ControlPlaneReadyConsumer.class);

    private final EventConsumers consumers;
    private final PivotService pivots;
    private final DeprovisionService deprovisioning;

    public ControlPlaneReadyConsumer(EventConsumers consumers, PivotService pivots,
                                     DeprovisionService deprovisioning) {
        this.consumers = consumers;
        this.pivots = pivots;
        this.deprovisioning = deprovisioning;
    }

    void start(@Observes StartupEvent startup) {
        consumers.subscribe("control-plane-ready", this::handle);
    }

    /**
     * Records the move and hands it to the reconcile loop: the consumer never waits for a cluster. The move publishes
     * its own outcome, in the transaction that ends it.
     */
    List<EventEnvelope<?>> handle(EventEnvelope<?> event) throws Exception {
        ControlPlaneReady ready = Payloads.expect(event, ControlPlaneReady.class);
        if (pivots.find(ready.clusterId(), Direction.PIVOT).isEmpty()
                && deprovisioning.deletionRequested(ready.clusterId())) {
            LOG.infof("%s is to be deleted: it does not move", ready.clusterId());
            return List.of();
        }
        pivots.pivot(event, ready);
        return List.of();
    }

    @Incoming("control-plane-ready")
    @Blocking
    public void controlPlaneReady(ConsumerRecord<byte[], byte[]> record) throws InterruptedException {
        consumers.process("control-plane-ready", record);
    }
}
