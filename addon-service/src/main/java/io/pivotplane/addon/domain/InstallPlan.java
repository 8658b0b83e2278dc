package io.pivotplane.addon.domain;

import io.pivotplane.events.model.Addon;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The order of a profile's add-ons, as Palette's layers go: the CNI layer, then the CSI layer, then every other
 * add-on; within a layer by priority, then in the profile's order. The position is for reading the plan; what may go
 * when is {@link PlanProgress}'s to say (dependencies, parallel add-ons of one priority).
 */
public final class InstallPlan {

    /** One add-on at its place in the plan. */
    public record Step(int position, int layerRank, Addon addon) {
    }

    private InstallPlan() {
    }

    public static List<Step> of(List<Addon> addons) {
        List<Addon> ordered = IntStream.range(0, addons.size()).boxed()
                .sorted(Comparator.comparingInt((Integer i) -> addons.get(i).layerRank())
                        .thenComparingInt(i -> addons.get(i).priority())
                        .thenComparing(i -> i))
                .map(addons::get)
                .toList();
        return IntStream.range(0, ordered.size())
                .mapToObj(i -> new Step(i, ordered.get(i).layerRank(), ordered.get(i)))
                .toList();
    }
}
