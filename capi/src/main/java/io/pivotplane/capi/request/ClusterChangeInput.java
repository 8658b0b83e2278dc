package io.pivotplane.capi.request;

import java.util.List;

/**
 * What may change in a running cluster, as it arrives (a merge patch of the request's fields): a field left out
 * keeps its value; {@code workerPools}, when given, is the whole new list (a pool left out is removed), as JSON merge
 * patch replaces arrays. {@link ClusterChangeValidator} decides.
 */
public record ClusterChangeInput(String kubernetesVersion, ClusterRequestInput.ControlPlaneInput controlPlane,
                                 List<ClusterRequestInput.WorkerPoolInput> workerPools,
                                 ClusterRequestInput.HealthCheckInput healthCheck) {

    /** The fields of a cluster request a change may carry; any other is refused by name. */
    public static final List<String> FIELDS = List.of("kubernetesVersion", "controlPlane", "workerPools", "healthCheck");
}
