package io.pivotplane.pivot.persistence;

/** The steps of a move, in order; each is recorded when it is complete. */
public enum MoveStep {
    STARTED,
    AGENT_INSTALLED,
    PAUSED,
    COLLECTED,
    CREATED,
    DELETED,
    UNPAUSED,
    DONE,
    FAILED;

    public boolean reached(MoveStep step) {
        return this != FAILED && ordinal() >= step.ordinal();
    }
}
