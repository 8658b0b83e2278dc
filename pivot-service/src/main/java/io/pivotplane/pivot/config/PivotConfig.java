package io.pivotplane.pivot.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** Settings of pivot-service, under {@code pivotplane.pivot.*}. */
@ConfigMapping(prefix = "pivotplane.pivot")
public interface PivotConfig {

    /** The agent's container image, as installed into each workload cluster. */
    @WithDefault("ghcr.io/pivotplane/agent:0.1.0")
    String agentImage();

    /** The Kafka the agents reach: from inside workload clusters this often differs from the services' address. */
    @WithDefault("${kafka.bootstrap.servers}")
    String agentKafkaBootstrapServers();

    /**
     * How agents reach Kafka: {@code SASL_SSL} where they cross networks, {@code SASL_PLAINTEXT} on the local stack. They
     * always sign in, as their own principal.
     */
    @WithDefault("${kafka.security.protocol:SASL_SSL}")
    String agentKafkaSecurityProtocol();

    /** How often each agent reports. */
    @WithDefault("PT10S")
    Duration agentHeartbeat();

    /** How often each agent compares its cluster's add-ons with what it installed, and repairs the difference. */
    @WithDefault("PT30S")
    Duration agentAddonRepairInterval();

    /**
     * How long the bootstrap layer (network plugin, cloud-controller-manager) and the agent may take to roll out on
     * the first control-plane node, credentials included, before the pivot fails with nothing moved.
     */
    @WithDefault("PT15M")
    Duration bootstrapTimeout();

    /**
     * How long clusterctl's provisioning check (infrastructure, control plane ready, every Machine's node) may take to
     * pass, and how long objects marked {@code block-move} may hold a move back, before the pivot fails.
     */
    @WithDefault("PT10M")
    Duration preflightTimeout();

    /**
     * Whether pivot-service installs cert-manager and the cluster's providers into the workload cluster as
     * {@code clusterctl init} does (true), or expects them there already, e.g. from the node image (false).
     * Either way the pivot goes on only once the target runs every provider the cluster needs.
     */
    @WithDefault("true")
    boolean installProviders();

    /** How long cert-manager and the providers may take to roll out in the workload cluster. */
    @WithDefault("PT15M")
    Duration providersTimeout();

    /**
     * A registry to pull every provider component's images from instead of upstream's, as clusterctl's
     * {@code images: all: repository:} does, e.g. {@code registry.example.com/capi-mirror}.
     */
    Optional<String> providerImageRepository();

    /**
     * A directory laid out as clusterctl's overrides ({@code <dir>/<provider-label>/<version>/<release file>}) whose
     * files replace the bundled components, e.g. CAPZ's real release file with Azure Service Operator's controller.
     */
    Optional<java.nio.file.Path> providerComponentsDirectory();

    /** Failed attempts at one step (an API server that does not answer) before the move gives up. */
    @WithDefault("5")
    int attempts();

    /** How often a step that waits looks again. */
    @WithDefault("PT2S")
    Duration pollInterval();

    /**
     * Who holds the leases on moves and deletions: the pod's name (Kubernetes sets {@code HOSTNAME} to it), so that a
     * container restarted in the same pod takes up its own moves at once instead of waiting out the lease its killed
     * predecessor held; two live replicas never share a pod name. Without it, a name drawn at start.
     */
    Optional<String> replicaId();

    /** How many moves and deletions are worked on at once. */
    @WithDefault("4")
    int reconcileWorkers();

    /** A pause after each moved object; 0 in production, above 0 to watch a move on the local stack or to stop one midway in a test. */
    @WithDefault("0s")
    Duration objectDelay();

    /** How long each step of a deprovisioning in the management cluster (workers, control plane, Cluster, the rest) may take. */
    @WithDefault("PT15M")
    Duration deletionStepTimeout();
}
