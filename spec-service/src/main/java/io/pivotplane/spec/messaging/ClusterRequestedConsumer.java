package io.pivotplane.spec.messaging;

import io.pivotplane.events.ClusterDeletionRequested;
import io.pivotplane.events.ClusterRequested;
import io.pivotplane.events.EventEnvelope;
import io.pivotplane.kit.messaging.EventConsumers;
import io.pivotplane.kit.messaging.Payloads;
import io.pivotplane.spec.persistence.DeletedClusters;
import io.pivotplane.spec.service.SpecService;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Subscribes spec-service to {@code cluster.requested}, and to {@code cluster.deletion-requested}, after which a
 * cluster's objects are not created any more (its deletion may have been handled before its request).
 */
@ApplicationScoped
public class ClusterRequestedConsumer {

    private static final Logger LOG = Logger.getLogger(ClusterRequestedConsumer.class);

    private final EventConsumers consumers;
    private final SpecService specs;
    private final DeletedClusters deleted;

    public ClusterRequestedConsumer(EventConsumers consumers, SpecService specs, DeletedClusters deleted) {
        this.consumers = consumers;
        this.specs = specs;
        this.deleted = deleted;
    }

    void start(@Observes StartupEvent startup) {
        consumers.subscribe("requested", this::handle);
        consumers.subscribeTransactional("deletion-requested", (event, tx) -> {
            DeletedClusters.record(tx, Payloads.expect(event, ClusterDeletionRequested.class).clusterId());
            return List.of();
        });
    }

    List<EventEnvelope<?>> handle(EventEnvelope<?> event) throws Exception {
        ClusterRequested requested = Payloads.expect(event, ClusterRequested.class);
        if (deleted.contains(requested.clusterId())) {
            LOG.infof("%s/%s was deleted before its objects were created: nothing to create",
                    requested.spec().project(), requested.spec().name());
            return List.of();
        }
        return List.of(specs.createSpecs(event, requested));
    }

    @Incoming("requested")
    @Blocking
    public void requested(ConsumerRecord<byte[], byte[]> record) throws InterruptedException {
        consumers.process("requested", record);
    }

    @Incoming("deletion-requested")
    @Blocking
    public void deletionRequested(ConsumerRecord<byte[], byte[]> record) throws InterruptedException {
        consumers.process("deletion-requested", record);
    }
}
