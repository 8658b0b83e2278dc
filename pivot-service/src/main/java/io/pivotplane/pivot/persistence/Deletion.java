package io.pivotplane.pivot.persistence;

/** One cluster's deprovisioning, as recorded. */
public record Deletion(String clusterId, String namespace, String clusterName, String correlationId, State state,
                       String commandId) {

    public enum State {
        /** Asked for; waits for a running move, or is being carried out in the management cluster. */
        REQUESTED,
        /** The cluster's agent was told to delete its own cluster. */
        COMMANDED,
        DONE,
        FAILED
    }
}
