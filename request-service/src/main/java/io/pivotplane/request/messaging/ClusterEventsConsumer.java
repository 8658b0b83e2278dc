package io.pivotplane.request.messaging;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.pivotplane.events.AgentVersionReported;
import io.pivotplane.events.ClusterChanged;
import io.pivotplane.kit.messaging.EventConsumers;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Subscribes request-service to every stage of the pipeline, to keep each cluster's stage and timeline, and to the
 * ends of changes to running clusters and the versions of their agents.
 */
@ApplicationScoped
public class ClusterEventsConsumer {

    private final EventConsumers consumers;
    private final MeterRegistry registry;

    public ClusterEventsConsumer(EventConsumers consumers, MeterRegistry registry) {
        this.consumers = consumers;
        this.registry = registry;
    }

    void start(@Observes StartupEvent startup) {
        consumers.subscribeTransactional("stages", (event, tx) -> {
            if (event.payload() instanceof ClusterChanged) {
                ChangeRecorder.record(event, tx);
            } else if (event.payload() instanceof AgentVersionReported) {
                AgentVersionRecorder.record(event, tx);
            } else {
                StageRecorder.record(event, tx).ifPresent(this::measure);
            }
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

    @Incoming("stages")
    @Blocking
    public void stages(ConsumerRecord<byte[], byte[]> record) throws InterruptedException {
        consumers.process("stages", record);
    }
}
