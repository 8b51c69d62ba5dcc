package io.simproc.scenario;

import io.simproc.uapi.Errno;

/** A step the machine refused while running (an errno, a process that has exited): reported, the run goes on. */
public final class StepException extends RuntimeException {
    public StepException(String message) {
        super(message);
    }

    /** "what: Cannot allocate memory (ENOMEM)" for a negative errno return. */
    public static StepException errno(String what, long negErrno) {
        return new StepException(what + ": " + Errno.describe((int) -negErrno));
    }
}
