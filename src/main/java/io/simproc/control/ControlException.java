package io.simproc.control;

/** A request the daemon cannot carry out: the client prints the message and exits with the status. */
public final class ControlException extends RuntimeException {
    /** Exit status of a request that is malformed (as picocli's usage errors). */
    public static final int USAGE = 2;
    /** Exit status of a request that failed. */
    public static final int FAILED = 1;

    private final int status;

    public ControlException(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }

    static ControlException usage(String message) {
        return new ControlException(USAGE, message);
    }
}
