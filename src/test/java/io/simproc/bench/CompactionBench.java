package io.simproc.bench;

import io.simproc.kernel.Kernel;
import io.simproc.kernel.MachineProfileLoader;
import io.simproc.kernel.Task;
import io.simproc.mm.MemoryManager;
import io.simproc.mm.Prot;
import io.simproc.mm.VmEvent;
import io.simproc.mm.Zone;
import io.simproc.mm.ZoneStatItem;
import io.simproc.uapi.Page;
import io.simproc.workload.Program;
import io.simproc.workload.ProgramCatalog;

import java.util.List;

/**
 * Full compaction of a fragmented machine, timed in wall seconds: a machine of SIZE boots, one process writes
 * anonymous memory worth 90% of the free pages and then gives back every other page (MADV_DONTNEED), so that the
 * free memory is order-0 holes all over the zones; then {@code compact_memory} (compact_nodes(): every zone, whole).
 * Prints the free 2 MiB blocks (buddyinfo's order 9, and order 10 counted twice) after boot, after the fragmenting
 * workload and after compaction (and how many the free pages would make at best), the pages migrated, the wall time of the compaction and pages migrated per wall
 * second, and the scanners' counts. A 1 GiB machine is compacted first, unprinted, so that the JIT has compiled
 * the paths before the timed runs.
 * {@code java -Xmx10g -cp … io.simproc.bench.CompactionBench SIZE...}
 */
public final class CompactionBench {
    private CompactionBench() {
    }

    public static void main(String[] args) {
        run("1G", false);
        for (String size : args.length > 0 ? args : new String[] {"8G", "64G"}) {
            run(size, true);
        }
    }

    /** One machine; {@code print} false for the JIT warm-up run. */
    static void run(String size, boolean print) {
        Kernel k = Kernel.boot(MachineProfileLoader.parse("bench", "memory: " + size + "\n"), 1);
        MemoryManager mm = k.mm();
        long booted = highOrderBlocks(mm);
        long bytes = (mm.vmstat().globalZoneState(ZoneStatItem.NR_FREE_PAGES) * 9 / 10) << Page.PAGE_SHIFT;
        Program bash = ProgramCatalog.embedded().program("bash");
        long fragmentStart = System.nanoTime();
        k.mutate(() -> {
            Task t = k.processes().fork(k.tasks().get(2));
            k.syscalls().execve(t, bash.exe(), bash.interp(), bash.libs(), List.of("bash"));
            long a = k.syscalls().mmap(t, 0, bytes, Prot.READ | Prot.WRITE, Prot.MAP_PRIVATE | Prot.MAP_ANONYMOUS
                    | Prot.MAP_NORESERVE, null, 0);
            if (a <= 0 || k.syscalls().touch(t, a, bytes, true) != 0) {
                throw new IllegalStateException("the fragmenting workload could not map and write " + bytes);
            }
            for (long off = 0; off < bytes; off += 2 * Page.PAGE_SIZE) {
                k.syscalls().madvise(t, a + off, Page.PAGE_SIZE, Prot.MADV_DONTNEED);
            }
            mm.pageAlloc().drainAllPages(null);
            return null;
        });
        double fragmentWall = (System.nanoTime() - fragmentStart) / 1e9;
        long fragmented = highOrderBlocks(mm);
        long migrated0 = mm.vmstat().event(VmEvent.PGMIGRATE_SUCCESS);
        long migrateScanned0 = mm.vmstat().event(VmEvent.COMPACT_MIGRATE_SCANNED);
        long freeScanned0 = mm.vmstat().event(VmEvent.COMPACT_FREE_SCANNED);
        long start = System.nanoTime();
        k.mutate(() -> {
            mm.compaction().compactNodes();
            return null;
        });
        double wall = (System.nanoTime() - start) / 1e9;
        long migrated = mm.vmstat().event(VmEvent.PGMIGRATE_SUCCESS) - migrated0;
        if (!print) {
            return;
        }
        System.out.printf("| %s | %.1f s | %d / %d / %d of %d | %d | %.2f s | %.2f million | %d | %d |%n", size,
                fragmentWall, booted, fragmented, highOrderBlocks(mm),
                mm.vmstat().globalZoneState(ZoneStatItem.NR_FREE_PAGES) >> 9, migrated, wall, migrated / wall / 1e6,
                mm.vmstat().event(VmEvent.COMPACT_MIGRATE_SCANNED) - migrateScanned0,
                mm.vmstat().event(VmEvent.COMPACT_FREE_SCANNED) - freeScanned0);
    }

    /** Free 2 MiB blocks over every zone: buddyinfo's order-9 column plus twice its order-10 column. */
    private static long highOrderBlocks(MemoryManager mm) {
        long n = 0;
        for (Zone z : mm.zones()) {
            n += z.nrFreeBlocks(9) + 2 * z.nrFreeBlocks(10);
        }
        return n;
    }
}
