package io.pivotplane.addon.domain;

import io.pivotplane.events.model.Addon;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The order of a profile's add-ons: the CNI layer, then the CSI layer, then every other add-on; within a layer,
 * the order of the profile. Add-ons of one layer are installed together, a layer only after the one before it.
 */
public final class InstallPlan {

    /** One add-on at its place in the plan. */
    public record Step(int position, int layerRank, Addon addon) {
    }

    private InstallPlan() {
    }

    public static int layerRank(String layer) {
        return switch (layer) {
            case Addon.LAYER_CNI -> 0;
            case Addon.LAYER_CSI -> 1;
            default -> 2;
        };
    }

    public static List<Step> of(List<Addon> addons) {
        List<Addon> ordered = IntStream.range(0, addons.size()).boxed()
                .sorted(Comparator.comparingInt((Integer i) -> layerRank(addons.get(i).layer())).thenComparing(i -> i))
                .map(addons::get)
                .toList();
        return IntStream.range(0, ordered.size())
                .mapToObj(i -> new Step(i, layerRank(ordered.get(i).layer()), ordered.get(i)))
                .toList();
    }
}
