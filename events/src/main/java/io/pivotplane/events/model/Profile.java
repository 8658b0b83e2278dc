package io.pivotplane.events.model;

import static io.pivotplane.events.Fields.listOrEmpty;

import java.util.List;

/** The cluster profile: the add-ons installed after the pivot, layer by layer. */
public record Profile(String name, List<Addon> addons) {

    public static final Profile EMPTY = new Profile(null, List.of());

    public Profile {
        addons = listOrEmpty(addons);
    }
}
