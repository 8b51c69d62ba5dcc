package io.simproc.workload;

import io.simproc.kernel.Kernel;
import io.simproc.kernel.MachineProfileLoader;
import io.simproc.kernel.Task;
import io.simproc.mm.AddressSpace;
import io.simproc.mm.MemoryManager;
import io.simproc.mm.MmDebug;
import io.simproc.mm.PageContent;
import io.simproc.mm.PageOwner;
import io.simproc.mm.PageTable;
import io.simproc.mm.Prot;
import io.simproc.mm.Vma;
import io.simproc.mm.VmEvent;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Migration keeps every task's data (issue 7): random workloads — anonymous writes, fork and copy-on-write, private
 * and shared file mappings read and written, holes punched with MADV_DONTNEED, memory pressure that swaps out and
 * faults back in, exits — then a full compaction (compact_memory) or a direct one (a costly order-9 allocation once
 * the free order-9 blocks are gone). Before and after, each task's view is read by walking its page tables: for
 * every page of every VMA, the data ({@link PageContent}) a load there reads — the mapped page's, the swap slot's,
 * or the zero page's or the file's for a PTE not yet faulted. The views are the same after compaction, pages did
 * move, a shared file mapping's PTEs name the page cache's page, and the mm invariants (MmDebug, run after every
 * operation) hold throughout.
 */
class MigrationContentPropertyTest {
    /**
     * Pages migrated, and mapped pages of the tasks that changed frames, over all tries: compaction may migrate
     * nothing in one try (its movable pages are huge pages, or sit above where the scanners meet), not in all.
     */
    private static final java.util.concurrent.atomic.AtomicLong MIGRATED = new java.util.concurrent.atomic.AtomicLong();
    private static final java.util.concurrent.atomic.AtomicLong MOVED = new java.util.concurrent.atomic.AtomicLong();

    @net.jqwik.api.lifecycle.AfterContainer
    static void somePagesMigratedAndSomeMappedPageMoved() {
        assertTrue(MIGRATED.get() > 0 && MOVED.get() > 0, "over all tries: " + MIGRATED + " pages migrated, "
                + MOVED + " mapped pages moved");
    }
    private static final long MIB = 1L << 20;

