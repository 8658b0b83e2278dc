package io.pivotplane.events.model;

/** Machines of a workload cluster, desired and ready, for the control plane and the workers. */
public record MachineCounts(int controlPlaneDesired, int controlPlaneReady, int workersDesired, int workersReady) {
}
