package io.simproc.mm;

import io.simproc.kernel.Clock;
import io.simproc.kernel.Kernel;
import io.simproc.kernel.MachineProfileLoader;
import io.simproc.kernel.Task;
import io.simproc.workload.Program;
import io.simproc.workload.ProgramCatalog;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.IntPredicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * MmDebug finds what it promises to find: one machine under memory pressure (anonymous memory partly swapped out,
 * transparent huge pages, dirty page cache), one struct page or swap slot corrupted at a time, the violation named,
 * the corruption undone and the machine clean again. Covers the checks of the one pass over the mem_map
 * ({@link MemMapPass}) and those fed by the PTE counts ({@link PteCounts}).
 */
class MmDebugTest {
    private static Kernel k;
    private static MemoryManager mm;
    private static MemMap map;

    @BeforeAll
    static void machineUnderPressure() {
        k = Kernel.boot(MachineProfileLoader.parse("t", "memory: 128M\nswap:\n  - path: /swapfile\n    size: 64M\n"
                + "thp: always\n"), 1);
        mm = k.mm();
        map = mm.memMap();
        Program bash = ProgramCatalog.embedded().program("bash");
        k.mutate(() -> {
            Task t = k.processes().fork(k.tasks().get(2));
            assertEquals(0, k.syscalls().execve(t, bash.exe(), bash.interp(), bash.libs(), List.of("bash")));
            // Huge pages first, locked so that the pressure after does not reclaim (split) them.
            long huge = k.syscalls().mmap(t, 0, 8L << 20, Prot.READ | Prot.WRITE,
                    Prot.MAP_PRIVATE | Prot.MAP_ANONYMOUS, null, 0);
            assertEquals(0, k.syscalls().touch(t, huge, 8L << 20, true));
            assertEquals(0, k.syscalls().mlock(t, huge, 8L << 20));
            long big = k.syscalls().mmap(t, 0, 112L << 20, Prot.READ | Prot.WRITE,
                    Prot.MAP_PRIVATE | Prot.MAP_ANONYMOUS, null, 0);
            assertEquals(0, k.syscalls().madvise(t, big, 112L << 20, Prot.MADV_NOHUGEPAGE));
            assertEquals(0, k.syscalls().touch(t, big, 112L << 20, true));
            assertEquals(0, k.syscalls().create(k.tasks().get(1), "/data/f", 4L << 20));
            assertTrue(k.syscalls().write(k.tasks().get(1), "/data/f", 0, 1L << 20) > 0);
            return null;
        });
        k.advance(Clock.HZ / 10);
        k.mutate(() -> {
            assertEquals(List.of(), MmDebug.violations(mm), "the machine starts clean");
            assertTrue(mm.swap().totalSwapPages() > mm.swap().nrSwapPagesFree(), "some memory is swapped out");
            return null;
        });
    }

    /** The first pfn whose page satisfies {@code test}; the machine must have one. */
    private static int find(String what, IntPredicate test) {
        for (int pfn = 0; pfn < map.nrPfns(); pfn++) {
            if (test.test(pfn)) {
                return pfn;
            }
        }
        throw new AssertionError("the machine has no " + what);
    }

    private static boolean owned(int pfn, PageOwner owner) {
        return map.owner(pfn) == owner;
    }

    /** The violations while {@code corrupt} is in effect; {@code undo} restores the page and the machine is clean. */
    private static List<String> corrupted(Runnable corrupt, Runnable undo) {
        return k.mutate(() -> {
            corrupt.run();
            List<String> found = MmDebug.violations(mm);
            undo.run();
            assertEquals(List.of(), MmDebug.violations(mm), "clean again once undone");
            return found;
        });
    }

    private static void assertFound(List<String> violations, String start) {
        assertTrue(violations.stream().anyMatch(v -> v.startsWith(start)), "expected '" + start + "...' in "
                + violations);
    }

    private static void corruptFlags(int pfn, int set, int clear, String... expected) {
        int f = map.flags(pfn);
        List<String> found = corrupted(() -> map.setFlags(pfn, (f & ~clear) | set), () -> map.setFlags(pfn, f));
        for (String e : expected) {
            assertFound(found, e);
        }
    }

    @Test
    void aFreePageWithAnOwnerIsInTwoStatesAndItsZoneNoLongerAddsUp() {
        int pfn = find("free page", p -> map.isBuddy(p));
        corruptFlags(pfn, PageOwner.KERNEL.ordinal() << PageFlags.OWNER_SHIFT, 0, "pfn " + pfn + " is in 2 states",
                mm.zoneOf(pfn) + ": free ");
    }

