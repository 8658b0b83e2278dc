package io.pivotplane.events;

import static io.pivotplane.events.Fields.required;

import com.fasterxml.jackson.annotation.JsonEnumDefaultValue;
import io.pivotplane.events.model.Addon;
import java.time.Instant;

/** An instruction to the agent of one cluster; agents ignore commands for other clusters. */
public record AgentCommand(String clusterId, String commandId, Kind kind, Addon addon, Instant issuedAt)
        implements ClusterEvent {

    public enum Kind {
        INSTALL_ADDON,
        /** Removes what the add-on named by {@code addon} applied, and its record; the answer is REMOVED. */
        UNINSTALL_ADDON,
        DELETE_CLUSTER,
        /** A kind this agent does not know yet, sent by a newer management plane. */
        @JsonEnumDefaultValue
        UNKNOWN
    }

    public AgentCommand {
        required(clusterId, "clusterId");
        required(commandId, "commandId");
        required(kind, "kind");
        required(issuedAt, "issuedAt");
    }
}
