package io.simproc.kernel;

/**
 * Resource limits (include/uapi/asm-generic/resource.h, include/asm-generic/resource.h INIT_RLIMITS): init_task's
 * limits, with RLIMIT_NPROC and RLIMIT_SIGPENDING set to max_threads/2 by fork_init(), inherited by every task;
 * a process the service manager starts runs with systemd's DefaultLimitNOFILE (1024 soft, 524288 hard). Nothing
 * calls setrlimit on the simulated machine, so these are every task's limits.
 */
public final class Rlimits {
    /** RLIM_INFINITY. */
    public static final long INFINITY = -1L;

    /** The limits in RLIMIT_* order, with the names and units fs/proc/base.c proc_pid_limits() prints. */
    public enum Resource {
        CPU("Max cpu time", "seconds"),
        FSIZE("Max file size", "bytes"),
        DATA("Max data size", "bytes"),
        STACK("Max stack size", "bytes"),
        CORE("Max core file size", "bytes"),
        RSS("Max resident set", "bytes"),
        NPROC("Max processes", "processes"),
        NOFILE("Max open files", "files"),
        MEMLOCK("Max locked memory", "bytes"),
        AS("Max address space", "bytes"),
        LOCKS("Max file locks", "locks"),
        SIGPENDING("Max pending signals", "signals"),
        MSGQUEUE("Max msgqueue size", "bytes"),
        NICE("Max nice priority", null),
        RTPRIO("Max realtime priority", null),
        RTTIME("Max realtime timeout", "us");

        private final String label;
        private final String unit;

        Resource(String label, String unit) {
            this.label = label;
            this.unit = unit;
        }

        public String label() {
            return label;
        }

        /** The unit column, null where the kernel prints none. */
        public String unit() {
            return unit;
        }
    }

    /** _STK_LIM: 8 MiB. */
    static final long STK_LIM = 8L << 20;
    /** MLOCK_LIMIT: 8 MiB. */
    static final long MLOCK_LIMIT = 8L << 20;
    /** MQ_BYTES_MAX. */
    static final long MQ_BYTES_MAX = 819200;
    /** INR_OPEN_CUR and INR_OPEN_MAX of include/uapi/linux/fs.h. */
    static final long INR_OPEN_CUR = 1024;
    static final long INR_OPEN_MAX = 4096;
    /** systemd's DefaultLimitNOFILE hard limit for the services it starts. */
    static final long SYSTEMD_NOFILE_HARD = 524288;

    private Rlimits() {
    }

    /** The soft and hard limit of one resource for task t (INFINITY for unlimited). */
    public static long[] of(Kernel k, Task t, Resource r) {
        long nproc = k.rlimitSigpending();
        return switch (r) {
            case STACK -> new long[] {STK_LIM, INFINITY};
            case CORE -> new long[] {0, INFINITY};
            case NPROC, SIGPENDING -> new long[] {nproc, nproc};
            case NOFILE -> new long[] {INR_OPEN_CUR, t.isKthread() ? INR_OPEN_MAX : SYSTEMD_NOFILE_HARD};
            case MEMLOCK -> new long[] {MLOCK_LIMIT, MLOCK_LIMIT};
            case MSGQUEUE -> new long[] {MQ_BYTES_MAX, MQ_BYTES_MAX};
            case NICE, RTPRIO -> new long[] {0, 0};
            default -> new long[] {INFINITY, INFINITY};
        };
    }
}
