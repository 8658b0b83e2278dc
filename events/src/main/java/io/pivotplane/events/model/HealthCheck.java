package io.pivotplane.events.model;

/**
 * How the cluster's MachineHealthChecks find a machine to replace, in Cluster API's terms: its Node {@code Ready}
 * False or Unknown for {@code unhealthyAfter}, or no Node {@code nodeStartupTimeout} after the machine was created
 * (durations as Go writes them: {@code 90s}, {@code 5m}); no machine of a pool is replaced while more than
 * {@code maxUnhealthy} of it (a count, or a percentage such as {@code 40%}) is unhealthy, since that is an outage of
 * something else than the machines. A field left out takes its default: 5m, Cluster API's 10m, 40%.
 */
public record HealthCheck(String unhealthyAfter, String nodeStartupTimeout, String maxUnhealthy) {

    public static final HealthCheck DEFAULT = new HealthCheck(null, null, null);

    public HealthCheck {
        unhealthyAfter = unhealthyAfter == null ? "5m" : unhealthyAfter;
        nodeStartupTimeout = nodeStartupTimeout == null ? "10m" : nodeStartupTimeout;
        maxUnhealthy = maxUnhealthy == null ? "40%" : maxUnhealthy;
    }
}
