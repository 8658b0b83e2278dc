package io.pivotplane.pivot.domain;

/**
 * Each agent's own identity on the plane's event bus: a principal that may read its cluster's commands and write
 * reports, and nothing else. pivot-service issues it when it installs the agent and revokes it when the cluster is
 * deleted, so that a deleted cluster's agent, or anyone holding its Secret, can no longer sign in.
 */
public interface AgentIdentities {

    /** Makes the principal of the agent of {@code clusterId}, its credentials, its command topic and its grants. */
    void issue(String clusterId) throws Exception;

    /** Takes all of it back; what is gone already is fine. */
    void revoke(String clusterId) throws Exception;
}
