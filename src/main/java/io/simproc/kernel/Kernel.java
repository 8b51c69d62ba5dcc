package io.simproc.kernel;

import io.simproc.mm.KernelServices;
import io.simproc.mm.MemoryManager;
import io.simproc.mm.MmDebug;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The simulated machine: its profile, clock, log, memory manager, tasks and CPU accounting, and the lock that
 * gives readers a consistent view.
 *
 * <p>Threading (the single-writer principle): all state changes happen while the write lock is held, either by
 * the simulation thread advancing time in short steps ({@link #advanceTo}) or by a command run through
 * {@link #mutate}. Readers (renderers) use {@link #read} and see the machine between two steps, never in the
 * middle of one. Mutators of the memory manager assert that the write lock is held by the calling thread.
 */
public final class Kernel implements KernelServices {
    /** The longest stretch of simulated time one locked step covers, so readers never wait long. */
    static final long MAX_STEP_JIFFIES = Clock.HZ / 10;
    /** MIN_THREADS and MAX_THREADS (FUTEX_TID_MASK) of kernel/fork.c. */
    public static final int MIN_THREADS = 20;
    public static final int MAX_THREADS = 0x3fffffff;

    private final MachineProfile profile;
    private final long seed;
    private final Clock clock = new Clock();
    private final Printk printk = new Printk();
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock(true);
    private final TaskList tasks;
    private final CpuStat cpuStat;
    private final Interrupts interrupts;
    private final LoadAvg loadAvg = new LoadAvg();
    private final Sched sched;
    private final SeededRandom random;
    /** The task the simulation thread is working for ("current"), innermost last. */
    private record Current(String comm, int pid) {
    }

    private final Deque<Current> current = new ArrayDeque<>();
    private MemoryManager mm;
    private Vfs vfs;
    private Mounts mounts;
    private Files files;
    private Processes processes;
    private Cgroups cgroups;
    private MemoryController memoryController;
    private final Drivers drivers = new Drivers(this);
    private final Clocksources clocksources = new Clocksources(this);
    private final InitNet initNet = new InitNet();
    private volatile boolean panicked;
    private Syscalls syscalls;
    private Ipc ipc;
    private SeededRandom aslr;
    private Boot.Facts facts;
    private KernelChurn churn;
    private boolean debugChecks;
    private int maxThreads;
    private long rlimitSigpending;
    private long bootEpoch;

    private Kernel(MachineProfile profile, long seed) {
        this.profile = profile;
        this.seed = seed;
        this.tasks = new TaskList(profile.nrCpus());
        this.cpuStat = new CpuStat(profile.nrCpus());
        this.interrupts = new Interrupts(profile.nrCpus());
        this.sched = new Sched(this);
        this.random = new SeededRandom(seed);
        this.bootEpoch = profile.bootEpoch();
    }

    /**
     * Boot a machine: firmware map, memblock, zones and the buddy allocator, reserves, kernel threads, then the
     * first seconds of its life, so that it looks like a machine that has been running. Deterministic in
     * (profile, seed).
     */
    public static Kernel boot(MachineProfile profile, long seed) {
        return boot(profile, seed, Userspace.NONE);
    }

    /**
     * Boot a machine and start its userspace one second in (run_init_process), then run the first seconds of its
     * life. Deterministic in (profile, seed, userspace).
     */
    public static Kernel boot(MachineProfile profile, long seed, Userspace userspace) {
        Kernel k = new Kernel(profile, seed);
        k.lock.writeLock().lock();
        try {
            k.facts = Boot.setupArch(k, profile);
            k.mm = k.facts.mm();
            Disks.probe(profile, k.mm.blockDevices());
            k.mm.zramInit();
            k.tasks.setObjects(new TaskObjects(k));
            k.maxThreads = defaultMaxThreads(k.mm.vmstat().totalramPages());
            k.rlimitSigpending = k.maxThreads / 2;
            io.simproc.mm.slab.SuperBlock[] sbs = BootSlab.mount(k.mm);
            k.vfs = new Vfs(k.mm, sbs[0], k.mm.blockDevices().root());
            k.mounts = Mounts.boot(profile, k.mm.vmstat().totalramPages(), k.mm.blockDevices());
            k.files = new Files(k);
            k.initNet.boot(k.mm.vmstat().totalramPages(), k.random.fork("net"));
            k.mm.bdi().start();
            k.mm.kcompactd().start();
            k.schedule(Boot.INIT_EXEC_JIFFIES, k::swaponAll);
            k.processes = new Processes(k);
            boolean v1 = profile.cgroup() == MachineProfile.CgroupMode.V1;
            if (v1) {
                k.mm.memcontrol().useLegacyHierarchy();
            }
            k.cgroups = new Cgroups(k, !v1);
            k.memoryController = new MemoryController(k);
            k.cgroups.register(k.memoryController);
            if (!v1) {
                k.cgroups.register(new PidsController(k));
            }
            k.syscalls = new Syscalls(k);
            k.ipc = new Ipc(k);
            k.aslr = k.random.fork("aslr");
            BootVmalloc.populate(k, k.random.fork("vmalloc"));
            Task init = Boot.startKernelThreads(k);
            k.schedule(Boot.INIT_EXEC_JIFFIES, () -> {
                k.consoleOnRootfs(init);
                userspace.start(k, init);
            });
            k.churn = new KernelChurn(k, k.random.fork("churn"));
            Boot.earlyActivity(k, k.random.fork("boot"));
            BootSlab.populate(k, sbs, k.random.fork("slab"));
            k.churn.start();
            k.scheduleHousekeeping();
            k.runTimersUntil(Boot.SETTLE_JIFFIES);
        } finally {
            k.lock.writeLock().unlock();
        }
        return k;
    }

    /** console_on_rootfs(): kernel_init opens /dev/console as descriptors 0, 1 and 2 of init. */
    private void consoleOnRootfs(Task init) {
        init.setFiles(new Files.FdTable());
        if (files.open(init, "/dev/console", Files.O_RDWR) == 0) {
            files.dup2(init, 0, 1);
            files.dup2(init, 0, 2);
        }
    }

    /**
     * swapon -a as the init system runs it: the profile's zram device first (systemd-zram-setup@zram0 runs before
     * swap.target), then every swap area of the profile, in order.
     */
    private void swaponAll() {
        MachineProfile.ZramSetup z = profile.zram();
        if (z != null && mm.zram() != null) {
            mm.zram().setComp(z.algorithm());
            mm.zram().setDisksize(z.disksize());
            mm.zram().setMemLimit(z.memLimit());
            mm.zram().mkswap();
            mm.swap().swapon("/dev/" + mm.zram().name(), false, mm.zram().disksize(), z.priority());
        }
        for (MachineProfile.SwapDevice d : profile.swap()) {
            mm.swap().swapon(d.path(), d.type().equals("file"), d.sizeBytes(), d.priority());
        }
    }

    private void scheduleHousekeeping() {
        sched.start();
        BackgroundLoad background = new BackgroundLoad(this, random.fork("background"));
        background.start();
    }

    // ---------------------------------------------------------------------------------------------------------
    // Reading and writing

    /** Run a read-only function against a consistent machine (between two simulation steps). */
    public <T> T read(Function<Kernel, T> reader) {
        lock.readLock().lock();
        try {
            return reader.apply(this);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Run a state change as the single writer (sysctl writes, control commands). */
    public <T> T mutate(Supplier<T> change) {
        lock.writeLock().lock();
        try {
            if (panicked) {
                throw new KernelPanic("the machine has panicked; it no longer changes");
            }
            T result = change.get();
            afterStep();
            return result;
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * Advance simulated time to {@code targetJiffies}, running every timer due on the way, in steps of at most
     * {@link #MAX_STEP_JIFFIES} with the write lock released between steps.
     */
    public void advanceTo(long targetJiffies) {
        while (true) {
            lock.writeLock().lock();
            try {
                long now = clock.jiffies();
                if (now >= targetJiffies || panicked) {
                    return;
                }
                runTimersUntil(Math.min(targetJiffies, now + MAX_STEP_JIFFIES));
                afterStep();
            } catch (KernelPanic stopped) {
                return;
            } finally {
                lock.writeLock().unlock();
            }
        }
    }

    /** Advance by a duration of simulated time. */
    public void advance(long jiffies) {
        advanceTo(jiffiesUnlocked() + jiffies);
    }

    private long jiffiesUnlocked() {
        lock.readLock().lock();
        try {
            return clock.jiffies();
        } finally {
            lock.readLock().unlock();
        }
    }

    private void runTimersUntil(long target) {
        while (clock.runNext(target)) {
            sched.kthreadsRan();
            if (debugChecks) {
                checkInvariants();
            }
        }
        clock.setJiffies(target);
    }

    private void afterStep() {
        if (debugChecks) {
            checkInvariants();
        }
    }

    /** MmDebug, then what the kernel itself holds (drivers' DMA buffers); throws on a violation. */
    public void checkInvariants() {
        MmDebug.check(mm);
        List<String> errors = new ArrayList<>();
        drivers.check(errors);
        files.check(errors);
        sched.check(errors);
        clocksources.check(errors);
        cgroups.check(errors);
        if (!errors.isEmpty()) {
            throw new IllegalStateException("kernel invariants violated:\n  " + String.join("\n  ", errors));
        }
    }

    /** Run the mm invariant checker after every timer and command (tests turn this on). */
    public void setDebugChecks(boolean on) {
        this.debugChecks = on;
    }

    /** Whether the calling thread is the writer right now. */
    public boolean isWriter() {
        return lock.isWriteLockedByCurrentThread();
    }

    // ---------------------------------------------------------------------------------------------------------
    // KernelServices for mm

    @Override
    public long jiffies() {
        return clock.jiffies();
    }

    @Override
    public boolean currentHoldsWriteLock() {
        return lock.isWriteLockedByCurrentThread();
    }

    @Override
    public void schedule(long delayJiffies, Runnable task) {
        clock.schedule(delayJiffies, task);
    }

    @Override
    public void printk(int level, String text) {
        printk.append(clock.nanos(), level, text);
    }

    @Override
    public String currentComm() {
        Current c = current.peek();
        return c == null ? "swapper/0" : c.comm();
    }

    @Override
    public int currentPid() {
        Current c = current.peek();
        return c == null ? 0 : c.pid();
    }

    @Override
    public io.simproc.mm.MmStruct currentMm() {
        Current c = current.peek();
        Task t = c == null ? null : tasks.get(c.pid());
        return t == null ? null : t.mm();
    }

    @Override
    public boolean currentCapSysAdmin() {
        Current c = current.peek();
        if (c == null) {
            return true;
        }
        Task t = tasks.get(c.pid());
        return t == null || t.uid() == 0;
    }

    @Override
    public boolean currentIsOomVictim() {
        Task t = tasks.get(currentPid());
        return t != null && processes.leaderOf(t).isOomVictim();
    }

    @Override
    public boolean outOfMemory(io.simproc.mm.OomControl oc) {
        return mm.oomKill().outOfMemory(oc);
    }

    @Override
    public List<io.simproc.mm.OomTask> oomProcesses() {
        List<io.simproc.mm.OomTask> out = new ArrayList<>();
        for (Task t : tasks.all()) {
            if (t.isLeader()) {
                out.add(new OomProcess(this, t));
            }
        }
        return out;
    }

    @Override
    public io.simproc.mm.OomTask oomCurrent() {
        Task t = tasks.get(currentPid());
        return t == null ? null : new OomProcess(this, processes.leaderOf(t));
    }

    /** The process of {@code t} as the OOM killer sees it (what /proc/PID/oom_score scores). */
    public io.simproc.mm.OomTask oomView(Task t) {
        return new OomProcess(this, processes.leaderOf(t));
    }

    @Override
    public void memstallSleep(long jiffies) {
        Task t = tasks.get(currentPid());
        if (t != null) {
            sched.memstallSleep(t, jiffies * Clock.NSEC_PER_JIFFY);
        }
    }

    @Override
    public void oomKillProcess(io.simproc.mm.OomTask victim) {
        Task leader = ((OomProcess) victim).leader();
        leader.markOomVictim();
        if (!isCurrentTask(leader)) {
            processes.kill(leader, Processes.SIGKILL);
        }
    }

    /** Whether the simulation is working on behalf of {@code process} (any of its threads) right now. */
    boolean isCurrentTask(Task process) {
        for (Current c : current) {
            Task t = tasks.get(c.pid());
            if (t != null && processes.leaderOf(t) == process) {
                return true;
            }
        }
        return false;
    }

    /**
     * Run {@code work} as if task {@code comm}/{@code pid} were current (for log lines such as warn_alloc's, the
     * overcommit and OOM decisions). A process the OOM killer chose while it was current dies when it leaves the
     * kernel: here, once the simulation no longer works for it. On the way back to user space it first pays what
     * it owes over a memory.high (resume_user_mode_work(): mem_cgroup_handle_over_high()).
     */
    public <T> T asCurrent(String comm, int pid, Supplier<T> work) {
        current.push(new Current(comm, pid));
        try {
            return work.get();
        } finally {
            if (current.size() == 1 && !panicked && mm != null && mm.memcgHigh().pending()) {
                mm.memcgHigh().handleOverHigh(io.simproc.mm.Gfp.GFP_KERNEL);
            }
            current.pop();
            Task t = tasks.get(pid);
            if (t != null && processes.leaderOf(t).isOomVictim() && !isCurrentTask(processes.leaderOf(t))
                    && !panicked) {
                processes.kill(processes.leaderOf(t), Processes.SIGKILL);
            }
        }
    }

    /**
     * panic(): log {@code Kernel panic - not syncing: MESSAGE} and the end marker, and stop the machine — no timer
     * runs and no change is accepted afterwards; its files stay readable. Throws {@link KernelPanic} to unwind the
     * step that panicked.
     */
    @Override
    public void panic(String message) {
        printk(KernelServices.KERN_EMERG, "Kernel panic - not syncing: " + message);
        printk(KernelServices.KERN_EMERG, "---[ end Kernel panic - not syncing: " + message + " ]---");
        panicked = true;
        throw new KernelPanic(message);
    }

    /** Whether the machine has panicked (and stopped). */
    public boolean panicked() {
        return panicked;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Accessors (read under the read lock)

    public MachineProfile profile() {
        return profile;
    }

    public long seed() {
        return seed;
    }

    public Clock clock() {
        return clock;
    }

    public Printk log() {
        return printk;
    }

    public MemoryManager mm() {
        return mm;
    }

    public TaskList tasks() {
        return tasks;
    }

    public CpuStat cpuStat() {
        return cpuStat;
    }

    /** The open files: the filp objects and the descriptor tables. */
    public Files files() {
        return files;
    }

    /** The interrupt and softirq counters of the board. */
    public Interrupts interrupts() {
        return interrupts;
    }

    public LoadAvg loadAvg() {
        return loadAvg;
    }

    /** The scheduler's view of the tasks' work: their states, the load and pressure it makes. */
    public Sched sched() {
        return sched;
    }

    /** What boot found and reserved: the resource tree, direct map, boot time. */
    public Boot.Facts facts() {
        return facts;
    }

    /** The simulated files (page caches of executables, libraries, data files). */
    /** The mount namespace every task sees. */
    public Mounts mounts() {
        return mounts;
    }

    public Vfs vfs() {
        return vfs;
    }

    /** Fork, exit, reaping and signals. */
    public Processes processes() {
        return processes;
    }

    /** The cgroup hierarchy the memory controller is bound to: v2's, or v1's memory hierarchy ({@link Cgroups#onDfl}). */
    public Cgroups cgroups() {
        return cgroups;
    }

    /** Run {@code work} with the kernel memory it allocates charged to task {@code t}'s memory cgroup. */
    <T> T chargingTo(Task t, Supplier<T> work) {
        return memoryController == null ? work.get() : memoryController.chargingTo(t, work);
    }

    /** The memory controller's cgroup side (memory_cgrp_subsys). */
    MemoryController memoryController() {
        return memoryController;
    }

    /** What drivers loaded by a scenario do with memory (ioremap, DMA buffers). */
    public Drivers drivers() {
        return drivers;
    }

    /** The registered clock sources and the current one. */
    public Clocksources clocksources() {
        return clocksources;
    }

    /** The network namespace every task is in. */
    public InitNet initNet() {
        return initNet;
    }

    /** The system calls simulated programs make. */
    public Syscalls syscalls() {
        return syscalls;
    }

    /** SysV IPC: shared memory segments. */
    public Ipc ipc() {
        return ipc;
    }

    /** The randomness of address-space layouts (ASLR). */
    SeededRandom aslr() {
        return aslr;
    }

    /** An independent seeded stream for a named subsystem (workloads draw from these). */
    public SeededRandom random(String name) {
        return random.fork(name);
    }

    KernelChurn churn() {
        return churn;
    }

    /**
     * The linux_banner: what /proc/version shows and the first line of the boot log. The build date is the
     * profile's boot date (a kernel is built before it boots; offline and live machines show the same banner).
     */
    public String linuxBanner() {
        String built = java.time.format.DateTimeFormatter.ofPattern("EEE MMM d HH:mm:ss 'UTC' yyyy",
                java.util.Locale.ROOT).format(java.time.Instant.ofEpochSecond(profile.bootEpoch() - 86400)
                .atZone(java.time.ZoneOffset.UTC));
        return "Linux version " + profile.release() + " (simproc@" + profile.hostname()
                + ") (gcc (Debian 12.2.0-14) 12.2.0, GNU ld (GNU Binutils for Debian) 2.40) #1 SMP PREEMPT_DYNAMIC "
                + built;
    }

    /** btime: wall-clock seconds since the epoch at which this machine booted. */
    public long bootEpoch() {
        return bootEpoch;
    }

    /**
     * Anchor the machine's boot in wall-clock time (a live mount sets it so that boot time + uptime is now; offline
     * trees keep the profile's fixed boot time so that they are reproducible).
     */
    public void setBootEpoch(long epochSeconds) {
        lock.writeLock().lock();
        try {
            bootEpoch = epochSeconds;
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** max_threads: the limit fork() enforces on the number of threads (kernel.threads-max). */
    public int threadsMax() {
        return maxThreads;
    }

    /**
     * RLIMIT_SIGPENDING every task inherits from init_task: max_threads / 2 as fork_init() set it at boot (a later
     * kernel.threads-max write does not change it). The limit of the SigQ line of /proc/PID/status.
     */
    public long rlimitSigpending() {
        return rlimitSigpending;
    }

    /** kernel.threads-max writes. */
    public void setThreadsMax(int value) {
        assert isWriter();
        maxThreads = value;
    }

    /** kernel.pid_max writes. */
    public void setPidMax(int value) {
        assert isWriter();
        tasks.setPidMax(value);
    }

    /** set_max_threads() at boot: RAM / (8 × THREAD_SIZE), between MIN_THREADS and MAX_THREADS. */
    private static int defaultMaxThreads(long totalramPages) {
        long threadSize = 16384;
        long n = totalramPages * io.simproc.uapi.Page.PAGE_SIZE / (threadSize * 8);
        return (int) Math.max(MIN_THREADS, Math.min(n, MAX_THREADS));
    }
}
