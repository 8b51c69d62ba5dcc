package io.simproc.kernel;

/**
 * struct task_struct, as much of it as the simulated machine needs: identity, parentage, scheduling state and
 * accounting. Kernel threads have {@link #PF_KTHREAD} and no address space. Mutated only on the simulation thread.
 */
public final class Task {
    /** PF_* flags shown in /proc/PID/stat field 9. */
    public static final int PF_IDLE = 0x2;
    public static final int PF_EXITING = 0x4;
    public static final int PF_FORKNOEXEC = 0x40;
    public static final int PF_SUPERPRIV = 0x100;
    public static final int PF_MEMALLOC = 0x800;
    public static final int PF_NOFREEZE = 0x8000;
    public static final int PF_KSWAPD = 0x20000;
    public static final int PF_NOIO = 0x80000;
    public static final int PF_WQ_WORKER = 0x20;
    public static final int PF_KTHREAD = 0x200000;
    public static final int PF_RANDOMIZE = 0x400000;
    public static final int PF_NO_SETAFFINITY = 0x4000000;

    /** Scheduler states as procfs letters them. */
    public enum State {
        RUNNING('R', "running"), SLEEPING('S', "sleeping"), DISK_SLEEP('D', "disk sleep"), STOPPED('T', "stopped"),
        ZOMBIE('Z', "zombie"), DEAD('X', "dead"), IDLE('I', "idle");

        private final char letter;
        private final String word;

        State(char letter, String word) {
            this.letter = letter;
            this.word = word;
        }

        public char letter() {
            return letter;
        }

        /** "S (sleeping)" as /proc/PID/status prints it. */
        public String statusText() {
            return letter + " (" + word + ")";
        }
    }

    private final int pid;
    private final int tgid;
    private int ppid;
    private String comm;
    private State state;
    private final int flags;
    private final int nice;
    private final long startJiffies;
    private int cpu;
    private final int uid;
    private final int gid;

    public Task(int pid, int tgid, int ppid, String comm, State state, int flags, int nice, long startJiffies,
                int cpu, int uid, int gid) {
        this.pid = pid;
        this.tgid = tgid;
        this.ppid = ppid;
        this.comm = comm;
        this.state = state;
        this.flags = flags;
        this.nice = nice;
        this.startJiffies = startJiffies;
        this.cpu = cpu;
        this.uid = uid;
        this.gid = gid;
    }

    public int pid() {
        return pid;
    }

    public int tgid() {
        return tgid;
    }

    public int ppid() {
        return ppid;
    }

    public String comm() {
        return comm;
    }

    public State state() {
        return state;
    }

    public int flags() {
        return flags;
    }

    public boolean isKthread() {
        return (flags & PF_KTHREAD) != 0;
    }

    public int nice() {
        return nice;
    }

    public long startJiffies() {
        return startJiffies;
    }

    public int cpu() {
        return cpu;
    }

    public int uid() {
        return uid;
    }

    public int gid() {
        return gid;
    }

    void setState(State state) {
        this.state = state;
    }

    void setComm(String comm) {
        this.comm = comm;
    }

    void setCpu(int cpu) {
        this.cpu = cpu;
    }

    void reparent(int newPpid) {
        this.ppid = newPpid;
    }
}
