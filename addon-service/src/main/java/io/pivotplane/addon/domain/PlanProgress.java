package io.pivotplane.addon.domain;

import java.util.List;

/** What to do next with a plan, from its state alone: the same state always gives the same answer. */
public final class PlanProgress {

    /** An add-on's state within a plan. */
    public enum InstallState { PENDING, SENT, INSTALLED, FAILED }

    /** One add-on's row. */
    public record Item(int position, String name, int layerRank, InstallState state) {
    }

    /** The decision. */
    public sealed interface Next {
        /** Not yet: the profile is unknown, or the cluster has not pivoted and scaled itself. */
        record Wait() implements Next {
        }

        /** Send these add-ons' commands (the pending ones of the current layer). */
        record Send(List<Item> items) implements Next {
        }

        /** The current layer's commands are out: wait for their results. */
        record AwaitResults() implements Next {
        }

        /** Every add-on is installed. */
        record Complete() implements Next {
        }
    }

    private PlanProgress() {
    }

    public static Next next(boolean profileKnown, boolean pivoted, boolean scaled, List<Item> items) {
        if (!profileKnown || !pivoted || !scaled) {
            return new Next.Wait();
        }
        int currentLayer = items.stream().filter(i -> i.state() != InstallState.INSTALLED)
                .mapToInt(Item::layerRank).min().orElse(Integer.MAX_VALUE);
        if (currentLayer == Integer.MAX_VALUE) {
            return new Next.Complete();
        }
        List<Item> pending = items.stream()
                .filter(i -> i.layerRank() == currentLayer && i.state() == InstallState.PENDING).toList();
        return pending.isEmpty() ? new Next.AwaitResults() : new Next.Send(pending);
    }
}
