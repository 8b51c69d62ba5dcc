package io.simproc.scenario;

import io.simproc.uapi.Errno;

/** A step the machine refused while running (an errno, a process that has exited): reported, the run goes on. */
public final class StepException extends RuntimeException {
    private final int errno;

    public StepException(String message) {
        this(message, 0);
    }

    private StepException(String message, int errno) {
        super(message);
        this.errno = errno;
    }

    /** "what: Cannot allocate memory" for a negative errno return. */
    public static StepException errno(String what, long negErrno) {
        return new StepException(what + ": " + Errno.describe((int) -negErrno), (int) -negErrno);
    }

    /** The errno the machine refused the step with, 0 when the refusal was not an errno (a process gone...). */
    public int errno() {
        return errno;
    }
}
