package io.simproc.fuse;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.Struct;
import jnr.ffi.byref.IntByReference;
import jnr.ffi.byref.PointerByReference;
import ru.serce.jnrfuse.struct.FuseOperations;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Serves a mounted filesystem with a fixed set of Java threads, each reading requests from the kernel and
 * dispatching them through libfuse (what libfuse's multi-threaded loop does, fuse_loop_mt). libfuse's own loop
 * runs requests on threads it creates, and every callback from such a thread into Java attaches it to the JVM and
 * detaches it again (jffi's closures do), which cost about a third of the daemon's CPU per request and a large part
 * of an open+read+close's latency. Threads started here belong to the JVM for good, so a callback is a plain call.
 *
 * <p>The loop ends when the kernel ends the session (the filesystem was unmounted and its last user is gone): every
 * thread's read then returns 0. libfuse's signal handlers are not installed over the JVM's, as with fuse_main().
 */
final class FuseLoop {
    /**
     * Threads reading requests, as many requests as can be in the daemon at once: one per host CPU, at least two.
     * The kernel hands each request to the thread that has waited longest, so threads beyond what the CPUs can run
     * only make every request wake a colder one.
     */
    static final int THREADS = Math.max(2, java.lang.Runtime.getRuntime().availableProcessors());
    private static final int EINTR = 4;
    private static final int EAGAIN = 11;

    private FuseLoop() {
    }

    /**
     * Mount at {@code dir} with {@code options} (as for fuse_main: -o ... pairs) and serve until unmounted. Returns
     * false when the mount failed (libfuse has printed why).
     */
    static boolean run(FuseOperations ops, String fsName, Path dir, String[] options) {
        Session s = mount(ops, fsName, dir, options);
        if (s == null) {
            return false;
        }
        s.serve();
        return true;
    }

    /** Mount at {@code dir} (fuse_setup); null when the mount failed (libfuse has printed why). */
    static Session mount(FuseOperations ops, String fsName, Path dir, String[] options) {
        LibFuseSession lib = LibraryLoader.create(LibFuseSession.class).failImmediately().load("fuse");
        String[] argv = new String[options.length + 3];
        argv[0] = fsName;
        argv[1] = "-f";
        argv[2] = dir.toAbsolutePath().toString();
        System.arraycopy(options, 0, argv, 3, options.length);
        PointerByReference mountpoint = new PointerByReference();
        Pointer fuse = lib.fuse_setup(argv.length, argv, ops, Struct.size(ops), mountpoint, new IntByReference(), null);
        if (fuse == null) {
            return null;
        }
        return new Session(ops, lib, fuse, mountpoint.getValue());
    }

    /**
     * A mounted filesystem: its libfuse handles until {@link #serve()} has served it and torn it down, and the
     * operations libfuse calls back (native closures hold their Java targets only weakly, so the session holds
     * them until it ends).
     */
    static final class Session implements ProcFuse.Mounted {
        private final FuseOperations ops;
        private final LibFuseSession lib;
        private final Pointer fuse;
        private final Pointer mountpoint;

        private Session(FuseOperations ops, LibFuseSession lib, Pointer fuse, Pointer mountpoint) {
            this.ops = ops;
            this.lib = lib;
            this.fuse = fuse;
            this.mountpoint = mountpoint;
        }

        /**
         * Serve with {@link #THREADS} threads until the kernel ends the session, then unmount and destroy it. The
         * session is named libfuse's signal session first: fuse_setup names the latest one, and fuse_teardown of
         * another complains ("unknown session") when a daemon runs two.
         */
        @Override
        public void serve() {
            Runtime runtime = Runtime.getSystemRuntime();
            Pointer se = lib.fuse_get_session(fuse);
            Pointer ch = lib.fuse_session_next_chan(se, null);
            long bufsize = lib.fuse_chan_bufsize(ch);
            CountDownLatch firstDone = new CountDownLatch(1);
            List<Thread> workers = new ArrayList<>();
            for (int i = 0; i < THREADS; i++) {
                Thread t = new Thread(() -> {
                    try {
                        FuseLoop.serve(lib, runtime, se, ch, bufsize);
                    } finally {
                        firstDone.countDown();
                    }
                }, "simproc-fuse-" + i);
                t.setDaemon(true);
                workers.add(t);
                t.start();
            }
            awaitUninterruptibly(firstDone);
            lib.fuse_session_exit(se);
            boolean allDone = true;
            for (Thread t : workers) {
                allDone &= joinUninterruptibly(t, 2000);
            }
            if (allDone) {
                synchronized (FuseLoop.class) {
                    lib.fuse_set_signal_handlers(se);
                    lib.fuse_teardown(fuse, mountpoint);
                }
            }
            java.lang.ref.Reference.reachabilityFence(ops);
        }
    }

    /** One thread's loop: read a request, dispatch it, until the session ends. */
    private static void serve(LibFuseSession lib, Runtime runtime, Pointer se, Pointer ch, long bufsize) {
        Pointer buf = Memory.allocateDirect(runtime, (int) bufsize);
        Pointer chp = Memory.allocateDirect(runtime, runtime.addressSize());
        while (lib.fuse_session_exited(se) == 0) {
            chp.putPointer(0, ch);
            int res = lib.fuse_chan_recv(chp, buf, bufsize);
            if (res == -EINTR || res == -EAGAIN) {
                continue;
            }
            if (res <= 0) {
                lib.fuse_session_exit(se);
                return;
            }
            lib.fuse_session_process(se, buf, res, chp.getPointer(0));
        }
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                latch.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean joinUninterruptibly(Thread t, long millis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (t.isAlive()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            try {
                t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }
}
