package io.pivotplane.request.domain;

/** The project already has a cluster of that name. */
public class ClusterNameConflictException extends RuntimeException {

    public ClusterNameConflictException(String project, String name) {
        super("project '" + project + "' already has a cluster named '" + name + "'");
    }
}
