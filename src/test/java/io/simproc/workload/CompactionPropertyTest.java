package io.simproc.workload;

import io.simproc.kernel.Kernel;
import io.simproc.kernel.MachineProfileLoader;
import io.simproc.kernel.Task;
import io.simproc.mm.AddressSpace;
import io.simproc.mm.Gfp;
import io.simproc.mm.MemMap;
import io.simproc.mm.MmDebug;
import io.simproc.mm.PageAlloc;
import io.simproc.mm.PageOwner;
import io.simproc.mm.Prot;
import io.simproc.mm.VmEvent;
import io.simproc.mm.Zone;
import io.simproc.mm.slab.Slab;
import io.simproc.proc.ProcFs;
import io.simproc.proc.ProcTestSupport;
import io.simproc.proc.ProcTree;
import io.simproc.sysctl.SysctlTable;
import io.simproc.uapi.Page;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.ShrinkingMode;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Full compaction ({@code echo 1 > compact_memory}) never takes free memory out of blocks of pageblock order or more:
 * mm/compaction.c's free scanner skips a pageblock that begins with such a free block (suitable_migration_target())
 * and finds no other free page inside it, so such a block is never split into migration targets, and the migrate
 * scanner steps over free blocks whole. Each try boots a small machine (96 to 192 MiB, 1 to 4 CPUs, THP always or
 * madvise, swap) and drives it through rounds of random work — processes that map, write and punch holes in
 * anonymous memory (some of it huge pages), map files, fork and exit; kernel code that churns kmalloc caches of every
 * size and keeps some objects; raw allocations of every order, GFP_ATOMIC among them (high-atomic reserves), freed
 * later in any order; time passing (kswapd, kcompactd, the flusher) — and compacts after each round. Every free block
 * of order ≥ pageblock_order before the compaction must still lie, pageblock by pageblock, inside a free block of
 * order ≥ pageblock_order after it, and MmDebug must find nothing.
 *
 * <p>25 tries × 10 rounds = 250 compactions; at least 200 of them must start from a fragmented state (4 MiB or more
 * free in blocks below pageblock order), and compaction must have migrated pages in some.
 */
class CompactionPropertyTest {
    private static final long MIB = 1L << 20;
    private static final int ROUNDS = 10;
    /** Free pages below pageblock order that make a state fragmented: 4 MiB. */
    private static final long FRAGMENTED_PAGES = 4 * MIB / Page.PAGE_SIZE;

    private static final AtomicLong FRAGMENTED_STATES = new AtomicLong();
    private static final AtomicLong MIGRATED = new AtomicLong();

    @net.jqwik.api.lifecycle.AfterContainer
    static void enoughFragmentedStatesAndSomeMigration() {
        assertTrue(FRAGMENTED_STATES.get() >= 200, FRAGMENTED_STATES + " fragmented states compacted, want 200");
        assertTrue(MIGRATED.get() > 0, "no compaction migrated a page");
    }

    @Property(tries = 25, shrinking = ShrinkingMode.OFF, edgeCases = EdgeCasesMode.NONE)
    void fullCompactionNeverLosesPageblockOrderFreePages(@ForAll long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        Kernel k = Kernel.boot(MachineProfileLoader.parse("t", "memory: " + (96 + 32 * rnd.nextInt(4)) + "M\ncpu: "
                + (1 + rnd.nextInt(4)) + "\nthp: " + (rnd.nextBoolean() ? "always" : "madvise")
                + "\nswap:\n  - path: /dev/vda2\n    size: 64M\n"), seed);
        ProcFs fs = new ProcFs(k, ProcTree.create(SysctlTable.create()));
        Workload w = new Workload(k, rnd);
        for (int round = 0; round < ROUNDS; round++) {
            for (int op = 0; op < 10; op++) {
                k.mutate(() -> {
                    w.step();
                    return null;
                });
                if (rnd.nextInt(3) == 0) {
                    k.advance(1 + rnd.nextInt(100));
                }
            }
            String where = "seed " + seed + " round " + round;
            List<int[]> before = highOrderFreeBlocks(k);
            if (smallOrderFreePages(k) >= FRAGMENTED_PAGES) {
                FRAGMENTED_STATES.incrementAndGet();
            }
            long migrated = k.read(kk -> kk.mm().vmstat().event(VmEvent.PGMIGRATE_SUCCESS));
            assertEquals(2, ProcTestSupport.write(fs, "/sys/vm/compact_memory", "1\n", 0), where);
            MIGRATED.addAndGet(k.read(kk -> kk.mm().vmstat().event(VmEvent.PGMIGRATE_SUCCESS)) - migrated);
            k.read(kk -> {
                MmDebug.check(kk.mm());
                MemMap map = kk.mm().memMap();
                for (int[] b : before) {
                    for (int pfn = b[0]; pfn < b[0] + (1 << b[1]); pfn += PageAlloc.PAGEBLOCK_NR_PAGES) {
                        if (!inFreeHighOrderBlock(map, pfn)) {
                            fail(where + ": the free order-" + b[1] + " block at pfn " + b[0] + " lost its"
                                    + " pageblock at pfn " + pfn + " to compaction");
                        }
                    }
                }
                return null;
            });
        }
    }

