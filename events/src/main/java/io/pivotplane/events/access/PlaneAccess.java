package io.pivotplane.events.access;

import static io.pivotplane.events.access.KafkaGrant.Operation.ALTER;
import static io.pivotplane.events.access.KafkaGrant.Operation.CREATE;
import static io.pivotplane.events.access.KafkaGrant.Operation.DELETE;
import static io.pivotplane.events.access.KafkaGrant.Operation.DESCRIBE;
import static io.pivotplane.events.access.KafkaGrant.Operation.READ;
import static io.pivotplane.events.access.KafkaGrant.Operation.WRITE;

import io.pivotplane.events.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Who may do what on the plane's Kafka: each service is a principal of its own with the ACLs its work needs and no
 * more, and each agent one with access to its own cluster's commands only. The local stack's broker is set up from
 * this table, and deploy/'s Strimzi {@code KafkaUser}s are tested against it.
 */
public final class PlaneAccess {

    public static final String REQUEST_SERVICE = "request-service";
    public static final String SPEC_SERVICE = "spec-service";
    public static final String PROVISIONER_SERVICE = "provisioner-service";
    public static final String PIVOT_SERVICE = "pivot-service";
    public static final String ADDON_SERVICE = "addon-service";

    /** Prefix of each agent's principal, {@code agent-<cluster id>}. */
    public static final String AGENT_PRINCIPAL_PREFIX = "agent-";
    /** Prefix of each agent's consumer group, {@code pivotplane-agent-<cluster id>}. */
    public static final String AGENT_GROUP_PREFIX = "pivotplane-agent-";

    private static final List<String> STAGES = List.of(Topics.CLUSTER_REQUESTED, Topics.CLUSTER_SPECS_CREATED,
            Topics.CLUSTER_CONTROL_PLANE_READY, Topics.CLUSTER_PIVOTED, Topics.CLUSTER_ADDONS_INSTALLED,
            Topics.CLUSTER_FAILED, Topics.CLUSTER_DELETION_REQUESTED, Topics.CLUSTER_DELETED, Topics.CLUSTER_CHANGED,
            Topics.CLUSTER_AGENT_VERSIONS);

    private static final Map<String, List<KafkaGrant>> SERVICES = Map.of(
            REQUEST_SERVICE, service(REQUEST_SERVICE, STAGES,
                    List.of(Topics.CLUSTER_REQUESTED, Topics.CLUSTER_DELETION_REQUESTED,
                            Topics.CLUSTER_PROFILE_CHANGED, Topics.CLUSTER_CHANGE_REQUESTED)),
            SPEC_SERVICE, service(SPEC_SERVICE,
                    List.of(Topics.CLUSTER_REQUESTED, Topics.CLUSTER_DELETION_REQUESTED),
                    List.of(Topics.CLUSTER_SPECS_CREATED, Topics.CLUSTER_FAILED)),
            PROVISIONER_SERVICE, service(PROVISIONER_SERVICE,
                    List.of(Topics.CLUSTER_SPECS_CREATED, Topics.CLUSTER_DELETION_REQUESTED),
                    List.of(Topics.CLUSTER_CONTROL_PLANE_READY, Topics.CLUSTER_FAILED)),
            PIVOT_SERVICE, with(service(PIVOT_SERVICE,
                            List.of(Topics.CLUSTER_CONTROL_PLANE_READY, Topics.CLUSTER_DELETION_REQUESTED),
                            List.of(Topics.CLUSTER_PIVOTED, Topics.CLUSTER_DELETED, Topics.CLUSTER_FAILED)),
                    // pivot-service issues each agent's identity: its credentials (ALTER on the cluster), its ACLs
                    // (ALTER too: whoever may grant ACLs could grant itself any; that is why only pivot-service may)
                    // and its command topic, and takes them all back when the cluster is deleted
                    KafkaGrant.cluster(ALTER, DESCRIBE),
                    KafkaGrant.topicsStartingWith(Topics.AGENT_COMMANDS_PREFIX, CREATE, DELETE, DESCRIBE)),
            ADDON_SERVICE, with(service(ADDON_SERVICE,
                            List.of(Topics.CLUSTER_REQUESTED, Topics.CLUSTER_PIVOTED, Topics.CLUSTER_PROFILE_CHANGED,
                                    Topics.CLUSTER_CHANGE_REQUESTED, Topics.AGENT_REPORTS),
                            List.of(Topics.CLUSTER_ADDONS_INSTALLED, Topics.CLUSTER_CHANGED, Topics.CLUSTER_FAILED,
                                    Topics.CLUSTER_AGENT_VERSIONS)),
                    KafkaGrant.topicsStartingWith(Topics.AGENT_COMMANDS_PREFIX, WRITE)));

    private PlaneAccess() {
    }

    /** The five services and their grants. */
    public static Map<String, List<KafkaGrant>> services() {
        return SERVICES;
    }

    /**
     * What the agent of one cluster may do: read its own command topic in its own group, and write reports. It may
     * not read reports (nor anyone's commands but its own); a report it writes counts only for its own cluster,
     * because the plane checks each report's MAC against the key of the cluster the report names.
     */
    public static List<KafkaGrant> agent(String clusterId) {
        return List.of(
                KafkaGrant.topic(Topics.agentCommands(clusterId), READ),
                KafkaGrant.group(AGENT_GROUP_PREFIX + clusterId),
                KafkaGrant.topic(Topics.AGENT_REPORTS, WRITE));
    }

    public static String agentPrincipal(String clusterId) {
        return AGENT_PRINCIPAL_PREFIX + clusterId;
    }

    /**
     * A service reads its inputs in its consumer group, dead-letters what it cannot process next to them, writes its
     * outputs through its transactional outbox relay, which records its progress as the offsets of the group
     * {@code <service>-outbox} on {@link Topics#OUTBOX_PROGRESS}.
     */
    private static List<KafkaGrant> service(String name, List<String> reads, List<String> writes) {
        List<KafkaGrant> grants = new ArrayList<>();
        reads.forEach(topic -> grants.add(KafkaGrant.topic(topic, READ)));
        reads.forEach(topic -> grants.add(KafkaGrant.topic(Topics.deadLetter(topic), WRITE)));
        writes.forEach(topic -> grants.add(KafkaGrant.topic(topic, WRITE)));
        grants.add(KafkaGrant.group(name));
        grants.add(KafkaGrant.group(name + "-outbox"));
        grants.add(KafkaGrant.topic(Topics.OUTBOX_PROGRESS, READ));
        grants.add(KafkaGrant.transactionalId(name + "-outbox"));
        return List.copyOf(grants);
    }

    private static List<KafkaGrant> with(List<KafkaGrant> grants, KafkaGrant... more) {
        return Stream.concat(grants.stream(), Stream.of(more)).toList();
    }
}
