package io.pivotplane.request.domain;

/** The cluster is not at a stage where this change can be made (it is still being made, failed, or going away). */
public class ClusterBusyException extends RuntimeException {

    public ClusterBusyException(String message) {
        super(message);
    }
}
