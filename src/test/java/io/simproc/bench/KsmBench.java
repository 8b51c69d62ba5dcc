package io.simproc.bench;

import io.simproc.kernel.Kernel;
import io.simproc.kernel.MachineProfileLoader;
import io.simproc.kernel.Task;
import io.simproc.mm.Ksm;
import io.simproc.mm.Prot;
import io.simproc.workload.Program;
import io.simproc.workload.ProgramCatalog;

import java.util.List;

/**
 * What ksmd costs the simulation, in wall time: a machine of SIZE boots, GUESTS processes each map MIB MiB,
 * advise it MADV_MERGEABLE and write the same image into it; ksmd then runs (pages_to_scan 10000 every 20 ms) for
 * three full scans — the first records checksums, the second merges, the third finds everything merged — timed as
 * {@code simproc run} runs it. Prints the pages scanned, the wall time and pages scanned per wall second, the KSM
 * pages and sharers at the end, and the CPU time ksmd is charged on the simulated machine for the same scans. A
 * small run warms the JIT first, unprinted.
 * {@code java -Xmx10g -cp … io.simproc.bench.KsmBench SIZE:GUESTSxMIB...}
 */
public final class KsmBench {
    private KsmBench() {
    }

    public static void main(String[] args) {
        run("1G", 4, 32, false);
        for (String spec : args.length > 0 ? args : new String[] {"4G:10x256", "16G:10x1024"}) {
            String[] a = spec.split("[:x]");
            run(a[0], Integer.parseInt(a[1]), Integer.parseInt(a[2]), true);
        }
    }

    /** One machine; {@code print} false for the JIT warm-up run. */
    static void run(String size, int guests, int mib, boolean print) {
        Kernel k = Kernel.boot(MachineProfileLoader.parse("bench", "memory: " + size + "\n"), 1);
        Program bash = ProgramCatalog.embedded().program("bash");
        long bytes = (long) mib << 20;
        long writeStart = System.nanoTime();
        k.mutate(() -> {
            for (int g = 0; g < guests; g++) {
                Task t = k.processes().fork(k.tasks().get(2));
                k.syscalls().execve(t, bash.exe(), bash.interp(), bash.libs(), List.of("guest"));
                long a = k.syscalls().mmap(t, 0, bytes, Prot.READ | Prot.WRITE, Prot.MAP_PRIVATE
                        | Prot.MAP_ANONYMOUS, null, 0);
                if (a <= 0 || k.syscalls().madvise(t, a, bytes, Prot.MADV_MERGEABLE) != 0
                        || k.syscalls().touch(t, a, bytes, true, "image", 0) != 0) {
                    throw new IllegalStateException("guest " + g + " could not map and write " + bytes);
                }
            }
            Ksm ksm = k.mm().ksm();
            ksm.setPagesToScan(10_000);
            ksm.setRun(1);
            return null;
        });
        double writeWall = (System.nanoTime() - writeStart) / 1e9;
        Ksm ksm = k.mm().ksm();
        long scanned0 = ksm.pagesScanned();
        long cpu0 = ksm.cpuNanos();
        long start = System.nanoTime();
        long simStart = k.jiffies();
        while (k.read(x -> x.mm().ksm().fullScans()) < 3) {
            k.advanceTo(k.jiffies() + 25);
        }
        double wall = (System.nanoTime() - start) / 1e9;
        double simulated = (k.jiffies() - simStart) / 250.0;
        long scanned = ksm.pagesScanned() - scanned0;
        if (!print) {
            return;
        }
        System.out.printf("| %s | %d × %d MiB | %.1f s | %d | %.1f s | %.2f s | %.2f million | %d / %d | %.2f s |%n",
                size, guests, mib, writeWall, scanned, simulated, wall, scanned / wall / 1e6, ksm.pagesShared(),
                ksm.pagesSharing(), (ksm.cpuNanos() - cpu0) / 1e9);
    }
}
