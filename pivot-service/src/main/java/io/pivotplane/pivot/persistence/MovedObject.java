package io.pivotplane.pivot.persistence;

import java.util.Optional;

/**
 * One object of a move's graph, by identity, with its uid in the target once created.
 *
 * @param namespace null for a cluster-scoped object
 * @param deleteFromSource false for what is copied and stays: global identities, credentials other clusters use
 * @param keepIfExists whether a copy the target has already is kept as it is rather than refused
 */
public record MovedObject(int position, String apiVersion, String kind, String namespace, String name,
                          String sourceUid, Optional<String> targetUid, boolean deleteFromSource,
                          boolean keepIfExists, boolean deleted) {

    public String describe() {
        return kind + " " + (namespace == null ? "" : namespace + "/") + name;
    }
}
