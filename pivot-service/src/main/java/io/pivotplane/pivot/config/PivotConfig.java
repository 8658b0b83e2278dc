package io.pivotplane.pivot.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Settings of pivot-service, under {@code pivotplane.pivot.*}. */
@ConfigMapping(prefix = "pivotplane.pivot")
public interface PivotConfig {

    /** The agent's container image, as installed into each workload cluster. */
    @WithDefault("ghcr.io/pivotplane/agent:0.1.0")
    String agentImage();

    /** The Kafka the agents reach: from inside workload clusters this often differs from the services' address. */
    @WithDefault("${kafka.bootstrap.servers}")
    String agentKafkaBootstrapServers();

    /** How often each agent reports. */
    @WithDefault("PT10S")
    Duration agentHeartbeat();

    /** How long the preflight checks (what clusterctl checks) may take to pass before the pivot fails. */
    @WithDefault("PT2M")
    Duration preflightTimeout();

    /** Attempts at each Kubernetes write of a move before the move is rolled back or reported incomplete. */
    @WithDefault("5")
    int attempts();

    /** A pause after each moved object; 0 in production, above 0 to watch a move on the local stack or to stop one midway in a test. */
    @WithDefault("0s")
    Duration objectDelay();

    /** How long each step of a deprovisioning in the management cluster (workers, control plane, Cluster, the rest) may take. */
    @WithDefault("PT15M")
    Duration deletionStepTimeout();
}
