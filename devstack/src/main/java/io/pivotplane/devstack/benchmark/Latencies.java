package io.pivotplane.devstack.benchmark;

import java.util.Collection;

/** Percentiles of a set of latencies in milliseconds, by the nearest-rank method. */
public record Latencies(int count, double p50, double p95, double p99, double max) {

    public static Latencies of(Collection<Long> millis) {
        long[] sorted = millis.stream().mapToLong(Long::longValue).sorted().toArray();
        if (sorted.length == 0) {
            return new Latencies(0, 0, 0, 0, 0);
        }
        return new Latencies(sorted.length, rank(sorted, 50), rank(sorted, 95), rank(sorted, 99),
                sorted[sorted.length - 1]);
    }

    private static double rank(long[] sorted, int percentile) {
        int index = (int) Math.ceil(percentile / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(index, sorted.length - 1))];
    }

    @Override
    public String toString() {
        return String.format("p50 %6.0f ms  p95 %6.0f ms  p99 %6.0f ms  (n=%d)", p50, p95, p99, count);
    }
}
