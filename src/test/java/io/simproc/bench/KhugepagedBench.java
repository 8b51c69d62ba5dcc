package io.simproc.bench;

import io.simproc.kernel.Kernel;
import io.simproc.kernel.MachineProfileLoader;
import io.simproc.kernel.Task;
import io.simproc.mm.Khugepaged;
import io.simproc.mm.Prot;
import io.simproc.uapi.Page;
import io.simproc.workload.Program;
import io.simproc.workload.ProgramCatalog;

import java.util.List;

/**
 * What khugepaged costs the simulation, in wall time: a machine of SIZE boots (THP mode madvise), PROCS processes
 * each map MIB MiB at a 2 MiB boundary and write every fourth page of it (4 KiB pages), then advise it
 * MADV_HUGEPAGE; khugepaged then runs (pages_to_scan 65536, 128 ranges, every 10 ms) until every range is
 * collapsed, timed as {@code simproc run} runs it. Prints the ranges collapsed, the simulated and wall time,
 * collapses per wall second and the CPU time khugepaged is charged on the simulated machine. A small run warms the
 * JIT first, unprinted. {@code java -Xmx10g -cp … io.simproc.bench.KhugepagedBench SIZE:PROCSxMIB...}
 */
public final class KhugepagedBench {
    private KhugepagedBench() {
    }

    public static void main(String[] args) {
        run("1G", 2, 64, false);
        for (String spec : args.length > 0 ? args : new String[] {"4G:4x512", "16G:8x1024"}) {
            String[] a = spec.split("[:x]");
            run(a[0], Integer.parseInt(a[1]), Integer.parseInt(a[2]), true);
        }
    }

    /** One machine; {@code print} false for the JIT warm-up run. */
    static void run(String size, int procs, int mib, boolean print) {
        Kernel k = Kernel.boot(MachineProfileLoader.parse("bench", "memory: " + size + "\nthp: madvise\n"), 1);
        Program bash = ProgramCatalog.embedded().program("bash");
        long bytes = (long) mib << 20;
        long huge = 2L << 20;
        long ranges = (long) procs * (bytes / huge);
        long writeStart = System.nanoTime();
        k.mutate(() -> {
            for (int p = 0; p < procs; p++) {
                Task t = k.processes().fork(k.tasks().get(2));
                k.syscalls().execve(t, bash.exe(), bash.interp(), bash.libs(), List.of("app"));
                long raw = k.syscalls().mmap(t, 0, bytes + huge, Prot.READ | Prot.WRITE, Prot.MAP_PRIVATE
                        | Prot.MAP_ANONYMOUS, null, 0);
                long a = (raw + huge - 1) & ~(huge - 1);
                for (long off = 0; off < bytes; off += 4 * Page.PAGE_SIZE) {
                    if (k.syscalls().touch(t, a + off, Page.PAGE_SIZE, true) != 0) {
                        throw new IllegalStateException("process " + p + " could not write " + bytes);
                    }
                }
                if (k.syscalls().madvise(t, a, bytes, Prot.MADV_HUGEPAGE) != 0) {
                    throw new IllegalStateException("madvise");
                }
            }
            Khugepaged khp = k.mm().khugepaged();
            khp.setPagesToScan(65_536);
            khp.setScanSleepMillisecs(10);
            return null;
        });
        double writeWall = (System.nanoTime() - writeStart) / 1e9;
        Khugepaged khp = k.mm().khugepaged();
        long cpu0 = khp.cpuNanos();
        long start = System.nanoTime();
        long simStart = k.jiffies();
        while (k.read(x -> x.mm().khugepaged().pagesCollapsed()) < ranges) {
            k.advanceTo(k.jiffies() + 5);
        }
        double wall = (System.nanoTime() - start) / 1e9;
        double simulated = (k.jiffies() - simStart) / 250.0;
        if (!print) {
            return;
        }
        System.out.printf("| %s | %d × %d MiB | %.1f s | %d | %.2f s | %.2f s | %.0f | %.3f s |%n",
                size, procs, mib, writeWall, khp.pagesCollapsed(), simulated, wall, khp.pagesCollapsed() / wall,
                (khp.cpuNanos() - cpu0) / 1e9);
    }
}
