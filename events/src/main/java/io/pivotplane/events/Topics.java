package io.pivotplane.events;

import java.util.List;

/** Kafka topic names, shared by producers, consumers and tests. */
public final class Topics {

    public static final String CLUSTER_REQUESTED = "cluster.requested";
    public static final String CLUSTER_SPECS_CREATED = "cluster.specs-created";
    public static final String CLUSTER_CONTROL_PLANE_READY = "cluster.control-plane-ready";
    public static final String CLUSTER_PIVOTED = "cluster.pivoted";
    public static final String CLUSTER_ADDONS_INSTALLED = "cluster.addons-installed";
    public static final String CLUSTER_FAILED = "cluster.failed";
    public static final String CLUSTER_DELETION_REQUESTED = "cluster.deletion-requested";
    public static final String CLUSTER_DELETED = "cluster.deleted";
    public static final String CLUSTER_PROFILE_CHANGED = "cluster.profile-changed";
    public static final String CLUSTER_CHANGE_REQUESTED = "cluster.change-requested";
    public static final String CLUSTER_CHANGED = "cluster.changed";
    public static final String CLUSTER_AGENT_VERSIONS = "cluster.agent-versions";
    public static final String AGENT_REPORTS = "agent.reports";
    /**
     * Commands to agents go to a topic per cluster, {@code agent.commands.<cluster id>}: an ACL on that topic alone is
     * what lets an agent read its own cluster's commands and no other's (Kafka authorizes topics, not keys).
     */
    public static final String AGENT_COMMANDS_PREFIX = "agent.commands.";

    /** Suffix of the dead-letter topic of each topic: what a consumer cannot process goes there with the reason. */
    public static final String DEAD_LETTER_SUFFIX = ".dlq";

    public static final List<String> ALL = List.of(
            CLUSTER_REQUESTED, CLUSTER_SPECS_CREATED, CLUSTER_CONTROL_PLANE_READY, CLUSTER_PIVOTED,
            CLUSTER_ADDONS_INSTALLED, CLUSTER_FAILED, CLUSTER_DELETION_REQUESTED, CLUSTER_DELETED,
            CLUSTER_PROFILE_CHANGED, CLUSTER_CHANGE_REQUESTED, CLUSTER_CHANGED, CLUSTER_AGENT_VERSIONS, AGENT_REPORTS);

    /**
     * Not an event topic: the outbox relays commit, in each Kafka transaction, which outbox rows it published, as the
     * offsets of their consumer group {@code <service>-outbox} on this topic's one partition. Nothing is written to it.
     */
    public static final String OUTBOX_PROGRESS = "pivotplane.outbox-progress";

    private Topics() {
    }

    /** The topic of the commands to the agent of one cluster. */
    public static String agentCommands(String clusterId) {
        return AGENT_COMMANDS_PREFIX + clusterId;
    }

    public static boolean isAgentCommands(String topic) {
        return topic.startsWith(AGENT_COMMANDS_PREFIX);
    }

    /** The cluster whose agent reads {@code topic}, a topic of {@link #agentCommands(String)}. */
    public static String clusterOfAgentCommands(String topic) {
        if (!isAgentCommands(topic)) {
            throw new IllegalArgumentException(topic + " is not a topic of agent commands");
        }
        return topic.substring(AGENT_COMMANDS_PREFIX.length());
    }

    public static String deadLetter(String topic) {
        return topic + DEAD_LETTER_SUFFIX;
    }
}
