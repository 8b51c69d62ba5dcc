package io.simproc.proc;

import io.simproc.uapi.Errno;

/**
 * A proc file that cannot be read for this reader right now, with the errno read(2) or open(2) returns: ESRCH when
 * the process behind a /proc/PID file is gone (or, like smaps_rollup of a kernel thread, has no address space),
 * EACCES when the reader fails the ptrace-read check maps and smaps make. Thrown by renderers; the FUSE binding
 * returns the errno, offline commands report it.
 */
public final class ProcException extends RuntimeException {
    private final int errno;

    public ProcException(int errno) {
        super(Errno.describe(errno), null, false, false);
        this.errno = errno;
    }

    /** The positive errno. */
    public int errno() {
        return errno;
    }
}
