package io.pivotplane.cli;

/** What {@code pivotctl} exits with, so that scripts can tell the outcomes apart. */
public final class ExitCodes {

    public static final int OK = 0;
    /** The input is not a valid request: unreadable, not a ClusterRequest, or refused by validation or the API. */
    public static final int INVALID_INPUT = 1;
    /** The command line is wrong (picocli's own code for usage errors). */
    public static final int USAGE = 2;
    /** No cluster has the id given. */
    public static final int NOT_FOUND = 3;
    /** The API cannot be reached, or failed on its side (5xx). */
    public static final int UNAVAILABLE = 4;
    /** The cluster that {@code watch} followed ended in stage Failed. */
    public static final int CLUSTER_FAILED = 5;
    /** pivotplane failed on its own (sysexits' EX_SOFTWARE). */
    public static final int SOFTWARE = 70;

    private ExitCodes() {
    }
}
