package io.pivotplane.pivot.domain;

import java.util.Objects;

/**
 * Which object: its type, where it lives and its uid. A cluster-scoped object's namespace is the empty string (a
 * null namespace, as fabric8 reads it, becomes empty), so identities compare without special cases.
 */
public record ObjectIdentity(String apiVersion, String kind, String namespace, String name, String uid) {

    public ObjectIdentity {
        Objects.requireNonNull(apiVersion, "apiVersion");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(uid, "uid");
        namespace = namespace == null ? "" : namespace;
    }

    /** The API group, empty for the core group ({@code v1}). */
    public String group() {
        return groupOf(apiVersion);
    }

    public boolean clusterScoped() {
        return namespace.isEmpty();
    }

    /** {@code Kind namespace/name}, or {@code Kind name} for a cluster-scoped object: how messages name it. */
    @Override
    public String toString() {
        return kind + " " + (namespace.isEmpty() ? name : namespace + "/" + name);
    }

    static String groupOf(String apiVersion) {
        int slash = apiVersion.indexOf('/');
        return slash < 0 ? "" : apiVersion.substring(0, slash);
    }
}
