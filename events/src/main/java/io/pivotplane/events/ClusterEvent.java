package io.pivotplane.events;

/**
 * A fact about one cluster. Its cluster id is the Kafka record key and the CloudEvents subject, so every
 * event of one cluster lands in one partition, in order.
 */
public sealed interface ClusterEvent
        permits ClusterRequested, SpecsCreated, ControlPlaneReady, Pivoted, AddonsInstalled, ProvisioningFailed,
        ClusterDeletionRequested, ClusterDeleted, ProfileChanged, ClusterChangeRequested, ClusterChanged, AgentVersionReported, AgentReport,
        AgentCommand {

    String clusterId();
}
