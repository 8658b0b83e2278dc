package io.pivotplane.addon.messaging;

import io.pivotplane.addon.service.AddonService;
import io.pivotplane.kit.messaging.EventConsumers;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Subscribes addon-service to the profile ({@code cluster.requested}), the pivot ({@code cluster.pivoted}) and
 * the agents' reports; each event changes the plan in the same transaction that records it as processed.
 */
@ApplicationScoped
public class AddonEventsConsumer {

    private final EventConsumers consumers;
    private final AddonService addons;

    public AddonEventsConsumer(EventConsumers consumers, AddonService addons) {
        this.consumers = consumers;
        this.addons = addons;
    }

    void start(@Observes StartupEvent startup) {
        consumers.subscribeTransactional("addon-plans", AddonService::needs, addons::on);
    }

    @Incoming("addon-plans")
    @Blocking
    public void addonPlans(ConsumerRecord<byte[], byte[]> record) throws InterruptedException {
        consumers.process("addon-plans", record);
    }
}
