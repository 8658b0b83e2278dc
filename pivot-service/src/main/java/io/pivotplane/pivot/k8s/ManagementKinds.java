package io.pivotplane.pivot.k8s;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * The management cluster's {@link ClusterKinds}, shared by the moves and read again once older than {@code maxAge}.
 * Reading them lists every CRD clusterctl installed there, schemas and all (megabytes for five providers), and each
 * pivot needed them four times; they change only when a provider is installed or upgraded there, and a move that
 * started before that sees the kinds of when it started, as it would have before.
 */
public final class ManagementKinds {

    private final KubernetesClient management;
    private final long maxAgeNanos;
    private final LongSupplier clock;
    private ClusterKinds kinds;
    private long readAt;

    public ManagementKinds(KubernetesClient management, Duration maxAge) {
        this(management, maxAge, System::nanoTime);
    }

    ManagementKinds(KubernetesClient management, Duration maxAge, LongSupplier clock) {
        this.management = management;
        this.maxAgeNanos = maxAge.toNanos();
        this.clock = clock;
    }

    public synchronized ClusterKinds get() {
        long now = clock.getAsLong();
        if (kinds == null || now - readAt > maxAgeNanos) {
            kinds = ClusterKinds.of(management);
            readAt = now;
        }
        return kinds;
    }
}
