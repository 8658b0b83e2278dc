package io.pivotplane.request.domain;

/** The cluster was deprovisioned already: there is nothing left to delete. */
public class ClusterDeletedException extends RuntimeException {

    public ClusterDeletedException(String id, String name) {
        super("cluster '" + name + "' (" + id + ") is deleted already");
    }
}
