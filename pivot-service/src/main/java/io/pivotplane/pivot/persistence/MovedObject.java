package io.pivotplane.pivot.persistence;

import java.util.Optional;

/** An object of a move: where it is in the order, and its uid on each side once known. */
public record MovedObject(int position, String apiVersion, String kind, String name, String sourceUid,
                          Optional<String> targetUid, boolean deleted) {
}