    /** Whether the pageblock at {@code pfn} is inside a free block of pageblock order or more. */
    private static boolean inFreeHighOrderBlock(MemMap map, int pfn) {
        for (int order = PageAlloc.PAGEBLOCK_ORDER; order <= PageAlloc.MAX_PAGE_ORDER; order++) {
            int head = pfn & ~((1 << order) - 1);
            if (map.isBuddy(head) && map.buddyOrder(head) >= order) {
                return true;
            }
        }
        return false;
    }

    /** Every free block of pageblock order or more, as {pfn, order}: pageblock starts that are buddy heads. */
    private static List<int[]> highOrderFreeBlocks(Kernel k) {
        return k.read(kk -> {
            List<int[]> out = new ArrayList<>();
            MemMap map = kk.mm().memMap();
            for (Zone z : kk.mm().zones()) {
                long first = (z.zoneStartPfn() + PageAlloc.PAGEBLOCK_NR_PAGES - 1)
                        & ~(PageAlloc.PAGEBLOCK_NR_PAGES - 1L);
                for (long pfn = first; z.isPopulated() && pfn < z.zoneEndPfn(); pfn += PageAlloc.PAGEBLOCK_NR_PAGES) {
                    if (map.isBuddy((int) pfn) && map.buddyOrder((int) pfn) >= PageAlloc.PAGEBLOCK_ORDER) {
                        out.add(new int[] {(int) pfn, map.buddyOrder((int) pfn)});
                    }
                }
            }
            return out;
        });
    }

    /** Free pages of the buddy lists in blocks below pageblock order, over all zones. */
    private static long smallOrderFreePages(Kernel k) {
        return k.read(kk -> {
            long n = 0;
            for (Zone z : kk.mm().zones()) {
                for (int o = 0; o < PageAlloc.PAGEBLOCK_ORDER; o++) {
                    n += z.nrFreeBlocks(o) << o;
                }
            }
            return n;
        });
    }

    /** The random work of one try, one operation per {@link #step}, on the simulation thread. */
    private static final class Workload {
        private final Kernel k;
        private final SplittableRandom rnd;
        private final Program bash = ProgramCatalog.embedded().program("bash");
        private final List<Task> tasks = new ArrayList<>();
        /** Raw allocations still held: {pfn, order}; at most 16 MiB, never retried into the OOM killer. */
        private final List<int[]> blocks = new ArrayList<>();
        private static final int MAX_HELD_PAGES = (int) (16 * MIB / Page.PAGE_SIZE);
        private int heldPages;

        Workload(Kernel k, SplittableRandom rnd) {
            this.k = k;
            this.rnd = rnd;
        }

        private boolean alive(Task t) {
            return k.tasks().get(t.pid()) == t && t.mm() != null;
        }

