package io.pivotplane.capi.k8s;

/** What a desired-state write did, so a redelivered event can be seen to change nothing. */
public enum WriteResult {
    CREATED,
    UPDATED,
    UNCHANGED,
    DELETED
}
