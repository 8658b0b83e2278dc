package io.pivotplane.request.domain;

/** No cluster has this id. */
public class ClusterNotFoundException extends RuntimeException {

    public ClusterNotFoundException(String id) {
        super("no cluster with id '" + id + "'");
    }
}
