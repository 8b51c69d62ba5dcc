package io.simproc.workload;

import io.simproc.kernel.Kernel;
import io.simproc.kernel.MachineProfileLoader;
import io.simproc.kernel.Processes;
import io.simproc.kernel.Task;
import io.simproc.mm.DataClass;
import io.simproc.mm.MmDebug;
import io.simproc.mm.Prot;
import io.simproc.mm.VmEvent;
import io.simproc.mm.Zram;
import io.simproc.uapi.Page;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.ShrinkingMode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * zram keeps every task's data (issue 17): random workloads of processes of random data classes — anonymous writes,
 * fork and copy-on-write, holes punched with MADV_DONTNEED, memory pressure that swaps to a zram device (sometimes
 * under a mem_limit that makes writes fail, so pages stay), exits — with the mm invariants, the zram checker among
 * them, after every operation. Then every page of every task is read, which brings back what zram stores: what each
 * task reads is what it read before (its data words, {@code MigrationContentPropertyTest.views}).
 */
class ZramContentPropertyTest {
    private static final AtomicLong STORED = new AtomicLong();
    private static final AtomicLong READ_BACK = new AtomicLong();
    private static final AtomicLong FAILED = new AtomicLong();
    private static final long MIB = 1L << 20;

    @net.jqwik.api.lifecycle.AfterContainer
    static void zramStoredReadBackAndFailed() {
        assertTrue(STORED.get() > 0 && READ_BACK.get() > 0 && FAILED.get() > 0, "over all tries: " + STORED
                + " pages stored, " + READ_BACK + " swap-ins, " + FAILED + " failed writes");
    }

    @Property(tries = 6, shrinking = ShrinkingMode.OFF, edgeCases = EdgeCasesMode.NONE)
    void everyPageStoredInZramReadsBackAsItWas(@ForAll long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        Kernel k = Kernel.boot(MachineProfileLoader.parse("t", "memory: 256M\n"), seed);
        k.setDebugChecks(true);
        String where = "seed " + seed;
        boolean limited = rnd.nextInt(3) == 0;
        k.mutate(() -> {
            Zram z = k.mm().zram();
            assertEquals(0, z.setComp(rnd.nextBoolean() ? "lz4" : "lzo-rle"));
            assertEquals(0, z.setDisksize(160 * MIB));
            if (limited) {
                z.setMemLimit(12 * MIB);
            }
            assertEquals(0, z.mkswap());
            assertEquals(0, k.syscalls().swapon(k.tasks().get(Processes.INIT_PID), "/dev/zram0", 100));
            return null;
        });
        Program bash = ProgramCatalog.embedded().program("bash");
        List<Task> tasks = new ArrayList<>();
        List<long[]> maps = new ArrayList<>();
        DataClass[] classes = DataClass.values();
        for (int op = 0; op < 100; op++) {
            int kind = rnd.nextInt(9);
            k.mutate(() -> {
                tasks.removeIf(t -> k.tasks().get(t.pid()) != t || t.mm() == null);
                maps.removeIf(m -> tasks.stream().noneMatch(t -> t.pid() == m[0]));
                if (tasks.isEmpty() || kind == 0 && tasks.size() < 4) {
                    Task t = k.processes().fork(k.tasks().get(2));
                    if (t != null && k.syscalls().execve(t, bash.exe(), bash.interp(), bash.libs(),
                            List.of("bash")) == 0) {
                        t.mm().setDataClass(classes[rnd.nextInt(classes.length)]);
                        tasks.add(t);
                    }
                    return null;
                }
                Task t = tasks.get(rnd.nextInt(tasks.size()));
                switch (kind) {
                    case 1, 2, 3 -> {
                        long len = (1 + rnd.nextInt(8192)) * Page.PAGE_SIZE;
                        long a = k.syscalls().mmap(t, 0, len, Prot.READ | Prot.WRITE,
                                Prot.MAP_PRIVATE | Prot.MAP_ANONYMOUS, null, 0);
                        if (a > 0) {
                            maps.add(new long[] {t.pid(), a, len});
                            k.syscalls().touch(t, a, len, true);
                        }
                    }
                    case 4 -> {
                        if (tasks.size() < 5) {
                            Task child = k.syscalls().fork(t);
                            if (child != null) {
                                tasks.add(child);
                                for (long[] m : new ArrayList<>(maps)) {
                                    if (m[0] == t.pid()) {
                                        maps.add(new long[] {child.pid(), m[1], m[2]});
                                    }
                                }
                            }
                        }
                    }
                    case 5, 6 -> touchSome(k, tasks, maps, rnd, kind == 5);
                    case 7 -> {
                        long[] m = maps.isEmpty() ? null : maps.get(rnd.nextInt(maps.size()));
                        Task owner = m == null ? null : k.tasks().get((int) m[0]);
                        if (owner != null) {
                            for (long off = 0; off < m[2]; off += 3 * Page.PAGE_SIZE) {
                                k.syscalls().madvise(owner, m[1] + off, Page.PAGE_SIZE, Prot.MADV_DONTNEED);
                            }
                        }
                    }
                    default -> {
                        if (tasks.size() > 2) {
                            k.syscalls().exit(t, 0);
                        }
                    }
                }
                return null;
            });
            if (op % 8 == 0) {
                k.advance(1);
            }
        }
        tasks.removeIf(t -> k.tasks().get(t.pid()) != t || t.mm() == null);
        assertTrue(!tasks.isEmpty(), where);
        STORED.addAndGet(k.read(kk -> kk.mm().vmstat().event(VmEvent.PSWPOUT)));
        Map<Task, Map<Long, Integer>> before = MigrationContentPropertyTest.views(k, tasks);
        long pswpin = k.read(kk -> kk.mm().vmstat().event(VmEvent.PSWPIN));
        for (Task t : tasks) {
            k.mutate(() -> {
                for (long[] m : maps) {
                    // Reading one mapping back may make the OOM killer take this very task.
                    if (m[0] == t.pid() && k.tasks().get(t.pid()) == t && t.mm() != null) {
                        k.syscalls().touch(t, m[1], m[2], false);
                    }
                }
                return null;
            });
        }
        tasks.removeIf(t -> k.tasks().get(t.pid()) != t || t.mm() == null);
        k.read(kk -> {
            MmDebug.check(kk.mm());
            return null;
        });
        READ_BACK.addAndGet(k.read(kk -> kk.mm().vmstat().event(VmEvent.PSWPIN)) - pswpin);
        FAILED.addAndGet(k.read(kk -> kk.mm().zram().ioStat()[1]));
        Map<Task, Map<Long, Integer>> after = MigrationContentPropertyTest.views(k, tasks);
        for (Task t : tasks) {
            assertEquals(before.get(t), after.get(t), where + ": what pid " + t.pid() + " reads");
        }
    }

    /** Read or write a random stretch of a random mapping (a swap-in, a COW break or a reuse). */
    private static void touchSome(Kernel k, List<Task> tasks, List<long[]> maps, SplittableRandom rnd, boolean write) {
        long[] m = maps.isEmpty() ? null : maps.get(rnd.nextInt(maps.size()));
        Task t = m == null ? null : k.tasks().get((int) m[0]);
        if (t == null || !tasks.contains(t)) {
            return;
        }
        long pages = m[2] / Page.PAGE_SIZE;
        long from = rnd.nextLong(pages);
        long n = 1 + rnd.nextLong(Math.min(pages - from, 4096));
        k.syscalls().touch(t, m[1] + from * Page.PAGE_SIZE, n * Page.PAGE_SIZE, write);
    }
}
