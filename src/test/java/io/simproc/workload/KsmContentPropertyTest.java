package io.simproc.workload;

import io.simproc.kernel.Kernel;
import io.simproc.kernel.MachineProfileLoader;
import io.simproc.kernel.Syscalls;
import io.simproc.kernel.Task;
import io.simproc.mm.MemMap;
import io.simproc.mm.PageContent;
import io.simproc.mm.PageFlags;
import io.simproc.mm.PageTable;
import io.simproc.mm.Prot;
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
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * KSM keeps what every task reads. Random tasks map mergeable memory (MADV_MERGEABLE or prctl(PR_SET_MEMORY_MERGE))
 * and store into it — named data that other tasks store too (so that there is something to merge), zeros, or data
 * of their own — fork, unmerge, exit, and toggle run and use_zero_pages, while ksmd scans between operations. A
 * model remembers the word each task stored at each page; after every operation every page reads what the model
 * says (so no two pages of different data were ever merged), and a write to a KSM page leaves the writer with a
 * private page holding the written word and the KSM page as it was. The mm invariants (with KSM's) run after every
 * operation and timer.
 */
class KsmContentPropertyTest {
    private static final AtomicLong MERGED = new AtomicLong();
    private static final AtomicLong COW = new AtomicLong();
    private static final String[] DATA = {"image-a", "image-b", "zero"};

    @net.jqwik.api.lifecycle.AfterContainer
    static void somethingWasMergedAndBroken() {
        assertTrue(MERGED.get() > 0 && COW.get() > 0, "over all tries: " + MERGED + " pages sharing, " + COW
                + " KSM pages written");
    }

    @Property(tries = 4, shrinking = ShrinkingMode.OFF, edgeCases = EdgeCasesMode.NONE)
    void mergingNeverChangesWhatATaskReads(@ForAll long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        Kernel k = Kernel.boot(MachineProfileLoader.parse("t", "memory: 256M\n"), seed);
        k.setDebugChecks(true);
        Program bash = ProgramCatalog.embedded().program("bash");
        List<Task> tasks = new ArrayList<>();
        Map<Integer, long[]> regions = new HashMap<>();
        Map<Integer, Map<Long, Integer>> model = new HashMap<>();
        k.mutate(() -> {
            k.mm().ksm().setRun(1);
            k.mm().ksm().setPagesToScan(500);
            return null;
        });
        for (int op = 0; op < 80; op++) {
            int kind = rnd.nextInt(12);
            k.mutate(() -> {
                tasks.removeIf(t -> k.tasks().get(t.pid()) != t || t.mm() == null);
                if (tasks.size() < 2 || kind == 0 && tasks.size() < 5) {
                    Task t = k.processes().fork(k.tasks().get(2));
                    assertEquals(0, k.syscalls().execve(t, bash.exe(), bash.interp(), bash.libs(), List.of("bash")));
                    long len = (64 + rnd.nextInt(192)) * Page.PAGE_SIZE;
                    long a = k.syscalls().mmap(t, 0, len, Prot.READ | Prot.WRITE,
                            Prot.MAP_PRIVATE | Prot.MAP_ANONYMOUS, null, 0);
                    assertTrue(a > 0);
                    if (rnd.nextBoolean()) {
                        assertEquals(0, k.syscalls().madvise(t, a, len, Prot.MADV_MERGEABLE));
                    } else {
                        assertEquals(0, k.syscalls().prctl(t, Syscalls.PR_SET_MEMORY_MERGE, 1));
                    }
                    tasks.add(t);
                    regions.put(t.pid(), new long[] {a, len});
                    model.put(t.pid(), new HashMap<>());
                    return null;
                }
                Task t = tasks.get(rnd.nextInt(tasks.size()));
                long[] r = regions.get(t.pid());
                long pages = r[1] / Page.PAGE_SIZE;
                switch (kind) {
                    case 1, 2, 3, 4 -> {
                        long first = rnd.nextLong(pages);
                        long n = 1 + rnd.nextLong(pages - first);
                        String data = DATA[rnd.nextInt(DATA.length)];
                        long index = rnd.nextInt(2) == 0 ? first : rnd.nextLong(64);
                        assertEquals(0, k.syscalls().touch(t, r[0] + first * Page.PAGE_SIZE, n * Page.PAGE_SIZE,
                                true, data, index));
                        for (long i = 0; i < n; i++) {
                            model.get(t.pid()).put(r[0] + (first + i) * Page.PAGE_SIZE,
                                    (int) PageContent.dataWord(data, index + i));
                        }
                    }
                    case 5, 6 -> writeOne(k, t, r[0] + rnd.nextLong(pages) * Page.PAGE_SIZE, model.get(t.pid()));
                    case 7 -> {
                        if (tasks.size() < 5) {
                            Task child = k.syscalls().fork(t);
                            if (child != null) {
                                tasks.add(child);
                                regions.put(child.pid(), r.clone());
                                model.put(child.pid(), new HashMap<>(model.get(t.pid())));
                            }
                        }
                    }
                    case 8 -> {
                        long first = rnd.nextLong(pages);
                        assertEquals(0, k.syscalls().madvise(t, r[0] + first * Page.PAGE_SIZE,
                                (pages - first) * Page.PAGE_SIZE, rnd.nextBoolean() ? Prot.MADV_UNMERGEABLE
                                        : Prot.MADV_MERGEABLE));
                    }
                    case 9 -> {
                        int run = rnd.nextInt(3);
                        assertEquals(0, k.mm().ksm().setRun(run == 0 ? 2 : 1));
                    }
                    case 10 -> k.mm().ksm().setUseZeroPages(rnd.nextBoolean());
                    default -> {
                        if (tasks.size() > 2 && rnd.nextInt(3) == 0) {
                            k.syscalls().exit(t, 0);
                            tasks.remove(t);
                        }
                    }
                }
                return null;
            });
            k.advanceTo(k.jiffies() + 5 + rnd.nextInt(60));
            k.read(kk -> {
                ContentModel.assertEveryTaskReadsItsModel(kk, tasks, model, seed);
                MERGED.addAndGet(kk.mm().ksm().pagesSharing());
                return null;
            });
        }
    }

    /** A store of the task's own data at addr; a KSM page there is copied for it, the KSM page left as it was. */
    private static void writeOne(Kernel k, Task t, long addr, Map<Long, Integer> model) {
        MemMap map = k.mm().memMap();
        long before = t.mm().pageTable().get(addr);
        boolean ksm = PageTable.isPresent(before) && (before & PageTable._PAGE_SPECIAL) == 0
                && map.test(PageTable.pfnOf(before), PageFlags.PG_KSM);
        int kpfn = PageTable.pfnOf(before);
        int kword = ksm ? map.content(kpfn) : -1;
        assertEquals(0, k.syscalls().touch(t, addr, 1, true));
        long after = t.mm().pageTable().get(addr);
        int pfn = PageTable.pfnOf(after);
        assertTrue((after & PageTable._PAGE_RW) != 0, "the writer's page is writable");
        assertFalse(map.test(pfn, PageFlags.PG_KSM), "the writer's page is private");
        if (ksm) {
            COW.incrementAndGet();
            assertNotEquals(kpfn, pfn, "a write to a KSM page copies it");
            if (map.test(kpfn, PageFlags.PG_KSM)) {
                assertEquals(kword, map.content(kpfn), "the KSM page still holds what it held");
            }
        }
        model.put(addr, map.content(pfn));
    }
}
