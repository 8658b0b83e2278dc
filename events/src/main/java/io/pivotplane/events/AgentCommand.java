package io.pivotplane.events;

import static io.pivotplane.events.Fields.required;

import com.fasterxml.jackson.annotation.JsonEnumDefaultValue;
import io.pivotplane.events.model.Addon;
import io.pivotplane.events.model.ClusterSpec;
import java.time.Instant;

/**
 * An instruction to the agent of one cluster; agents ignore commands for other clusters. {@code addon} goes with the
 * add-on kinds, {@code spec} and its {@code generation} with {@link Kind#APPLY_SPEC}.
 */
public record AgentCommand(String clusterId, String commandId, Kind kind, Addon addon, Instant issuedAt,
                           ClusterSpec spec, long generation) implements ClusterEvent {

    public enum Kind {
        INSTALL_ADDON,
        /** Removes what the add-on named by {@code addon} applied, and its record; the answer is REMOVED. */
        UNINSTALL_ADDON,
        DELETE_CLUSTER,
        /**
         * Makes {@code spec} the cluster's desired spec of {@code generation}, kept in its own cluster, and rolls the
         * cluster's CAPI objects to it; the answer is CHANGE_APPLIED or CHANGE_FAILED, once the machines are rolled.
         */
        APPLY_SPEC,
        /** A kind this agent does not know yet, sent by a newer management plane. */
        @JsonEnumDefaultValue
        UNKNOWN
    }

    public AgentCommand {
        required(clusterId, "clusterId");
        required(commandId, "commandId");
        required(kind, "kind");
        required(issuedAt, "issuedAt");
        if (kind == Kind.APPLY_SPEC) {
            required(spec, "spec");
        }
    }

    public AgentCommand(String clusterId, String commandId, Kind kind, Addon addon, Instant issuedAt) {
        this(clusterId, commandId, kind, addon, issuedAt, null, 0);
    }

    public static AgentCommand applySpec(String clusterId, String commandId, ClusterSpec spec, long generation,
                                         Instant issuedAt) {
        return new AgentCommand(clusterId, commandId, Kind.APPLY_SPEC, null, issuedAt, spec, generation);
    }
}
