package io.pivotplane.events;

import static io.pivotplane.events.Fields.listOrEmpty;
import static io.pivotplane.events.Fields.required;

import com.fasterxml.jackson.annotation.JsonEnumDefaultValue;
import io.pivotplane.events.model.AddonResult;
import io.pivotplane.events.model.Condition;
import io.pivotplane.events.model.MachineCounts;
import io.pivotplane.events.model.ObjectReference;
import java.time.Instant;
import java.util.List;

/**
 * What the agent in a workload cluster tells the management plane: a heartbeat with the machine counts and
 * conditions of its cluster, or the result of a command ({@code commandId}, and {@code addon} or the deleted
 * {@code objects}). Every report carries the agent's version ({@code agentVersion}, {@link AgentVersions#current()}
 * of its build; null from agents older than version reporting), so that the plane knows which agents it drives.
 */
public record AgentReport(String clusterId, Kind kind, Instant reportedAt, MachineCounts machines,
                          List<Condition> conditions, String commandId, AddonResult addon,
                          List<ObjectReference> objects, String agentVersion) implements ClusterEvent {

    /** The condition of a CHANGE_FAILED report that says why, and of heartbeats while a change rolls. */
    public static final String CONDITION_CHANGED = "Changed";
    /** Of every heartbeat: whether the cluster's desired spec has moved into it. */
    public static final String CONDITION_SPEC_AVAILABLE = "SpecAvailable";
    /** Of every heartbeat once the spec is there: whether the cluster's own Cluster API runs its Cluster. */
    public static final String CONDITION_SELF_MANAGED = "SelfManaged";
    /** Of every heartbeat of a self-managed cluster: whether every machine of its desired counts is ready. */
    public static final String CONDITION_SCALED = "Scaled";

    public enum Kind {
        HEARTBEAT,
        SCALED,
        ADDON_RESULT,
        /**
         * The agent found an installed add-on's objects changed or deleted in its cluster and put them back
         * ({@code addon} in state REPAIRED names the add-on and the objects); it repairs whether the plane listens or not.
         */
        ADDON_REPAIRED,
        /** Every CAPI object of the cluster was deleted from it, on a DELETE_CLUSTER command; {@code objects} lists them. */
        DELETED,
        /** A DELETE_CLUSTER command could not finish; a condition {@code Deleted=False} says why. */
        DELETION_FAILED,
        /**
         * The cluster is rolled to the spec of an APPLY_SPEC command ({@code commandId}): every machine of the desired
         * counts and Kubernetes version is ready.
         */
        CHANGE_APPLIED,
        /** The spec of an APPLY_SPEC command ({@code commandId}) cannot be applied; a condition {@code Changed=False} says why. */
        CHANGE_FAILED,
        /** A kind this consumer does not know yet, sent by a newer agent. */
        @JsonEnumDefaultValue
        UNKNOWN
    }

    public AgentReport {
        required(clusterId, "clusterId");
        required(kind, "kind");
        required(reportedAt, "reportedAt");
        conditions = listOrEmpty(conditions);
        objects = listOrEmpty(objects);
    }

    /** A report that names no agent version, as agents before version reporting sent. */
    public AgentReport(String clusterId, Kind kind, Instant reportedAt, MachineCounts machines,
                       List<Condition> conditions, String commandId, AddonResult addon,
                       List<ObjectReference> objects) {
        this(clusterId, kind, reportedAt, machines, conditions, commandId, addon, objects, null);
    }

    /** This report as sent by an agent of {@code version}. */
    public AgentReport fromAgent(String version) {
        return new AgentReport(clusterId, kind, reportedAt, machines, conditions, commandId, addon, objects, version);
    }
}
