package io.pivotplane.pivot.persistence;

/** One cluster's move, as recorded. */
public record Move(String clusterId, String namespace, String clusterName, String correlationId, String apiEndpoint,
                   MoveStep step, String failure) {
}
