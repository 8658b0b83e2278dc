package io.pivotplane.request.messaging;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
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
    private final MeterRegistry registry;

    public ClusterEventsConsumer(EventConsumers consumers, MeterRegistry registry) {
        this.consumers = consumers;
        this.registry = registry;
    }

    void start(@Observes StartupEvent startup) {
        consumers.subscribeTransactional("stages", STAGE_TOPICS, (event, tx) -> {
            StageRecorder.record(event, tx).ifPresent(this::measure);
            return List.of();
        });
    }

    /** {@code pivotplane_cluster_stage_latency_seconds{stage, provider}}: from the request to each stage. */
    private void measure(StageRecorder.Reached reached) {
        Timer.builder("pivotplane.cluster.stage.latency")
                .description("Time from a cluster's request to each stage it reached")
                .tag("stage", reached.stage().displayName())
                .tag("provider", reached.provider())
                .publishPercentileHistogram()
                .register(registry)
                .record(reached.sinceRequested().isNegative() ? java.time.Duration.ZERO : reached.sinceRequested());
    }
}
