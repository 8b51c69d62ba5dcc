package io.simproc.bench;

import io.simproc.kernel.Kernel;
import io.simproc.kernel.MachineProfile;
import io.simproc.kernel.MachineProfileLoader;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

/**
 * Boot time and heap per simulated page for one machine size, in a fresh JVM (mount-scripts/bench runs one per
 * size). Prints one Markdown table row: the cold boot as a user waits for it (first boot in the JVM: class loading,
 * JIT, heap growth included), a warm boot for comparison, the heap the booted machine retains (used heap after a
 * full GC with the machine, minus the same before booting) and that heap per page frame and per managed page.
 * With "population" as third argument the machine also runs the default machine's processes.
 */
public final class BootHeap {
    private BootHeap() {
    }

    public static void main(String[] args) {
        String size = args[0];
        String nodes = args.length > 1 ? args[1] : "1";
        boolean population = args.length > 2 && args[2].equals("population");
        MachineProfile p = MachineProfileLoader.parse("bench", "memory: " + size + "\nnodes: " + nodes + "\n");
        MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
        long baseline = usedAfterGc(mem);
        long t0 = System.nanoTime();
        Kernel k = boot(p, 1, population);
        long cold = System.nanoTime() - t0;
        long retained = usedAfterGc(mem) - baseline;
        long frames = k.read(kk -> (long) kk.mm().memMap().nrPfns());
        long managed = k.read(kk -> kk.mm().vmstat().totalramPages());
        k = null;
        usedAfterGc(mem);
        t0 = System.nanoTime();
        Kernel warm = boot(p, 2, population);
        long warmNanos = System.nanoTime() - t0;
        System.out.printf("| %s, %s node%s%s | %.2f s | %.2f s | %d MiB | %.1f B | %.1f B |%n", size, nodes,
                nodes.equals("1") ? "" : "s", population ? ", default population" : "", cold / 1e9,
                warmNanos / 1e9, retained >> 20,
                (double) retained / frames, (double) retained / managed);
        if (warm.jiffies() < 0) {
            throw new IllegalStateException("unreachable: keeps the warm machine alive until measured");
        }
    }

    private static Kernel boot(MachineProfile p, long seed, boolean population) {
        return population ? io.simproc.workload.Machines.boot(p, seed) : Kernel.boot(p, seed);
    }

    private static long usedAfterGc(MemoryMXBean mem) {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return mem.getHeapMemoryUsage().getUsed();
    }
}
