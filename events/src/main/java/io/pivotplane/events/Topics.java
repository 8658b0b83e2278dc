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
    public static final String AGENT_REPORTS = "agent.reports";
    public static final String AGENT_COMMANDS = "agent.commands";

    /** Suffix of the dead-letter topic of each topic: what a consumer cannot process goes there with the reason. */
    public static final String DEAD_LETTER_SUFFIX = ".dlq";

    public static final List<String> ALL = List.of(
            CLUSTER_REQUESTED, CLUSTER_SPECS_CREATED, CLUSTER_CONTROL_PLANE_READY, CLUSTER_PIVOTED,
            CLUSTER_ADDONS_INSTALLED, CLUSTER_FAILED, CLUSTER_DELETION_REQUESTED, CLUSTER_DELETED, AGENT_REPORTS,
            AGENT_COMMANDS);

    /**
     * Not an event topic: the outbox relays commit, in each Kafka transaction, which outbox rows it published, as the
     * offsets of their consumer group {@code <service>-outbox} on this topic's one partition. Nothing is written to it.
     */
    public static final String OUTBOX_PROGRESS = "pivotplane.outbox-progress";

    private Topics() {
    }

    public static String deadLetter(String topic) {
        return topic + DEAD_LETTER_SUFFIX;
    }
}