    @Property(tries = 4, shrinking = ShrinkingMode.OFF, edgeCases = EdgeCasesMode.NONE)
    void compactionKeepsWhatEveryTaskReads(@ForAll long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        Kernel k = Kernel.boot(MachineProfileLoader.parse("t", "memory: 256M\nswap:\n  - path: /dev/vda2\n"
                + "    size: 96M\n"), seed);
        k.setDebugChecks(true);
        ProcFs fs = new ProcFs(k, ProcTree.create(SysctlTable.create()));
        ProcTestSupport.write(fs, "/sys/vm/swappiness", "200\n", 0);
        String where = "seed " + seed;
        Program bash = ProgramCatalog.embedded().program("bash");
        List<Task> tasks = new ArrayList<>();
        List<long[]> maps = new ArrayList<>();
        long[] pressure = {0};
        Task ballast = k.mutate(() -> {
            Task t = k.processes().fork(k.tasks().get(2));
            assertEquals(0, k.syscalls().execve(t, bash.exe(), bash.interp(), bash.libs(), List.of("ballast")));
            return t;
        });
        for (int op = 0; op < 120; op++) {
            int kind = rnd.nextInt(10);
            k.mutate(() -> {
                tasks.removeIf(t -> k.tasks().get(t.pid()) != t || t.mm() == null);
                maps.removeIf(m -> tasks.stream().noneMatch(t -> t.pid() == m[0]));
                if (tasks.isEmpty() || kind == 0 && tasks.size() < 4) {
                    Task t = k.processes().fork(k.tasks().get(2));
                    if (t != null && k.syscalls().execve(t, bash.exe(), bash.interp(), bash.libs(),
                            List.of("bash")) == 0) {
                        tasks.add(t);
                    }
                    return null;
                }
                Task t = tasks.get(rnd.nextInt(tasks.size()));
                switch (kind) {
                    case 1, 2 -> {
                        long len = (1 + rnd.nextInt(2048)) * Page.PAGE_SIZE;
                        long a = k.syscalls().mmap(t, 0, len, Prot.READ | Prot.WRITE, (rnd.nextInt(4) == 0
                                ? Prot.MAP_SHARED : Prot.MAP_PRIVATE) | Prot.MAP_ANONYMOUS, null, 0);
                        if (a > 0) {
                            maps.add(new long[] {t.pid(), a, len});
                            if (rnd.nextInt(3) == 0) {
                                // Huge pages where they fit: compaction must leave them where they are.
                                k.syscalls().madvise(t, a, len, Prot.MADV_HUGEPAGE);
                            }
                            k.syscalls().touch(t, a, len / (1 + rnd.nextInt(3)), true);
                        }
                    }
                    case 3 -> {
                        AddressSpace f = k.vfs().file("/srv/data" + rnd.nextInt(4), 4 * MIB);
                        long len = (1 + rnd.nextInt(256)) * Page.PAGE_SIZE;
                        boolean shared = rnd.nextBoolean();
                        long a = k.syscalls().mmap(t, 0, len, Prot.READ | Prot.WRITE, shared ? Prot.MAP_SHARED
                                : Prot.MAP_PRIVATE, f, (long) rnd.nextInt(512) * Page.PAGE_SIZE);
                        if (a > 0) {
                            maps.add(new long[] {t.pid(), a, len});
                            k.syscalls().touch(t, a, len, rnd.nextBoolean());
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
                        long[] m = pick(maps, rnd);
                        Task owner = m == null ? null : k.tasks().get((int) m[0]);
                        if (owner != null) {
                            for (long off = 0; off < m[2]; off += 2 * Page.PAGE_SIZE) {
                                k.syscalls().madvise(owner, m[1] + off, Page.PAGE_SIZE, Prot.MADV_DONTNEED);
                            }
                        }
                    }
                    case 8 -> {
                        long len = (48 + rnd.nextInt(96)) * MIB;
                        if (pressure[0] + len / 2 > 200 * MIB) {
                            return null;
                        }
                        if (k.tasks().get(ballast.pid()) != ballast) {
                            return null;
                        }
                        long a = k.syscalls().mmap(ballast, 0, len, Prot.READ | Prot.WRITE,
                                Prot.MAP_PRIVATE | Prot.MAP_ANONYMOUS, null, 0);
                        if (a > 0 && k.syscalls().touch(ballast, a, len, true) == 0) {
                            pressure[0] += len / 2;
                            for (long off = 0; off < len; off += 2 * Page.PAGE_SIZE) {
                                k.syscalls().madvise(ballast, a + off, Page.PAGE_SIZE, Prot.MADV_DONTNEED);
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
        k.mutate(() -> {
            if (k.tasks().get(ballast.pid()) == ballast) {
                k.syscalls().exit(ballast, 0);
            }
            return null;
        });
        tasks.removeIf(t -> k.tasks().get(t.pid()) != t || t.mm() == null);
        assertTrue(!tasks.isEmpty(), where);
        Map<Task, Map<Long, Integer>> before = views(k, tasks);
        Map<Task, Map<Long, Integer>> pfnsBefore = pfns(k, tasks);
        long migrated = k.read(kk -> kk.mm().vmstat().event(VmEvent.PGMIGRATE_SUCCESS));
        boolean direct = rnd.nextBoolean();
        if (direct) {
            int took = k.mutate(() -> {
                int noCompaction = (io.simproc.mm.Gfp.GFP_KERNEL & ~io.simproc.mm.Gfp.__GFP_DIRECT_RECLAIM)
                        | io.simproc.mm.Gfp.__GFP_NOWARN;
                int n = 0;
                while (k.mm().pageAlloc().allocPages(noCompaction, 9, 0, 0, PageOwner.KERNEL) >= 0) {
                    n++;
                }
                return n;
            });
            long stalls = k.read(kk -> kk.mm().vmstat().event(VmEvent.COMPACT_STALL));
            k.mutate(() -> k.mm().pageAlloc().allocPages(io.simproc.mm.Gfp.GFP_KERNEL | io.simproc.mm.Gfp.__GFP_NOWARN,
                    9, 0, 0, PageOwner.KERNEL));
            if (k.read(kk -> kk.mm().vmstat().event(VmEvent.COMPACT_STALL)) == stalls) {
                // Taking the blocks left too little free memory for compaction to be suitable (free pages below
                // the low watermark plus compact_gap): direct compaction rightly did not run. Compact fully.
                System.out.println(where + ": no direct compaction after " + took + " order-9 blocks; full instead");
                direct = false;
            }
        }
        if (!direct) {
            assertEquals(2, ProcTestSupport.write(fs, "/sys/vm/compact_memory", "1\n", 0), where);
        }
        k.read(kk -> {
            MmDebug.check(kk.mm());
            return null;
        });
        MIGRATED.addAndGet(k.read(kk -> kk.mm().vmstat().event(VmEvent.PGMIGRATE_SUCCESS)) - migrated);
        Map<Task, Map<Long, Integer>> after = views(k, tasks);
        Map<Task, Map<Long, Integer>> pfnsAfter = pfns(k, tasks);
        long moved = 0;
        for (Task t : tasks) {
            assertEquals(before.get(t), after.get(t), where + (direct ? " direct" : " full") + ": what pid "
                    + t.pid() + " reads");
            for (Map.Entry<Long, Integer> e : pfnsBefore.get(t).entrySet()) {
                if (!e.getValue().equals(pfnsAfter.get(t).get(e.getKey()))) {
                    moved++;
                }
            }
        }
        MOVED.addAndGet(moved);
        assertSharedFileMappingsNameTheCache(k, tasks, where);
    }

    private static long[] pick(List<long[]> maps, SplittableRandom rnd) {
        return maps.isEmpty() ? null : maps.get(rnd.nextInt(maps.size()));
    }

    /** Read or write a random stretch of a random mapping (a swap-in, a COW break or a reuse). */
    private static void touchSome(Kernel k, List<Task> tasks, List<long[]> maps, SplittableRandom rnd, boolean write) {
        long[] m = pick(maps, rnd);
        Task t = m == null ? null : k.tasks().get((int) m[0]);
        if (t == null || !tasks.contains(t)) {
            return;
        }
        long pages = m[2] / Page.PAGE_SIZE;
        long from = rnd.nextLong(pages);
        long n = 1 + rnd.nextLong(Math.min(pages - from, 4096));
        k.syscalls().touch(t, m[1] + from * Page.PAGE_SIZE, n * Page.PAGE_SIZE, write);
    }

    /**
     * What each task reads at every page of its VMAs, from its page tables alone: a present PTE's page, a swap
     * entry's data, and for an empty PTE the zero page (anonymous) or the file's data at that offset.
     */
    static Map<Task, Map<Long, Integer>> views(Kernel k, List<Task> tasks) {
        return k.read(kk -> {
            MemoryManager mm = kk.mm();
            Map<Task, Map<Long, Integer>> out = new HashMap<>();
            for (Task t : tasks) {
                Map<Long, Integer> view = new HashMap<>();
                for (Vma v : t.mm().vmas()) {
                    for (long a = v.start(); a < v.end(); a += Page.PAGE_SIZE) {
                        long pte = t.mm().pageTable().get(a);
                        int word;
                        if (PageTable.isSwap(pte)) {
                            word = mm.swap().slotContent(PageTable.swapEntryOf(pte));
                        } else if (PageTable.isPresent(pte)) {
                            word = mm.memMap().content(PageTable.pfnOf(pte));
                        } else if (v.file() == null) {
                            word = PageContent.ZERO;
                        } else {
                            word = PageContent.fileWord(v.file(), (a - v.start()) / Page.PAGE_SIZE + v.pgoff());
                        }
                        view.put(a, word);
                    }
                }
                out.put(t, view);
            }
            return out;
        });
    }

    /** Each task's present PTEs: address → pfn. */
    private static Map<Task, Map<Long, Integer>> pfns(Kernel k, List<Task> tasks) {
        return k.read(kk -> {
            Map<Task, Map<Long, Integer>> out = new HashMap<>();
            for (Task t : tasks) {
                Map<Long, Integer> m = new HashMap<>();
                t.mm().forEachPresentPage((addr, pfn) -> m.put(addr, pfn));
                out.put(t, m);
            }
            return out;
        });
    }

    private static void assertSharedFileMappingsNameTheCache(Kernel k, List<Task> tasks, String where) {
        k.read(kk -> {
            for (Task t : tasks) {
                for (Vma v : t.mm().vmas()) {
                    if (v.file() == null || !v.test(io.simproc.mm.VmFlags.VM_SHARED)) {
                        continue;
                    }
                    for (long a = v.start(); a < v.end(); a += Page.PAGE_SIZE) {
                        long pte = t.mm().pageTable().get(a);
                        if (PageTable.isPresent(pte)) {
                            long index = (a - v.start()) / Page.PAGE_SIZE + v.pgoff();
                            assertEquals(v.file().findPage(index), PageTable.pfnOf(pte), where + ": " + v.file().path()
                                    + " index " + index + " in pid " + t.pid());
                        }
                    }
                }
            }
            return null;
        });
    }
}
