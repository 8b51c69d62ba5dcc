package io.simproc.fuse;

import jnr.ffi.Pointer;
import jnr.ffi.byref.IntByReference;
import jnr.ffi.byref.PointerByReference;
import jnr.ffi.types.size_t;
import ru.serce.jnrfuse.struct.FuseOperations;

/**
 * The calls of libfuse 2 (fuse.h, fuse_lowlevel.h) that run a mounted filesystem's session from threads of the
 * caller's choosing, instead of fuse_main()'s own loop: what fuse_main() does, in its parts.
 */
public interface LibFuseSession {
    /**
     * Parse the command line, mount and create the filesystem (fuse_setup, FUSE_2.6). Returns the struct fuse, or
     * null when the mount failed (libfuse printed why).
     */
    Pointer fuse_setup(int argc, String[] argv, FuseOperations op, @size_t long opSize, PointerByReference mountpoint,
                       IntByReference multithreaded, Pointer userData);

    /** Unmount and destroy what {@link #fuse_setup} made. */
    void fuse_teardown(Pointer fuse, Pointer mountpoint);

    /**
     * Make {@code se} the session libfuse's signal handlers end (fuse_setup installs them, only where a signal has
     * no handler yet, and remembers the latest session; fuse_teardown forgets it and warns about any other).
     */
    int fuse_set_signal_handlers(Pointer se);

    Pointer fuse_get_session(Pointer fuse);

    Pointer fuse_session_next_chan(Pointer se, Pointer ch);

    @size_t
    long fuse_chan_bufsize(Pointer ch);

    /**
     * Read one request from the kernel into buf: its length, 0 when the session has ended (unmounted), or a
     * negative errno (-EINTR: interrupted, try again). {@code chp} points to the channel (struct fuse_chan **).
     */
    int fuse_chan_recv(Pointer chp, Pointer buf, @size_t long size);

    /** Dispatch one request to the filesystem's callbacks and send the reply. */
    void fuse_session_process(Pointer se, Pointer buf, @size_t long len, Pointer ch);

    int fuse_session_exited(Pointer se);

    void fuse_session_exit(Pointer se);
}
