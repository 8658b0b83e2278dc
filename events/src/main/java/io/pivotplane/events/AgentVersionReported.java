package io.pivotplane.events;

import static io.pivotplane.events.Fields.required;

import java.time.Instant;

/**
 * The agent of a cluster runs another version than the plane knew of (its first report, or its first after an
 * upgrade): {@code agentVersion} as it reports it (null when it reports none), {@code supported} whether the plane
 * drives it ({@link AgentVersions}), {@code supportedRange} what the plane drives. The plane does not send changes
 * to an agent it does not drive.
 */
public record AgentVersionReported(String clusterId, String agentVersion, boolean supported, String supportedRange,
                                   Instant reportedAt) implements ClusterEvent {

    public AgentVersionReported {
        required(clusterId, "clusterId");
        required(supportedRange, "supportedRange");
        required(reportedAt, "reportedAt");
    }
}
