package io.pivotplane.request.messaging;

import io.pivotplane.events.Topics;
import io.pivotplane.kit.messaging.EventConsumers;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;

/** Subscribes request-service to every stage of the pipeline, to keep each cluster's stage and timeline. */
@ApplicationScoped
public class ClusterEventsConsumer {

    static final List<String> STAGE_TOPICS = List.of(Topics.CLUSTER_REQUESTED, Topics.CLUSTER_SPECS_CREATED,
            Topics.CLUSTER_CONTROL_PLANE_READY, Topics.CLUSTER_PIVOTED, Topics.CLUSTER_ADDONS_INSTALLED,
            Topics.CLUSTER_FAILED, Topics.CLUSTER_DELETION_REQUESTED, Topics.CLUSTER_DELETED);

    private final EventConsumers consumers;

    public ClusterEventsConsumer(EventConsumers consumers) {
        this.consumers = consumers;
    }

    void start(@Observes StartupEvent startup) {
        consumers.subscribeTransactional("stages", STAGE_TOPICS, (event, tx) -> {
            StageRecorder.record(event, tx);
            return List.of();
        });
    }
}
