package io.pivotplane.cli;

/** What {@code pivotctl} exits with, so that scripts can tell the outcomes apart. */
public final class ExitCodes {

    public static final int OK = 0;
    /** The input is not a valid request: unreadable, not a ClusterRequest, or refused by validation or the API. */
    public static final int INVALID_INPUT = 1;
    /** The command line is wrong (picocli's own code for usage errors). */
    public static final int USAGE = 2;
    /** No cluster has the id given, or the project no cluster of the name given. */
    public static final int NOT_FOUND = 3;
    /** The API cannot be reached, or failed on its side (5xx). */
    public static final int UNAVAILABLE = 4;
    /** The cluster that {@code watch} followed ended in stage Failed. */
    public static final int CLUSTER_FAILED = 5;
    /** No token, or the API refused it (expired, or not of its identity provider): log in again. */
    public static final int UNAUTHENTICATED = 6;
    /** The token's roles do not allow this in the project, or do not show the cluster named. */
    public static final int FORBIDDEN = 7;
    /** pivotplane failed on its own (sysexits' EX_SOFTWARE). */
    public static final int SOFTWARE = 70;

    private ExitCodes() {
    }
}
