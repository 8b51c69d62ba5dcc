package io.simproc.workload;

import io.simproc.kernel.Cgroup;
import io.simproc.kernel.Clock;
import io.simproc.kernel.Files;
import io.simproc.kernel.Kernel;
import io.simproc.kernel.SeededRandom;
import io.simproc.kernel.Task;
import io.simproc.kernel.Userspace;
import io.simproc.mm.AddressSpace;
import io.simproc.mm.MmStruct;
import io.simproc.mm.Prot;
import io.simproc.mm.Vma;
import io.simproc.mm.VmFlags;
import io.simproc.uapi.Page;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The programs a machine runs: the first spec becomes init (pid 1, exec'ed by the kernel one second into boot),
 * the others are started by init at their start times, and each may start children — by exec, or by fork alone for
 * worker processes that share their parent's memory copy-on-write. Starting a process replays what such a program
 * does with memory: its loader maps the program and libraries, it reads part of their code, fills a malloc heap,
 * makes large allocations, maps data files, creates or attaches a shared memory segment, reserves a large heap of
 * which it uses part, starts threads (each with its stack), mlocks. All choices come from a seeded stream.
 */
public final class Population implements Userspace {
    /** The default glibc thread stack: 8 MiB plus a guard page. */
    static final long THREAD_STACK = 8L << 20;
    /** User time a program spends starting, per MiB of memory it touches, and at least. */
    static final long STARTUP_NANOS = 15_000_000;
    static final long NANOS_PER_TOUCHED_MIB = 400_000;
    /** UID_MIN of login.defs: the first uid of a login user. */
    static final int FIRST_LOGIN_UID = 1000;

    private final ProgramCatalog catalog;
    private final List<ProcessSpec> specs;
    private final Map<String, AddressSpace> shmSegments = new HashMap<>();
    private final Map<Integer, GlibcMalloc> heaps = new HashMap<>();
    private Kernel kernel;
    private SeededRandom rnd;
    /** Login sessions opened so far (systemd-logind numbers them from 1). */
    private int sessions;

    public Population(ProgramCatalog catalog, List<ProcessSpec> specs) {
        if (specs.isEmpty()) {
            throw new IllegalArgumentException("a population needs at least init");
        }
        this.catalog = catalog;
        this.specs = List.copyOf(specs);
    }

    @Override
    public void start(Kernel k, Task init) {
        this.kernel = k;
        this.rnd = k.random("population");
        ProcessSpec first = specs.get(0);
        Task pid1 = launch(first, null, init);
        if (pid1 == null) {
            return;
        }
        for (int i = 1; i < specs.size(); i++) {
            schedule(specs.get(i), pid1);
        }
    }

    /** The programs this machine can exec. */
    public ProgramCatalog catalog() {
        return catalog;
    }

    /** The malloc of a process this population started (scenarios continue to use it). */
    public GlibcMalloc mallocOf(Task t) {
        Task leader = kernel.processes().leaderOf(t);
        GlibcMalloc m = heaps.get(leader.pid());
        if (m == null || kernel.processes().leaderOf(m.task()) != leader) {
            m = new GlibcMalloc(kernel, leader);
            heaps.put(leader.pid(), m);
        }
        return m;
    }

    /** fork() of a process this population knows: the child starts with a copy of its parent's malloc state. */
    public void forkMalloc(Task parent, Task child) {
        GlibcMalloc p = mallocOf(parent);
        heaps.put(kernel.processes().leaderOf(child).pid(), p.forkFor(child));
    }

    private void schedule(ProcessSpec spec, Task parent) {
        long delay = Clock.secondsToJiffies(spec.startMillis() / 1000.0);
        kernel.schedule(delay, () -> {
            if (parent.state() == Task.State.ZOMBIE || parent.state() == Task.State.DEAD) {
                return;
            }
            for (int i = 0; i < spec.count(); i++) {
                launch(spec, parent, null);
            }
        });
    }

    /**
     * Start one process of {@code spec}: into {@code into} (init) or as a child of {@code parent}. Returns the task,
     * or null when the kernel refused it (no pid, no memory).
     */
    public Task launch(ProcessSpec spec, Task parent, Task into) {
        return launch(spec, parent, into, null);
    }

    /**
     * {@link #launch(ProcessSpec, Task, Task)} into a cgroup of the caller's choice (what cgexec or systemd-run
     * does: the child writes itself into the cgroup's cgroup.procs before its exec, so everything the program does
     * happens there), instead of where the service manager would put it. Null also when the cgroup refuses it.
     */
    public Task launch(ProcessSpec spec, Task parent, Task into, Cgroup cgroup) {
        Task t;
        if (into != null) {
            t = into;
        } else {
            t = kernel.processes().fork(parent);
            if (t == null) {
                kernel.printk(3, "population: cannot fork " + describe(spec) + ": out of pids or memory");
                return null;
            }
        }
        if (cgroup != null) {
            int r = kernel.cgroups().migrate().procsWrite(cgroup, 0, true, io.simproc.uapi.Credentials.ROOT, t);
            if (r < 0) {
                kernel.printk(3, "population: cannot move " + describe(spec) + " into " + cgroup + ": " + r);
                kernel.processes().exit(t, 1 << 8);
                return null;
            }
        }
        if (!spec.fork()) {
            Program program = catalog.program(spec.program());
            List<String> argv = spec.args().isEmpty() ? List.of(program.exe().path()) : spec.args();
            int r = kernel.syscalls().execve(t, program.exe(), program.interp(), program.libs(), argv);
            if (r < 0) {
                kernel.printk(3, "population: exec of " + describe(spec) + " failed: " + r);
                kernel.processes().exit(t, 127 << 8);
                return null;
            }
        } else if (!spec.args().isEmpty()) {
            kernel.processes().setArgv(t, spec.args());
        }
        // The policy numactl sets before its exec; set after it here, so that init (which has no address space
        // before its first exec) can have one too. exec keeps a task's policy, so what the program does next is
        // placed the same way.
        if (spec.mempolicy() != null) {
            int r = kernel.syscalls().setMempolicy(t, spec.mempolicy());
            if (r < 0) {
                kernel.printk(3, "population: set_mempolicy for " + describe(spec) + " failed: " + r);
                kernel.processes().exit(t, 1 << 8);
                return null;
            }
        }
        // comm is the base name of the path execve() was given (a symlinked program keeps its own name).
        String comm = spec.name() != null ? spec.name() : spec.fork() ? null : spec.program();
        Integer parentUid = parent == null ? null : parent.uid();
        kernel.processes().setIdentity(t, comm, spec.uid(), spec.nice(), spec.oomScoreAdj());
        if (cgroup == null) {
            place(t, spec, parent, parentUid);
        }
        openFiles(t, spec);
        long touched = runMemory(t, spec);
        if (t.state() == Task.State.ZOMBIE || t.state() == Task.State.DEAD) {
            kernel.printk(3, "population: " + describe(spec) + " was killed while it started");
            return null;
        }
        kernel.processes().chargeUser(t, STARTUP_NANOS + (touched >> 20) * NANOS_PER_TOUCHED_MIB);
        for (int i = 1; i < spec.threads(); i++) {
            if (kernel.processes().newThread(t) == null) {
                break;
            }
            long stack = kernel.syscalls().mmap(t, 0, THREAD_STACK + Page.PAGE_SIZE, Prot.READ | Prot.WRITE,
                    Prot.MAP_PRIVATE | Prot.MAP_ANONYMOUS, null, 0);
            if (stack > 0) {
                kernel.syscalls().mprotect(t, stack, Page.PAGE_SIZE, Prot.NONE);
                kernel.syscalls().touch(t, stack + THREAD_STACK - 3 * Page.PAGE_SIZE, 3 * Page.PAGE_SIZE, true);
            }
        }
        for (ProcessSpec.Io io : spec.io()) {
            new FileIo(kernel, t, io, kernel.random("io:" + t.pid() + ":" + io.path())).start();
        }
        for (ProcessSpec child : spec.children()) {
            schedule(child, t);
        }
        return t;
    }

    /**
     * Where a service manager puts a process (systemd's cgroup v2 layout): init in /init.scope; a program init
     * starts in its own service's cgroup, named after the program, with /dev/null as its standard input and
     * output; a process that changes to a login user's uid (a login session, pam_systemd) in a session scope of
     * that user's slice. Everything else stays where its parent is, with its parent's descriptors.
     */
    private void place(Task t, ProcessSpec spec, Task parent, Integer parentUid) {
        if (parent == null) {
            SystemdCgroups.place(kernel, t, "/init.scope");
        } else if (parent.pid() == io.simproc.kernel.Processes.INIT_PID && !spec.fork()) {
            SystemdCgroups.place(kernel, t, "/system.slice/" + spec.program() + ".service");
            Files files = kernel.files();
            for (int fd = 0; fd <= 2; fd++) {
                files.close(t, fd);
            }
            if (files.open(t, "/dev/null", Files.O_RDWR) == 0) {
                files.dup2(t, 0, 1);
                files.dup2(t, 0, 2);
            }
        } else if (spec.uid() != null && spec.uid() >= FIRST_LOGIN_UID && parentUid != null
                && parentUid < FIRST_LOGIN_UID) {
            sessions++;
            SystemdCgroups.place(kernel, t, "/user.slice/user-" + spec.uid() + ".slice/session-" + sessions
                    + ".scope");
        }
    }

    /** A program keeps open the files it works on: those it maps and those it reads and writes. */
    private void openFiles(Task t, ProcessSpec spec) {
        for (ProcessSpec.FileMap f : spec.files()) {
            kernel.files().open(t, f.path(), f.writable() ? Files.O_RDWR : Files.O_RDONLY);
        }
        for (ProcessSpec.Io io : spec.io()) {
            int mode = io.writeBytes() == 0 ? Files.O_RDONLY : io.readBytes() == 0 ? Files.O_WRONLY : Files.O_RDWR;
            if (io.pattern() == ProcessSpec.Pattern.APPEND) {
                mode |= Files.O_APPEND;
            }
            kernel.files().open(t, io.path(), mode);
        }
    }

    private static String describe(ProcessSpec spec) {
        return spec.name() != null ? spec.name() : spec.program() != null ? spec.program() : "a forked child";
    }

    /** The memory a starting program touches; returns the bytes it touched. */
    private long runMemory(Task t, ProcessSpec spec) {
        long touched = readText(t, spec.textShare());
        GlibcMalloc malloc = mallocOf(t);
        List<long[]> heapChunks = new ArrayList<>();
        for (long done = 0; done < spec.heapBytes(); ) {
            long n = 32 + rnd.nextLong(Math.min(8192, Math.max(64, spec.heapBytes() / 16)));
            long p = malloc.malloc(n);
            if (p == 0) {
                break;
            }
            kernel.syscalls().touch(t, p, n, true);
            heapChunks.add(new long[] {p, n});
            done += n;
            touched += n;
        }
        for (long done = 0; done < spec.mmapBytes(); ) {
            long n = Math.min(spec.mmapBytes() - done, (256L << 10) + rnd.nextLong(4L << 20));
            n = Math.max(n, GlibcMalloc.M_MMAP_THRESHOLD);
            long p = malloc.malloc(n);
            if (p == 0) {
                break;
            }
            kernel.syscalls().touch(t, p, n, true);
            done += n;
            touched += n;
        }
        if (spec.reserve() != null) {
            ProcessSpec.Region r = spec.reserve();
            long addr = kernel.syscalls().mmap(t, 0, r.sizeBytes(), Prot.READ | Prot.WRITE,
                    Prot.MAP_PRIVATE | Prot.MAP_ANONYMOUS | Prot.MAP_NORESERVE, null, 0);
            if (addr > 0) {
                kernel.syscalls().touch(t, addr, r.touchBytes(), true);
                touched += r.touchBytes();
            }
        }
        AddressSpace seg = spec.shm() == null ? null : shmSegments.computeIfAbsent(spec.shm().name(),
                name -> kernel.ipc().shmget(t, name, spec.shm().sizeBytes()));
        if (seg != null) {
            ProcessSpec.Region r = spec.shm();
            long addr = mappedAt(t.mm(), seg);
            if (addr < 0) {
                addr = kernel.syscalls().mmap(t, 0, seg.sizeBytes(), Prot.READ | Prot.WRITE, Prot.MAP_SHARED, seg, 0);
            }
            if (addr > 0) {
                kernel.syscalls().touch(t, addr, Math.min(r.touchBytes(), seg.sizeBytes()), true);
                touched += r.touchBytes();
            }
        }
        for (ProcessSpec.FileMap f : spec.files()) {
            AddressSpace file = kernel.vfs().file(f.path(), f.sizeBytes());
            int prot = Prot.READ | (f.writable() ? Prot.WRITE : 0);
            long addr = kernel.syscalls().mmap(t, 0, f.sizeBytes(), prot,
                    f.shared() ? Prot.MAP_SHARED : Prot.MAP_PRIVATE, file, 0);
            if (addr > 0) {
                kernel.syscalls().touch(t, addr, f.touchBytes(), f.writable());
                touched += f.touchBytes();
            }
        }
        if (spec.lockedBytes() > 0 && !heapChunks.isEmpty()) {
            long start = heapChunks.get(0)[0] & Page.PAGE_MASK;
            kernel.syscalls().mlock(t, start, spec.lockedBytes());
        }
        return touched;
    }

    /** Where an address space already maps a segment (a forked worker inherits its parent's), or -1. */
    private static long mappedAt(MmStruct mm, AddressSpace seg) {
        for (Vma v : mm.vmas()) {
            if (v.file() == seg && v.pgoff() == 0) {
                return v.start();
            }
        }
        return -1;
    }

    /**
     * Read a share of the read-only file pages (code and constants) of the program and its libraries. Which pages
     * is a property of the file, not of the process — the hot code of libc is the same for everyone — so processes
     * running the same code share the same pages.
     */
    private long readText(Task t, double share) {
        MmStruct mm = t.mm();
        if (mm == null || share <= 0) {
            return 0;
        }
        long touched = 0;
        for (Vma v : List.copyOf(mm.vmas())) {
            if (v.file() == null || v.test(VmFlags.VM_WRITE) || v.file().isShmem()) {
                continue;
            }
            long salt = v.file().path().hashCode() * 0x9E3779B97F4A7C15L;
            for (long a = v.start(); a < v.end(); a += Page.PAGE_SIZE) {
                long idx = v.pgoff() + ((a - v.start()) >>> Page.PAGE_SHIFT);
                long h = (salt ^ (idx * 0xC2B2AE3D27D4EB4FL)) * 0x165667B19E3779F9L;
                if ((h >>> 11) < share * (1L << 53)) {
                    kernel.syscalls().touch(t, a, 1, false);
                    touched += Page.PAGE_SIZE;
                }
            }
        }
        return touched;
    }
}
