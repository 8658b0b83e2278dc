package io.pivotplane.pivot.persistence;

import java.util.Arrays;
import java.util.List;

/** Which way a cluster's CAPI objects move. */
public enum Direction {
    /** From the management cluster into the workload cluster, which from then on manages itself. */
    PIVOT(Arrays.stream(MoveStep.values()).filter(step -> step != MoveStep.FAILED).toList()),
    /**
     * From the workload cluster back into the management cluster, before the cluster is deleted: torn down from
     * inside, a self-managed cluster would lose its controllers with its last control-plane machine, halfway.
     */
    REVERSE_PIVOT(MoveStep.REVERSE_PIVOT_STEPS);

    private final List<MoveStep> steps;

    Direction(List<MoveStep> steps) {
        this.steps = steps;
    }

    /** The step that comes after {@code done} in this direction. */
    public MoveStep next(MoveStep done) {
        int index = steps.indexOf(done);
        if (index < 0 || index == steps.size() - 1) {
            throw new IllegalArgumentException(done + " has no next step in a " + this);
        }
        return steps.get(index + 1);
    }
}
