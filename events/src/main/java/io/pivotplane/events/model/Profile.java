package io.pivotplane.events.model;

import static io.pivotplane.events.Fields.listOrEmpty;

import java.util.List;

/**
 * The cluster profile: the add-ons installed after the pivot, layer by layer. {@code version} is the stored
 * profile's version the cluster was made from, or null for add-ons given in the request itself.
 */
public record Profile(String name, String version, List<Addon> addons) {

    public static final Profile EMPTY = new Profile(null, null, List.of());

    public Profile {
        addons = listOrEmpty(addons);
    }

    public Profile(String name, List<Addon> addons) {
        this(name, null, addons);
    }
}
