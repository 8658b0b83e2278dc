package io.pivotplane.pivot.service;

/** What one step of a move or a deletion came to in one reconcile. */
sealed interface StepOutcome {

    /** The step is complete; the next one may start at once. */
    record Done() implements StepOutcome {
    }

    /** The step is complete and already recorded with what it produced. */
    record Recorded() implements StepOutcome {
    }

    /** Not yet: {@code why} says what it waits for; it is looked at again after the poll interval. */
    record Waiting(String why) implements StepOutcome {
    }

    /** Not yet, on purpose: looked at again after {@code millis}. */
    record Paced(long millis) implements StepOutcome {
    }

    /** The step cannot succeed. */
    record Failed(String reason, String message) implements StepOutcome {
    }

    static StepOutcome done() {
        return new Done();
    }

    static StepOutcome waiting(String why) {
        return new Waiting(why);
    }

    static Failed failed(String reason, String message) {
        return new Failed(reason, message);
    }
}
