package io.pivotplane.cli;

/** What {@code pivotctl} exits with, so that scripts can tell a bad request from a bad command line. */
public final class ExitCodes {

    public static final int OK = 0;
    /** The input is not a valid request: unreadable, not a ClusterRequest, or refused by validation. */
    public static final int INVALID_INPUT = 1;
    /** The command line is wrong (picocli's own code for usage errors). */
    public static final int USAGE = 2;
    /** pivotplane failed on its own (sysexits' EX_SOFTWARE). */
    public static final int SOFTWARE = 70;

    private ExitCodes() {
    }
}
