package io.pivotplane.addon.domain;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What to do next with a plan, from its state alone: the same state always gives the same answer.
 *
 * <p>When a cluster moves to another profile, the add-ons it no longer has are uninstalled first, together. Then an
 * add-on may go once every add-on of an earlier layer, and of a lower priority in its layer, is done, and the add-ons
 * it depends on are installed; add-ons that may go at the same time go together. Done is installed, removed, or
 * degraded (failed, and allowed to). An add-on whose dependency did not install cannot install either.
 */
public final class PlanProgress {

    /** An add-on's state within a plan. */
    public enum InstallState {
        PENDING, SENT, INSTALLED, FAILED, DEGRADED, REMOVED;

        boolean done() {
            return this == INSTALLED || this == DEGRADED || this == REMOVED;
        }
    }

    /**
     * One add-on's row; {@code retryAt} is when a failed attempt may be sent again (null: at once);
     * {@code uninstall} when the profile no longer has it.
     */
    public record Item(int position, String name, int layerRank, int priority, List<String> dependsOn,
                       InstallState state, Instant retryAt, boolean uninstall) {

        public Item {
            dependsOn = dependsOn == null ? List.of() : List.copyOf(dependsOn);
        }

        /** An add-on of priority 0 without dependencies, never sent. */
        public Item(int position, String name, int layerRank, InstallState state) {
            this(position, name, layerRank, 0, List.of(), state, null, false);
        }
    }

    /** The decision. */
    public sealed interface Next {
        /** Not yet: the profile is unknown, or the cluster has not pivoted and scaled itself. */
        record Wait() implements Next {
        }

        /** Send these add-ons' commands. */
        record Send(List<Item> items) implements Next {
        }

        /** This add-on can never install: {@code dependency}, which it needs, failed or was given up on. */
        record DependencyFailed(Item item, String dependency) implements Next {
        }

        /** Commands are out, or a retry is not due yet: wait for results or for the retry's time. */
        record AwaitResults() implements Next {
        }

        /** Every add-on is done. */
        record Complete() implements Next {
        }
    }

    private PlanProgress() {
    }

    public static Next next(boolean profileKnown, boolean pivoted, boolean scaled, List<Item> items) {
        return next(profileKnown, pivoted, scaled, items, Instant.now());
    }

    public static Next next(boolean profileKnown, boolean pivoted, boolean scaled, List<Item> items, Instant now) {
        if (!profileKnown || !pivoted || !scaled) {
            return new Next.Wait();
        }
        List<Item> removals = items.stream().filter(Item::uninstall).filter(i -> !i.state().done()).toList();
        if (!removals.isEmpty()) {
            List<Item> send = removals.stream().filter(i -> i.state() == InstallState.PENDING)
                    .filter(i -> i.retryAt() == null || !i.retryAt().isAfter(now)).toList();
            return send.isEmpty() ? new Next.AwaitResults() : new Next.Send(send);
        }
        Map<String, Item> byName = items.stream().filter(i -> !i.uninstall())
                .collect(Collectors.toMap(Item::name, Function.identity()));
        for (Item item : items) {
            if (!item.uninstall() && item.state() == InstallState.PENDING) {
                Optional<String> failed = item.dependsOn().stream().filter(d -> byName.containsKey(d)
                        && Set.of(InstallState.DEGRADED, InstallState.FAILED).contains(byName.get(d).state()))
                        .findFirst();
                if (failed.isPresent()) {
                    return new Next.DependencyFailed(item, failed.get());
                }
            }
        }
        List<Item> open = items.stream().filter(i -> !i.uninstall() && !i.state().done()).toList();
        if (open.isEmpty()) {
            return new Next.Complete();
        }
        int layer = open.stream().mapToInt(Item::layerRank).min().orElseThrow();
        int priority = open.stream().filter(i -> i.layerRank() == layer).mapToInt(Item::priority).min().orElseThrow();
        List<Item> send = open.stream()
                .filter(i -> i.layerRank() == layer && i.priority() == priority && i.state() == InstallState.PENDING)
                .filter(i -> i.retryAt() == null || !i.retryAt().isAfter(now))
                .filter(i -> i.dependsOn().stream().allMatch(d -> !byName.containsKey(d)
                        || byName.get(d).state() == InstallState.INSTALLED))
                .toList();
        return send.isEmpty() ? new Next.AwaitResults() : new Next.Send(send);
    }
}
