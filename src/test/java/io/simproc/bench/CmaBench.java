package io.simproc.bench;

import io.simproc.kernel.Kernel;
import io.simproc.kernel.MachineProfileLoader;
import io.simproc.kernel.Task;
import io.simproc.mm.Cma;
import io.simproc.mm.Prot;
import io.simproc.mm.VmEvent;
import io.simproc.workload.Program;
import io.simproc.workload.ProgramCatalog;

import java.util.List;

/**
 * What cma_alloc() of a 64 MiB range costs the simulation, in wall time: a 1 GiB machine with cma=128M boots, a
 * process writes 800 MiB (its pages fill most of the area), then cma_alloc() of 16384 pages migrates the movable
 * pages of the run out (alloc_contig_range()); next to it, in the same run, cma_release() and a cma_alloc() of the
 * same, now free, range (isolation and taking the pages only). ROUNDS fresh machines; the first, unprinted, warms
 * the JIT. Prints per round the pages migrated and the two times.
 * {@code java -cp … io.simproc.bench.CmaBench [ROUNDS]}
 */
public final class CmaBench {
    private CmaBench() {
    }

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        run(false);
        for (int i = 0; i < rounds; i++) {
            run(true);
        }
    }

    static void run(boolean print) {
        Kernel k = Kernel.boot(MachineProfileLoader.parse("bench", "memory: 1G\ncpu: 2\ncma: 128M\n"), 1);
        Program bash = ProgramCatalog.embedded().program("bash");
        long bytes = 800L << 20;
        k.mutate(() -> {
            Task t = k.processes().fork(k.tasks().get(2));
            k.syscalls().execve(t, bash.exe(), bash.interp(), bash.libs(), List.of("app"));
            long a = k.syscalls().mmap(t, 0, bytes, Prot.READ | Prot.WRITE, Prot.MAP_PRIVATE | Prot.MAP_ANONYMOUS,
                    null, 0);
            if (a <= 0 || k.syscalls().touch(t, a, bytes, true) != 0) {
                throw new IllegalStateException("could not map and write " + bytes);
            }
            return null;
        });
        long[] r = k.mutate(() -> {
            Cma cma = k.mm().cma();
            long migrated0 = k.mm().vmstat().event(VmEvent.PGMIGRATE_SUCCESS);
            long t0 = System.nanoTime();
            int pfn = cma.alloc(16384, Cma.CMA_ALIGNMENT, true, 0);
            long t1 = System.nanoTime();
            long migrated = k.mm().vmstat().event(VmEvent.PGMIGRATE_SUCCESS) - migrated0;
            if (pfn < 0 || !cma.release(pfn, 16384, 0)) {
                throw new IllegalStateException("cma_alloc of 64 MiB failed");
            }
            long t2 = System.nanoTime();
            int again = cma.alloc(16384, Cma.CMA_ALIGNMENT, true, 0);
            long t3 = System.nanoTime();
            if (again != pfn) {
                throw new IllegalStateException("the free run was not taken again: " + again + " vs " + pfn);
            }
            return new long[] {migrated, t1 - t0, t3 - t2};
        });
        if (print) {
            System.out.printf("| %d | %.1f ms | %.2f million | %.1f ms |%n", r[0], r[1] / 1e6,
                    r[0] / (r[1] / 1e9) / 1e6, r[2] / 1e6);
        }
    }
}
