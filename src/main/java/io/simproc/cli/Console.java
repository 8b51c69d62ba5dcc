package io.simproc.cli;

import java.io.PrintStream;

/** Messages to the user on stderr: progress (suppressed with --quiet) and errors, one line each. */
public final class Console {
    private final PrintStream err;
    private final boolean quiet;

    public Console(PrintStream err, boolean quiet) {
        this.err = err;
        this.quiet = quiet;
    }

    public void progress(String line) {
        if (!quiet) {
            err.println("simproc: " + line);
        }
    }

    public void error(String line) {
        err.println("simproc: " + line);
    }
}