    @Test
    void anAnonymousPageCountedAsAFilePageBreaksBothOwnersTallies() {
        int pfn = find("mapped anonymous page", p -> owned(p, PageOwner.ANON) && map.mapcount(p) > 0);
        corruptFlags(pfn, PageOwner.FILE.ordinal() << PageFlags.OWNER_SHIFT, PageFlags.OWNER_MASK,
                "owner ANON: ", "owner FILE: ", "NR_ANON_MAPPED (AnonPages) vs mapped anon pages is ");
    }

    @Test
    void anAnonymousPageWithoutAnAnonVmaIsNamed() {
        int pfn = find("mapped anonymous page", p -> owned(p, PageOwner.ANON) && map.mapcount(p) > 0);
        int mapping = map.mapping(pfn);
        assertFound(corrupted(() -> map.setMapping(pfn, 0), () -> map.setMapping(pfn, mapping)),
                "anonymous pfn " + pfn + " names no anon_vma (mapping 0)");
    }

    @Test
    void aMapcountThatIsNotThePtesIsNamed() {
        int pfn = find("mapped anonymous page", p -> owned(p, PageOwner.ANON) && map.mapcount(p) > 0
                && !map.test(p, PageFlags.PG_TRANSHUGE));
        int mapcount = map.mapcount(pfn);
        assertFound(corrupted(() -> map.setMapcount(pfn, mapcount + 1), () -> map.setMapcount(pfn, mapcount)),
                "pfn " + pfn + " mapcount " + (mapcount + 1) + " but " + mapcount + " PTEs map it");
    }

    @Test
    void swapCacheDirtyAndWritebackBitsAreCounted() {
        int file = find("clean page-cache page", p -> owned(p, PageOwner.FILE)
                && (map.flags(p) & (PageFlags.PG_DIRTY | PageFlags.PG_WRITEBACK | PageFlags.PG_SWAPCACHE)) == 0);
        corruptFlags(file, PageFlags.PG_SWAPCACHE, 0, "pfn " + file + " in the swap cache is owned by FILE",
                "NR_SWAPCACHE (SwapCached) is ");
        corruptFlags(file, PageFlags.PG_DIRTY, 0, "NR_FILE_DIRTY (Dirty) is ",
                mm.zoneOf(file) + ": NR_ZONE_WRITE_PENDING is ");
        corruptFlags(file, PageFlags.PG_WRITEBACK, 0, "NR_WRITEBACK (Writeback) is ",
                mm.zoneOf(file) + ": NR_ZONE_WRITE_PENDING is ");
        int dirty = find("dirty page-cache page", p -> owned(p, PageOwner.FILE) && map.test(p, PageFlags.PG_DIRTY));
        corruptFlags(dirty, 0, PageFlags.PG_DIRTY, "NR_FILE_DIRTY (Dirty) is ", "Σ files' dirty pages is ");
    }

    @Test
    void aTransparentHugePageMustBeMappedWholeAndCounted() {
        int tail = find("tail page of a THP", p -> map.test(p, PageFlags.PG_TRANSHUGE) && HugeMemory.headOf(p) != p
                && !mm.hugeMemory().isDeferred(HugeMemory.headOf(p)));
        int refcount = map.refcount(tail);
        assertFound(corrupted(() -> map.setRefcount(tail, refcount + 1), () -> map.setRefcount(tail, refcount)),
                "THP page " + tail + " (head " + HugeMemory.headOf(tail) + "): refcount " + (refcount + 1));
        corruptFlags(tail, 0, PageFlags.PG_TRANSHUGE, "node 0 NR_ANON_THPS is ");
    }

    @Test
    void aSwapSlotCountThatIsNotItsSwapPtesIsNamed() {
        Swapfile.SwapInfo si = mm.swap().areas().get(0);
        int slot = 1;
        while (slot < si.maxPages && (si.swapMap[slot] & Swapfile.COUNT_MASK) == 0) {
            slot++;
        }
        assertTrue(slot < si.maxPages, "a slot in use");
        int off = slot;
        int v = si.swapMap[off];
        int count = v & Swapfile.COUNT_MASK;
        assertFound(corrupted(() -> si.swapMap[off] = v + 1, () -> si.swapMap[off] = v),
                si.path + " slot " + off + ": count " + (count + 1) + " but " + count + " swap PTEs");
    }
}
