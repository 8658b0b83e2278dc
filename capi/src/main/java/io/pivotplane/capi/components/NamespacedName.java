package io.pivotplane.capi.components;

import java.util.Objects;

/** An object's namespace and name. */
public record NamespacedName(String namespace, String name) {

    public NamespacedName {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(name, "name");
    }

    @Override
    public String toString() {
        return namespace + "/" + name;
    }
}
