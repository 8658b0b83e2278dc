package io.pivotplane.capi;

/** Which part of a cluster to render. */
public enum RenderPhase {
    /** What the management cluster builds: the control plane at one replica (CP-A) and no workers. */
    MANAGEMENT,
    /** The cluster at its desired size, as its agent makes it after the pivot. */
    FULL
}
