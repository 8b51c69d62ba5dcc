package io.simproc.kernel;

import io.simproc.mm.MmStruct;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * struct task_struct, as much of it as the simulated machine needs: identity (pid, thread group, parent, session),
 * credentials, scheduling state, the address space (null for kernel threads), the program it runs, fault and CPU
 * accounting, and the OOM adjustment. A multi-threaded process is a thread group: every thread is a Task with the
 * leader's tgid and the same {@link MmStruct}; per-process values (oom_score_adj, children) live on the leader.
 *
 * <p>Mutated only by the kernel on the simulation thread.
 */
public final class Task {
    /** PF_* flags shown in /proc/PID/stat field 9. */
    public static final int PF_IDLE = 0x2;
    public static final int PF_EXITING = 0x4;
    public static final int PF_WQ_WORKER = 0x20;
    public static final int PF_FORKNOEXEC = 0x40;
    public static final int PF_SUPERPRIV = 0x100;
    public static final int PF_SIGNALED = 0x400;
    public static final int PF_MEMALLOC = 0x800;
    public static final int PF_NOFREEZE = 0x8000;
    public static final int PF_KSWAPD = 0x20000;
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
    private int flags;
    private int nice;
    private final long startJiffies;
    private int cpu;
    private int uid;
    private int gid;
    private int pgrp;
    private int session;
    private MmStruct mm;
    private List<String> argv = List.of();
    private String exe;
    long minflt;
    long majflt;
    long cminflt;
    long cmajflt;
    long utimeNanos;
    long stimeNanos;
    long cutimeNanos;
    long cstimeNanos;
    long voluntaryCtxt;
    final TaskIoAccounting ioac = new TaskIoAccounting();
    long nonvoluntaryCtxt;
    private int exitCode;
    private int oomScoreAdj;
    private int oomScoreAdjMin;
    /** tsk_is_oom_victim(): chosen by the OOM killer, SIGKILL pending until it leaves the kernel. */
    private boolean oomVictim;
    private final List<Integer> threads = new ArrayList<>();
    private final List<Integer> children = new ArrayList<>();
    private long sigIgnore;
    /** Addresses of the slab objects copy_process() allocated for this task (see TaskObjects). */
    long[] kobjs = new long[0];
    /** The work the scheduler has queued for the task (null until it first has some). */
    TaskActivity activity;
    /** The address of the task's kernel stack in the vmalloc space (0: none). */
    long stack;
    private long sigCatch;
    /** The descriptor table (files_struct), shared by the threads; null for kernel threads. */
    private Files.FdTable files;
    /** The task's cgroup of the v2 hierarchy (css_set->dfl_cgrp); null until it joins the task list. */
    Cgroup cgroup;
    /** css_set->subsys: its css of each controller, by controller id. */
    final CgroupSubsysState<?>[] css = new CgroupSubsysState<?>[Cgroups.SUBSYS_COUNT];

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
        this.pgrp = pid;
        this.session = pid;
        if (pid == tgid) {
            threads.add(pid);
        }
    }

    public int pid() {
        return pid;
    }

    public int tgid() {
        return tgid;
    }

    public boolean isLeader() {
        return pid == tgid;
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

    public int pgrp() {
        return pgrp;
    }

    public int session() {
        return session;
    }

    /** The address space, or null for kernel threads and reaped tasks. */
    public MmStruct mm() {
        return mm;
    }

    /** The arguments /proc/PID/cmdline shows (empty for kernel threads). */
    public List<String> argv() {
        return argv;
    }

    /** Path of the executable (/proc/PID/exe), or null. */
    public String exe() {
        return exe;
    }

    public long minflt() {
        return minflt;
    }

    public long majflt() {
        return majflt;
    }

    /** The task's I/O accounting (/proc/PID/task/TID/io). */
    public TaskIoAccounting ioac() {
        return ioac;
    }

    public long cminflt() {
        return cminflt;
    }

    public long cmajflt() {
        return cmajflt;
    }

    public long utimeNanos() {
        return utimeNanos;
    }

    public long stimeNanos() {
        return stimeNanos;
    }

    public long cutimeNanos() {
        return cutimeNanos;
    }

    public long cstimeNanos() {
        return cstimeNanos;
    }

    public long voluntaryCtxt() {
        return voluntaryCtxt;
    }

    public long nonvoluntaryCtxt() {
        return nonvoluntaryCtxt;
    }

    /** The wait status after exit (exit code << 8, or the killing signal). */
    public int exitCode() {
        return exitCode;
    }

    public int oomScoreAdj() {
        return oomScoreAdj;
    }

    public int oomScoreAdjMin() {
        return oomScoreAdjMin;
    }

    /** Whether the OOM killer chose this process and its SIGKILL is still pending. */
    public boolean isOomVictim() {
        return oomVictim;
    }

    void markOomVictim() {
        this.oomVictim = true;
    }

    /** Thread ids of this thread group (the leader first); empty for non-leaders. */
    public List<Integer> threads() {
        return Collections.unmodifiableList(threads);
    }

    public List<Integer> children() {
        return Collections.unmodifiableList(children);
    }

    public long sigIgnore() {
        return sigIgnore;
    }

    public long sigCatch() {
        return sigCatch;
    }

    void setState(State state) {
        this.state = state;
    }

    void setComm(String comm) {
        this.comm = comm.length() > 15 ? comm.substring(0, 15) : comm;
    }

    void setCpu(int cpu) {
        this.cpu = cpu;
    }

    void setFlags(int flags) {
        this.flags = flags;
    }

    void setMm(MmStruct mm) {
        this.mm = mm;
    }

    void setArgv(List<String> argv) {
        this.argv = List.copyOf(argv);
    }

    void setExe(String exe) {
        this.exe = exe;
    }

    void setCreds(int uid, int gid) {
        this.uid = uid;
        this.gid = gid;
    }

    void setSession(int pgrp, int session) {
        this.pgrp = pgrp;
        this.session = session;
    }

    void setNice(int nice) {
        this.nice = nice;
    }

    void setExitCode(int code) {
        this.exitCode = code;
    }

    void setOomScoreAdj(int adj) {
        this.oomScoreAdj = adj;
    }

    void setOomScoreAdjMin(int min) {
        this.oomScoreAdjMin = min;
    }

    void setSignals(long ignore, long catchMask) {
        this.sigIgnore = ignore;
        this.sigCatch = catchMask;
    }

    void addThread(int tid) {
        threads.add(tid);
    }

    void removeThread(int tid) {
        threads.remove(Integer.valueOf(tid));
    }

    void addChild(int childPid) {
        children.add(childPid);
    }

    void removeChild(int childPid) {
        children.remove(Integer.valueOf(childPid));
    }

    public Files.FdTable files() {
        return files;
    }

    void setFiles(Files.FdTable files) {
        this.files = files;
    }

    /** The task's cgroup (a removed one while an exited task is not reaped yet). */
    public Cgroup cgroup() {
        return cgroup;
    }

    void reparent(int newPpid) {
        this.ppid = newPpid;
    }
}
