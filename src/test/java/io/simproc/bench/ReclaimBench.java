package io.simproc.bench;

import io.simproc.kernel.Clock;
import io.simproc.kernel.Kernel;
import io.simproc.kernel.MachineProfileLoader;
import io.simproc.kernel.Task;
import io.simproc.mm.MemoryManager;
import io.simproc.mm.NodeStatItem;
import io.simproc.mm.Prot;
import io.simproc.mm.VmEvent;
import io.simproc.workload.Program;
import io.simproc.workload.ProgramCatalog;

import java.util.List;

/**
 * Reclaim under the swappiness workload, timed in wall seconds: a machine of SIZE with as much swap; one process
 * streams through a file of half the RAM at RAM/20 per second (re-reading it, so its pages refault), another
 * writes anonymous memory at RAM/40 per second until it holds 70% of RAM, for SECONDS of simulated time, once with
 * vm.swappiness 10 and once with 100. Prints simulated seconds per wall second, pages scanned and reclaimed per
 * wall second, pswpout and the page cache left at the end.
 * {@code java -cp … io.simproc.bench.ReclaimBench SIZE SECONDS}
 */
public final class ReclaimBench {
    private ReclaimBench() {
    }

    public static void main(String[] args) {
        String size = args.length > 0 ? args[0] : "8G";
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 60;
        for (int swappiness : new int[] {10, 100}) {
            run(size, seconds, swappiness);
        }
    }

    static void run(String size, int seconds, int swappiness) {
        Kernel k = Kernel.boot(MachineProfileLoader.parse("bench", "memory: " + size + "\nswap:\n  - path: /dev/vda2\n"
                + "    size: " + size + "\n"), 1);
        MemoryManager mm = k.mm();
        long ram = mm.vmstat().totalramPages() << 12;
        Program bash = ProgramCatalog.embedded().program("bash");
        Task[] t = k.mutate(() -> {
            mm.tunables().setSwappiness(swappiness);
            Task a = k.processes().fork(k.tasks().get(2));
            k.syscalls().execve(a, bash.exe(), bash.interp(), bash.libs(), List.of("bash"));
            Task b = k.processes().fork(k.tasks().get(2));
            k.syscalls().execve(b, bash.exe(), bash.interp(), bash.libs(), List.of("bash"));
            k.syscalls().create(a, "/srv/data/table.dat", ram / 2);
            return new Task[] {a, b};
        });
        long anonTarget = ram * 7 / 10;
        long anon = k.mutate(() -> k.syscalls().mmap(t[1], 0, anonTarget, Prot.READ | Prot.WRITE,
                Prot.MAP_PRIVATE | Prot.MAP_ANONYMOUS | Prot.MAP_NORESERVE, null, 0));
        long tick = Clock.HZ / 10;
        long readPerTick = ram / 20 / 10;
        long writePerTick = ram / 40 / 10;
        long[] cursor = {0, 0};
        long scan0 = mm.vmstat().event(VmEvent.PGSCAN_KSWAPD) + mm.vmstat().event(VmEvent.PGSCAN_DIRECT);
        long steal0 = mm.vmstat().event(VmEvent.PGSTEAL_KSWAPD) + mm.vmstat().event(VmEvent.PGSTEAL_DIRECT);
        long start = System.nanoTime();
        for (long j = 0; j < seconds * Clock.HZ; j += tick) {
            k.mutate(() -> {
                k.syscalls().read(t[0], "/srv/data/table.dat", cursor[0], readPerTick);
                cursor[0] = (cursor[0] + readPerTick) % (ram / 2);
                if (cursor[1] < anonTarget) {
                    long n = Math.min(writePerTick, anonTarget - cursor[1]);
                    k.syscalls().touch(t[1], anon + cursor[1], n, true);
                    cursor[1] += n;
                }
                return null;
            });
            k.advance(tick);
        }
        double wall = (System.nanoTime() - start) / 1e9;
        long scanned = mm.vmstat().event(VmEvent.PGSCAN_KSWAPD) + mm.vmstat().event(VmEvent.PGSCAN_DIRECT) - scan0;
        long stolen = mm.vmstat().event(VmEvent.PGSTEAL_KSWAPD) + mm.vmstat().event(VmEvent.PGSTEAL_DIRECT) - steal0;
        System.out.printf("| %s | %d | %.1f | %.0f | %.0f | %d | %d MiB |%n", size, swappiness, seconds / wall,
                scanned / wall, stolen / wall, mm.vmstat().event(VmEvent.PSWPOUT),
                (mm.vmstat().globalNodeState(NodeStatItem.NR_FILE_PAGES) - mm.vmstat().globalNodeState(NodeStatItem.NR_SWAPCACHE)) >> 8);
    }
}
