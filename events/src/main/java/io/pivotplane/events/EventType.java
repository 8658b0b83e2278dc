package io.pivotplane.events;

import java.util.Arrays;
import java.util.Optional;

/**
 * Every event type with its versioned CloudEvents type, its record class and its topic. A v2 of a type is a
 * new constant beside v1, never a change to v1.
 */
public enum EventType {
    CLUSTER_REQUESTED_V1("io.pivotplane.cluster.requested.v1", ClusterRequested.class, Topics.CLUSTER_REQUESTED),
    SPECS_CREATED_V1("io.pivotplane.cluster.specs-created.v1", SpecsCreated.class, Topics.CLUSTER_SPECS_CREATED),
    CONTROL_PLANE_READY_V1("io.pivotplane.cluster.control-plane-ready.v1", ControlPlaneReady.class,
            Topics.CLUSTER_CONTROL_PLANE_READY),
    PIVOTED_V1("io.pivotplane.cluster.pivoted.v1", Pivoted.class, Topics.CLUSTER_PIVOTED),
    ADDONS_INSTALLED_V1("io.pivotplane.cluster.addons-installed.v1", AddonsInstalled.class,
            Topics.CLUSTER_ADDONS_INSTALLED),
    PROVISIONING_FAILED_V1("io.pivotplane.cluster.failed.v1", ProvisioningFailed.class, Topics.CLUSTER_FAILED),
    CLUSTER_DELETION_REQUESTED_V1("io.pivotplane.cluster.deletion-requested.v1", ClusterDeletionRequested.class,
            Topics.CLUSTER_DELETION_REQUESTED),
    CLUSTER_DELETED_V1("io.pivotplane.cluster.deleted.v1", ClusterDeleted.class, Topics.CLUSTER_DELETED),
    PROFILE_CHANGED_V1("io.pivotplane.cluster.profile-changed.v1", ProfileChanged.class,
            Topics.CLUSTER_PROFILE_CHANGED),
    CLUSTER_CHANGE_REQUESTED_V1("io.pivotplane.cluster.change-requested.v1", ClusterChangeRequested.class,
            Topics.CLUSTER_CHANGE_REQUESTED),
    CLUSTER_CHANGED_V1("io.pivotplane.cluster.changed.v1", ClusterChanged.class, Topics.CLUSTER_CHANGED),
    AGENT_VERSION_REPORTED_V1("io.pivotplane.cluster.agent-version-reported.v1", AgentVersionReported.class,
            Topics.CLUSTER_AGENT_VERSIONS),
    AGENT_REPORT_V1("io.pivotplane.agent.report.v1", AgentReport.class, Topics.AGENT_REPORTS),
    AGENT_COMMAND_V1("io.pivotplane.agent.command.v1", AgentCommand.class, Topics.AGENT_COMMANDS_PREFIX);

    private final String ceType;
    private final Class<? extends ClusterEvent> payloadClass;
    private final String topic;

    EventType(String ceType, Class<? extends ClusterEvent> payloadClass, String topic) {
        this.ceType = ceType;
        this.payloadClass = payloadClass;
        this.topic = topic;
    }

    /** The CloudEvents {@code type} attribute, e.g. {@code io.pivotplane.cluster.requested.v1}. */
    public String ceType() {
        return ceType;
    }

    public Class<? extends ClusterEvent> payloadClass() {
        return payloadClass;
    }

    /** The topic of this type's events of one cluster: commands go to their agent's own topic. */
    public String topic(String clusterId) {
        return this == AGENT_COMMAND_V1 ? Topics.agentCommands(clusterId) : topic;
    }

    public static Optional<EventType> fromCeType(String ceType) {
        return Arrays.stream(values()).filter(t -> t.ceType.equals(ceType)).findFirst();
    }

    /** The current version of the type that carries events of this class. */
    public static EventType of(ClusterEvent event) {
        return Arrays.stream(values())
                .filter(t -> t.payloadClass == event.getClass())
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no event type for " + event.getClass()));
    }
}
