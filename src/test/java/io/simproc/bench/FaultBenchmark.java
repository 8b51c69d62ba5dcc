package io.simproc.bench;

import io.simproc.kernel.Kernel;
import io.simproc.kernel.MachineProfileLoader;
import io.simproc.kernel.Task;
import io.simproc.mm.Prot;
import io.simproc.mm.VmEvent;
import io.simproc.workload.Program;
import io.simproc.workload.ProgramCatalog;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Simulated page faults per second on the default machine: first touch of anonymous memory (allocate, zero, map:
 * do_anonymous_page), the same with transparent huge pages (do_huge_pmd_anonymous_page), and a write to memory
 * shared copy-on-write after fork (copy: do_wp_page). Each invocation faults in 1024 pages, then unmaps them (the
 * unmap is part of the measured cost). A mapping or fault that fails throws, and so does a huge-page run whose
 * faults fell back to 4 KiB pages.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FaultBenchmark {
    static final int PAGES = 1024;
    static final long LEN = (long) PAGES << 12;
    /** The 2 MiB pages {@link #anonymousFirstTouchHugePages} faults in. */
    static final long HUGE_PAGES = LEN >> 21;
    private Kernel kernel;
    private Task parent;
    private Task child;
    private long shared;

    @Setup(Level.Trial)
    public void boot() {
        kernel = Kernel.boot(MachineProfileLoader.loadDefault(), 1);
        Program bash = ProgramCatalog.embedded().program("bash");
        kernel.mutate(() -> {
            parent = kernel.processes().fork(kernel.tasks().get(2));
            Checks.ok(kernel.syscalls().execve(parent, bash.exe(), bash.interp(), bash.libs(), List.of("bash")),
                    "execve");
            inMemoryCgroups(Integer.getInteger("simproc.bench.memcg", 0));
            return null;
        });
    }

    /**
     * With {@code -Dsimproc.bench.memcg=N}: N memory cgroups /bench0 .. /benchN-1 (the memory controller enabled
     * at the root), the faulting task in the last, so that every fault charges a group (issue 15's bound).
     */
    private void inMemoryCgroups(int n) {
        if (n == 0) {
            return;
        }
        io.simproc.kernel.Cgroups cg = kernel.cgroups();
        cg.control().subtreeControlWrite(cg.root(), cg.subsysMask(), 0);
        for (int i = 0; i < n; i++) {
            Checks.ok(cg.mkdir(cg.root(), "bench" + i, 0755, io.simproc.uapi.Credentials.ROOT), "mkdir");
        }
        Checks.ok(kernel.processes().setCgroup(parent, cg.lookup("/bench" + (n - 1))), "cgroup move");
    }

    @Setup(Level.Invocation)
    public void forkWithSharedMemory() {
        kernel.mutate(() -> {
            shared = Checks.mapped(kernel.syscalls().mmap(parent, 0, LEN, Prot.READ | Prot.WRITE,
                    Prot.MAP_PRIVATE | Prot.MAP_ANONYMOUS, null, 0));
            Checks.ok(kernel.syscalls().touch(parent, shared, LEN, true), "touch");
            child = kernel.processes().fork(parent);
            return null;
        });
    }

    @TearDown(Level.Invocation)
    public void reap() {
        kernel.mutate(() -> {
            kernel.processes().exit(child, 0);
            Checks.ok(kernel.syscalls().munmap(parent, shared, LEN), "munmap");
            return null;
        });
    }

    @Benchmark
    @OperationsPerInvocation(PAGES)
    public int anonymousFirstTouch() {
        return kernel.mutate(() -> {
            long a = Checks.mapped(kernel.syscalls().mmap(parent, 0, LEN, Prot.READ | Prot.WRITE,
                    Prot.MAP_PRIVATE | Prot.MAP_ANONYMOUS, null, 0));
            int r = Checks.ok(kernel.syscalls().touch(parent, a, LEN, true), "touch");
            Checks.ok(kernel.syscalls().munmap(parent, a, LEN), "munmap");
            return r;
        });
    }

    /**
     * The same 4 MiB after madvise(MADV_HUGEPAGE): two huge-page faults (an order-9 allocation, 512 struct pages
     * set up, LRU and rmap per page) and a zap of two huge PMDs; counted per base page made present.
     */
    @Benchmark
    @OperationsPerInvocation(PAGES)
    public int anonymousFirstTouchHugePages() {
        return kernel.mutate(() -> {
            long a = Checks.mapped(kernel.syscalls().mmap(parent, 0, LEN, Prot.READ | Prot.WRITE,
                    Prot.MAP_PRIVATE | Prot.MAP_ANONYMOUS, null, 0));
            Checks.ok(kernel.syscalls().madvise(parent, a, LEN, Prot.MADV_HUGEPAGE), "madvise");
            long huge = kernel.mm().vmstat().event(VmEvent.THP_FAULT_ALLOC);
            int r = Checks.ok(kernel.syscalls().touch(parent, a, LEN, true), "touch");
            if (kernel.mm().vmstat().event(VmEvent.THP_FAULT_ALLOC) - huge != HUGE_PAGES) {
                throw new IllegalStateException("the faults fell back to 4 KiB pages");
            }
            Checks.ok(kernel.syscalls().munmap(parent, a, LEN), "munmap");
            return r;
        });
    }

    @Benchmark
    @OperationsPerInvocation(PAGES)
    public int copyOnWrite() {
        return kernel.mutate(() -> Checks.ok(kernel.syscalls().touch(child, shared, LEN, true), "touch"));
    }
}