        void step() {
            tasks.removeIf(t -> !alive(t));
            int kind = rnd.nextInt(12);
            if (tasks.isEmpty() || kind == 0 && tasks.size() < 5) {
                Task t = k.processes().fork(k.tasks().get(2));
                if (t != null && k.syscalls().execve(t, bash.exe(), bash.interp(), bash.libs(), List.of("bash")) == 0) {
                    tasks.add(t);
                }
                return;
            }
            Task t = tasks.get(rnd.nextInt(tasks.size()));
            int cpu = rnd.nextInt(k.profile().nrCpus());
            switch (kind) {
                case 1, 2, 3 -> anonymousWithHoles(t);
                case 4 -> {
                    AddressSpace f = k.vfs().file("/srv/data" + rnd.nextInt(4), 4 * MIB);
                    long len = (1 + rnd.nextInt(1024)) * Page.PAGE_SIZE;
                    long a = k.syscalls().mmap(t, 0, len, Prot.READ, Prot.MAP_PRIVATE, f, 0);
                    if (a > 0) {
                        k.syscalls().touch(t, a, len, false);
                    }
                }
                case 5 -> kmallocChurn(cpu);
                case 6 -> {
                    if (tasks.size() < 5) {
                        Task child = k.syscalls().fork(t);
                        if (child != null) {
                            tasks.add(child);
                        }
                    }
                }
                case 7 -> {
                    int order = rnd.nextInt(PageAlloc.MAX_PAGE_ORDER + 1);
                    int gfp = (rnd.nextBoolean() ? Gfp.GFP_ATOMIC : Gfp.GFP_KERNEL | Gfp.__GFP_NORETRY)
                            | Gfp.__GFP_NOWARN;
                    for (int i = 0; i < 1 + rnd.nextInt(8) && heldPages + (1 << order) <= MAX_HELD_PAGES; i++) {
                        int pfn = k.mm().pageAlloc().allocPages(gfp, order, 0, cpu, PageOwner.KERNEL);
                        if (pfn >= 0) {
                            blocks.add(new int[] {pfn, order});
                            heldPages += 1 << order;
                        }
                    }
                }
                case 8 -> {
                    for (int i = blocks.size() - 1; i >= 0; i--) {
                        if (rnd.nextInt(3) != 0) {
                            int[] b = blocks.remove(i);
                            k.mm().pageAlloc().freePages(b[0], b[1], cpu);
                            heldPages -= 1 << b[1];
                        }
                    }
                }
                default -> {
                    if (tasks.size() > 1) {
                        k.syscalls().exit(t, 0);
                    }
                }
            }
        }

        /** Map and write up to 16 MiB (huge pages where advised), then punch a hole every few pages. */
        private void anonymousWithHoles(Task t) {
            long len = (1 + rnd.nextInt(4096)) * Page.PAGE_SIZE;
            long a = k.syscalls().mmap(t, 0, len, Prot.READ | Prot.WRITE, Prot.MAP_PRIVATE | Prot.MAP_ANONYMOUS,
                    null, 0);
            if (a <= 0) {
                return;
            }
            if (rnd.nextInt(3) == 0) {
                k.syscalls().madvise(t, a, len, Prot.MADV_HUGEPAGE);
            }
            k.syscalls().touch(t, a, len, true);
            int stride = 2 + rnd.nextInt(6);
            for (long off = 0; off < len && alive(t); off += stride * Page.PAGE_SIZE) {
                k.syscalls().madvise(t, a + off, Page.PAGE_SIZE, Prot.MADV_DONTNEED);
            }
        }

        /** Kernel code allocates objects of one kmalloc size (up to 8 MiB) and frees all but about one in fifty. */
        private void kmallocChurn(int cpu) {
            Slab slab = k.mm().slab();
            int size = 64 << rnd.nextInt(12);
            List<Long> objects = new ArrayList<>();
            for (int i = 0; i < 100 + rnd.nextInt(1000) && (long) i * size < 8 * MIB; i++) {
                long addr = slab.kmalloc(size, Gfp.GFP_KERNEL | Gfp.__GFP_NORETRY | Gfp.__GFP_NOWARN, cpu);
                if (addr == 0) {
                    break;
                }
                objects.add(addr);
            }
            for (long addr : objects) {
                if (rnd.nextInt(50) != 0) {
                    slab.kfree(addr, cpu);
                }
            }
        }
    }
}
