package io.pivotplane.addon.messaging;

import io.pivotplane.addon.service.AddonService;
import io.pivotplane.events.Topics;
import io.pivotplane.kit.messaging.EventConsumers;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;

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
        consumers.subscribeTransactional("addon-plans",
                List.of(Topics.CLUSTER_REQUESTED, Topics.CLUSTER_PIVOTED, Topics.AGENT_REPORTS), AddonService::needs,
                addons::on);
    }
}
