package io.pivotplane.request.service;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.pivotplane.capi.request.Provider;
import jakarta.enterprise.context.ApplicationScoped;

/** {@code pivotplane_cluster_requests_total{provider, outcome}}: every POST, counted once. */
@ApplicationScoped
public class RequestMetrics {

    public enum Outcome {
        CREATED, REPLAYED, INVALID, FORBIDDEN, CONFLICT, ERROR;

        String tag() {
            return name().toLowerCase();
        }
    }

    /** Tag for requests whose provider is missing or unknown: keeps user input out of metric labels. */
    static final String UNKNOWN_PROVIDER = "unknown";

    private final MeterRegistry registry;

    public RequestMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public void count(String provider, Outcome outcome) {
        String providerTag = Provider.fromId(provider).map(Provider::id).orElse(UNKNOWN_PROVIDER);
        Counter.builder("pivotplane.cluster.requests")
                .description("Cluster requests received, by provider and outcome")
                .tag("provider", providerTag)
                .tag("outcome", outcome.tag())
                .register(registry)
                .increment();
    }
}
