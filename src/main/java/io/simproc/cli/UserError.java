package io.simproc.cli;

/** A failure caused by what the user asked for (bad path, busy mount point); reported as one line, exit 1. */
final class UserError extends RuntimeException {
    UserError(String message) {
        super(message);
    }
}
