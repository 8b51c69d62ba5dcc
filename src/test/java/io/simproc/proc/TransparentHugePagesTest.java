package io.simproc.proc;

import io.simproc.kernel.Kernel;
import io.simproc.kernel.Task;
import io.simproc.mm.HugeMemory;
import io.simproc.mm.MemMap;
import io.simproc.mm.MemoryManager;
import io.simproc.mm.NodeStatItem;
import io.simproc.mm.Prot;
import io.simproc.mm.VmEvent;
import io.simproc.mm.Zone;
import io.simproc.uapi.Credentials;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Anonymous transparent huge pages: which faults get one (THP mode, MADV_HUGEPAGE/NOHUGEPAGE, the huge zero page for
 * reads), how they show in meminfo, vmstat, smaps and smaps_rollup, and what splits or frees them (partial munmap
 * and mprotect, a write after fork, the deferred split queue, reclaim to swap), with the mm invariants checked after
 * every step.
 */
class TransparentHugePagesTest {
    private static final long MB = 1L << 20;
    private static final long HUGE = HugeMemory.HPAGE_PMD_SIZE;

    private static PidFixture machine(String extra) {
        PidFixture f = new PidFixture("memory: 1G\n" + extra);
        f.kernel.setDebugChecks(true);
        return f;
    }

    private static long mmap(Kernel k, Task t, long len) {
        return k.mutate(() -> k.syscalls().mmap(t, 0, len, Prot.READ | Prot.WRITE,
                Prot.MAP_PRIVATE | Prot.MAP_ANONYMOUS, null, 0));
    }

    /** An anonymous mapping of len bytes, written all over. */
    private static long written(Kernel k, Task t, long len) {
        long a = mmap(k, t, len);
        call(k, () -> k.syscalls().touch(t, a, len, true));
        return a;
    }

    private static void call(Kernel k, java.util.function.IntSupplier syscall) {
        assertEquals(0, (int) k.mutate(syscall::getAsInt));
    }

    private static long event(Kernel k, VmEvent e) {
        return k.read(m -> m.mm().vmstat().event(e));
    }

    private static long anonThpKb(Kernel k) {
        return k.read(m -> m.mm().vmstat().globalNodeState(NodeStatItem.NR_ANON_THPS)) * 4;
    }

    private static Map<String, Long> fields(PidFixture f, String path) {
        return PidNumbers.kbFields(f.read(path, Credentials.ROOT));
    }

    /** The smaps record of the VMA starting at addr. */
    private static Map<String, Long> vma(PidFixture f, Task t, long addr) {
        String start = Long.toHexString(addr) + "-";
        for (PidNumbers.SmapsRecord r : PidNumbers.smaps(f.read("/" + t.pid() + "/smaps", Credentials.ROOT))) {
            if (r.header().startsWith(start)) {
                return r.kb();
            }
        }
        throw new AssertionError("no VMA at " + start);
    }

    /** The THPeligible value of the VMA starting at addr. */
    private static String thpEligible(PidFixture f, Task t, long addr) {
        String text = f.read("/" + t.pid() + "/smaps", Credentials.ROOT);
        int at = text.indexOf("\n" + Long.toHexString(addr) + "-");
        String line = text.substring(text.indexOf("THPeligible:", at)).lines().findFirst().orElseThrow();
        return line.substring("THPeligible:".length()).trim();
    }

    @Test
    void aWriteToAnAdvisedRangeMapsHugePagesThatEveryFileShows() {
        PidFixture f = machine("");
        Kernel k = f.kernel;
        Task t = f.spawn(List.of("bash"));
        long addr = mmap(k, t, 8 * MB);
        assertEquals(0, addr % HUGE, "an anonymous mapping of a multiple of 2 MiB is aligned to 2 MiB");
        long ptesBefore = fields(f, "/" + t.pid() + "/status").get("VmPTE");
        call(k, () -> k.syscalls().touch(t, addr, 2 * MB, true));
        assertEquals(0, event(k, VmEvent.THP_FAULT_ALLOC), "mode madvise: no THP without MADV_HUGEPAGE");
        assertEquals(0, vma(f, t, addr).get("AnonHugePages"));
        assertEquals("0", thpEligible(f, t, addr));

        call(k, () -> k.syscalls().madvise(t, addr, 8 * MB, Prot.MADV_HUGEPAGE));
        assertEquals("1", thpEligible(f, t, addr));
        long faults = event(k, VmEvent.PGFAULT);
        call(k, () -> k.syscalls().touch(t, addr + 2 * MB, 6 * MB, true));
        assertEquals(3, event(k, VmEvent.THP_FAULT_ALLOC));
        assertEquals(3, event(k, VmEvent.PGFAULT) - faults, "one fault maps 2 MiB");
        assertEquals(6144, anonThpKb(k));
        assertEquals(6144, fields(f, "/meminfo").get("AnonHugePages"));
        assertTrue(f.read("/vmstat", Credentials.ROOT).contains("\nnr_anon_transparent_hugepages 3\n"));
        assertTrue(f.read("/vmstat", Credentials.ROOT).contains("\nthp_fault_alloc 3\n"));
        Map<String, Long> smaps = vma(f, t, addr);
        assertEquals(6144, smaps.get("AnonHugePages"));
        assertEquals(8192, smaps.get("Rss"));
        assertEquals(8192, smaps.get("Private_Dirty"));
        assertEquals(6144, fields(f, "/" + t.pid() + "/smaps_rollup").get("AnonHugePages"));
        assertTrue(fields(f, "/" + t.pid() + "/status").get("VmPTE") >= ptesBefore + 4 * 4,
                "each 2 MiB keeps its deposited PTE table");
        PidNumbers.checkProcess(f.fs, t, "after THP faults");
    }

    @Test
    void modeAlwaysNeedsNoAdviceAndNohugepageOptsOut() {
        PidFixture f = machine("thp: always\n");
        Kernel k = f.kernel;
        Task t = f.spawn(List.of("bash"));
        long a = mmap(k, t, 4 * MB);
        long b = mmap(k, t, 4 * MB);
        call(k, () -> k.syscalls().madvise(t, b, 4 * MB, Prot.MADV_NOHUGEPAGE));
        call(k, () -> k.syscalls().touch(t, a, 4 * MB, true));
        call(k, () -> k.syscalls().touch(t, b, 4 * MB, true));
        assertEquals(2, event(k, VmEvent.THP_FAULT_ALLOC));
        assertEquals(4096, vma(f, t, a).get("AnonHugePages"));
        assertEquals(0, vma(f, t, b).get("AnonHugePages"));
        assertTrue(f.read("/" + t.pid() + "/smaps", Credentials.ROOT).contains(" nh "), "VmFlags show nh");
    }

    /**
     * A read maps the huge zero page (allocated once, counted in no RSS, held by each address space that mapped
     * it); a later write replaces it with a THP; a split turns it into 4 KiB zero pages; once no address space
     * holds it, drop_caches 2 frees it through the thp-zero shrinker.
     */
    @Test
    void readsMapTheHugeZeroPageUntilAWriteMakesAHugePage() {
        PidFixture f = machine("thp: always\n");
        Kernel k = f.kernel;
        Task t = f.spawn(List.of("bash"));
        Task other = f.spawn(List.of("bash"));
        long a = mmap(k, t, 4 * MB);
        long b = mmap(k, other, 2 * MB);
        long rss = fields(f, "/" + t.pid() + "/status").get("VmRSS");
        long free = fields(f, "/meminfo").get("MemFree");
        long faults = event(k, VmEvent.PGFAULT);
        call(k, () -> k.syscalls().touch(t, a, 4 * MB, false));
        assertEquals(2, event(k, VmEvent.PGFAULT) - faults, "one read fault maps 2 MiB");
        call(k, () -> k.syscalls().touch(other, b, 2 * MB, false));
        assertEquals(1, event(k, VmEvent.THP_ZERO_PAGE_ALLOC), "one huge zero page for everyone");
        assertEquals(rss, fields(f, "/" + t.pid() + "/status").get("VmRSS"), "the zero page is in no RSS");
        assertEquals(0, vma(f, t, a).get("AnonHugePages"));
        assertTrue(free - fields(f, "/meminfo").get("MemFree") >= 2048, "but it is memory");

        call(k, () -> k.syscalls().touch(t, a + 4096, 4096, true));
        assertEquals(1, event(k, VmEvent.THP_FAULT_ALLOC), "a write replaces the zero PMD by a huge page");
        assertEquals(2048, vma(f, t, a).get("AnonHugePages"));
        call(k, () -> k.syscalls().mprotect(t, a + 3 * MB, MB, Prot.READ));
        assertEquals(1, event(k, VmEvent.THP_SPLIT_PMD), "the second zero PMD is split at the VMA boundary");
        assertEquals(0, event(k, VmEvent.THP_SPLIT_PAGE));
        call(k, () -> k.syscalls().touch(t, a + 2 * MB, 4096, true));
        assertEquals(1, event(k, VmEvent.THP_FAULT_ALLOC), "split into 4 KiB zero pages: a 4 KiB copy");
        assertEquals(rss + 2048 + 4, fields(f, "/" + t.pid() + "/status").get("VmRSS"));

        k.mutate(() -> {
            k.syscalls().exit(t, 0);
            k.syscalls().exit(other, 0);
            return null;
        });
        assertTrue(k.read(m -> m.mm().hugeMemory().hugeZeroPfn()) >= 0, "kept until a shrinker frees it");
        assertEquals(2, f.write("/sys/vm/drop_caches", "2\n", Credentials.ROOT));
        assertEquals(-1, (int) k.read(m -> m.mm().hugeMemory().hugeZeroPfn()), "drop_caches 2 frees it");
    }

    /**
     * Unmapping part of a huge page splits its PMD and queues the folio for a deferred split: RSS and AnonPages
     * fall, but the folio stays whole (meminfo AnonHugePages) with its unmapped page allocated until the
     * thp-deferred_split shrinker splits it (drop_caches 2 here) and frees that page. Unmapping a whole huge page
     * frees one order-9 block and its PTE table, without a split.
     */
    @Test
    void unmappingPartOfAHugePageDefersItsSplitAndAllOfItFreesAnOrder9Block() {
        PidFixture f = machine("thp: always\n");
        Kernel k = f.kernel;
        Task t = f.spawn(List.of("bash"));
        long a = written(k, t, 4 * MB);
        long rss = fields(f, "/" + t.pid() + "/status").get("VmRSS");
        long anon = fields(f, "/meminfo").get("AnonPages");
        call(k, () -> k.syscalls().munmap(t, a + 4096, 4096));
        assertEquals(1, event(k, VmEvent.THP_SPLIT_PMD));
        assertEquals(1, event(k, VmEvent.THP_DEFERRED_SPLIT_PAGE));
        assertEquals(0, event(k, VmEvent.THP_SPLIT_PAGE));
        assertEquals(rss - 4, fields(f, "/" + t.pid() + "/status").get("VmRSS"));
        assertEquals(anon - 4, fields(f, "/meminfo").get("AnonPages"));
        assertEquals(4096, fields(f, "/meminfo").get("AnonHugePages"), "the partly unmapped folio is still whole");
        Map<String, Long> upper = vma(f, t, a + 2 * 4096);
        assertEquals(2048, upper.get("AnonHugePages"), "the second huge page is still PMD-mapped");
        assertEquals(4096 - 8, upper.get("Rss"), "the VMA above the hole maps the rest of the first one by PTEs");

        call(k, () -> k.syscalls().madvise(t, a + 2 * MB, 4096, Prot.MADV_DONTNEED));
        assertEquals(2, event(k, VmEvent.THP_DEFERRED_SPLIT_PAGE), "dropping the first page of a huge page");
        assertEquals(2, event(k, VmEvent.THP_SPLIT_PMD));
        assertEquals(rss - 8, fields(f, "/" + t.pid() + "/status").get("VmRSS"));
        assertEquals(0, vma(f, t, a + 2 * 4096).get("AnonHugePages"));
        long free = fields(f, "/meminfo").get("MemFree");
        assertEquals(2, f.write("/sys/vm/drop_caches", "2\n", Credentials.ROOT));
        assertEquals(2, event(k, VmEvent.THP_SPLIT_PAGE), "the deferred split shrinker splits both");
        assertEquals(0, fields(f, "/meminfo").get("AnonHugePages"));
        assertTrue(fields(f, "/meminfo").get("MemFree") >= free + 8, "and frees their unmapped pages");

        long c = written(k, t, 2 * MB);
        assertEquals(2048, anonThpKb(k));
        long ptes = fields(f, "/" + t.pid() + "/status").get("VmPTE");
        long head = k.read(m -> pfnsOf(m.mm(), t, c, 1))[0];
        call(k, () -> k.syscalls().madvise(t, c, 2 * MB, Prot.MADV_DONTNEED));
        assertEquals(2, event(k, VmEvent.THP_SPLIT_PAGE), "a whole huge page is unmapped without a split");
        assertEquals(0, anonThpKb(k));
        assertEquals(ptes - 4, fields(f, "/" + t.pid() + "/status").get("VmPTE"), "its PTE table goes with it");
        k.mutate(() -> {
            k.mm().pageAlloc().drainAllPages(null);
            return null;
        });
        int block = (int) head & ~1023;
        MemMap map = k.read(m -> m.mm().memMap());
        boolean merged = k.read(m -> map.isBuddy((int) head) && map.buddyOrder((int) head) >= 9
                || map.isBuddy(block) && map.buddyOrder(block) == 10);
        assertTrue(merged, "the folio went back as one order-9 block (its per-cpu list drained)");
    }

    @Test
    void mprotectOfPartOfAHugePageSplitsItsPmdAndOfTheWholeMappingKeepsIt() {
        PidFixture f = machine("thp: always\n");
        Kernel k = f.kernel;
        Task t = f.spawn(List.of("bash"));
        long a = written(k, t, 4 * MB);
        call(k, () -> k.syscalls().mprotect(t, a, 4 * MB, Prot.READ));
        assertEquals(0, event(k, VmEvent.THP_SPLIT_PMD));
        call(k, () -> k.syscalls().mprotect(t, a, 4 * MB, Prot.READ | Prot.WRITE));
        call(k, () -> k.syscalls().touch(t, a, 4 * MB, true));
        assertEquals(4096, vma(f, t, a).get("AnonHugePages"), "a write to its own read-only huge page reuses it");
        call(k, () -> k.syscalls().mprotect(t, a + MB, MB, Prot.READ));
        assertEquals(1, event(k, VmEvent.THP_SPLIT_PMD), "only the PMD the VMA boundary cuts");
        assertEquals(0, event(k, VmEvent.THP_DEFERRED_SPLIT_PAGE), "still mapped whole, by PTEs");
        assertEquals(4096, anonThpKb(k));
        assertEquals(0, vma(f, t, a).get("AnonHugePages") + vma(f, t, a + MB).get("AnonHugePages"));
    }

    @Test
    void aWriteAfterForkSplitsTheWritersPmdAndCopiesOnePage() {
        PidFixture f = machine("thp: always\n");
        Kernel k = f.kernel;
        Task parent = f.spawn(List.of("bash"));
        long a = written(k, parent, 2 * MB);
        Task child = k.mutate(() -> k.syscalls().fork(parent));
        assertEquals(2048, vma(f, child, a).get("AnonHugePages"), "fork shares the huge mapping");
        assertEquals(1024, vma(f, child, a).get("Pss"));
        call(k, () -> k.syscalls().touch(child, a + 4096, 4096, true));
        assertEquals(1, event(k, VmEvent.THP_SPLIT_PMD), "the writer's PMD");
        assertEquals(1, event(k, VmEvent.THP_DEFERRED_SPLIT_PAGE));
        assertEquals(0, event(k, VmEvent.THP_SPLIT_PAGE));
        assertEquals(2048, vma(f, parent, a).get("AnonHugePages"), "the parent still maps it whole");
        assertEquals(0, vma(f, child, a).get("AnonHugePages"));
        assertEquals(1024 + 2, vma(f, child, a).get("Pss"), "the copied page is the child's alone");
        k.mutate(() -> {
            k.syscalls().exit(child, 0);
            k.syscalls().exit(parent, 0);
            return null;
        });
        assertEquals(0, anonThpKb(k), "the queued folio is freed with its last user");
    }

    /**
     * A grandchild's VMA is linked to its grandparent's anon_vma (anon_vma_clone at each fork), so the split of a
     * huge page faulted by the grandparent reaches all three mappings: the grandchild's write splits its own PMD,
     * the deferred split the other two.
     */
    @Test
    void aWriteInAGrandchildSplitsEveryMappingOfTheHugePage() {
        PidFixture f = machine("thp: always\n");
        Kernel k = f.kernel;
        Task parent = f.spawn(List.of("bash"));
        long a = written(k, parent, 2 * MB);
        Task child = k.mutate(() -> k.syscalls().fork(parent));
        Task grandchild = k.mutate(() -> k.syscalls().fork(child));
        assertEquals(2048 / 3, vma(f, grandchild, a).get("Pss"));
        call(k, () -> k.syscalls().touch(grandchild, a, 4096, true));
        assertEquals(1, event(k, VmEvent.THP_SPLIT_PMD));
        assertEquals(2, f.write("/sys/vm/drop_caches", "2\n", Credentials.ROOT));
        assertEquals(1, event(k, VmEvent.THP_SPLIT_PAGE));
        assertEquals(3, event(k, VmEvent.THP_SPLIT_PMD), "the split found the parent's and the child's PMDs");
        assertEquals(0, vma(f, parent, a).get("AnonHugePages") + vma(f, child, a).get("AnonHugePages")
                + vma(f, grandchild, a).get("AnonHugePages"));
    }

    @Test
    void reclaimSplitsHugePagesToSwapThemOut() {
        PidFixture f = machine("thp: always\nswap:\n  - path: /dev/vda2\n    size: 1G\n");
        Kernel k = f.kernel;
        Task t = f.spawn(List.of("bash"));
        long len = 1024 * MB;
        long a = mmap(k, t, len);
        for (long off = 0; off < len; off += 16 * MB) {
            long o = off;
            call(k, () -> k.syscalls().touch(t, a + o, 16 * MB, true));
            k.advance(1);
        }
        assertTrue(event(k, VmEvent.THP_FAULT_ALLOC) > 100, "thp_fault_alloc " + event(k, VmEvent.THP_FAULT_ALLOC));
        assertTrue(event(k, VmEvent.THP_SWPOUT_FALLBACK) > 0);
        assertEquals(event(k, VmEvent.THP_SWPOUT_FALLBACK), event(k, VmEvent.THP_SPLIT_PAGE));
        assertTrue(event(k, VmEvent.PSWPOUT) > 0);
        PidNumbers.checkProcess(f.fs, t, "after reclaim of huge pages");
    }

    @Test
    void compactionLeavesHugePagesWhereTheyAre() {
        PidFixture f = machine("thp: always\n");
        Kernel k = f.kernel;
        Task t = f.spawn(List.of("bash"));
        long a = written(k, t, 8 * MB);
        String before = f.read("/" + t.pid() + "/smaps", Credentials.ROOT);
        long[] pfns = k.read(m -> pfnsOf(m.mm(), t, a, 4));
        assertEquals(2, f.write("/sys/vm/compact_memory", "1\n", Credentials.ROOT));
        long[] after = k.read(m -> pfnsOf(m.mm(), t, a, 4));
        assertTrue(java.util.Arrays.equals(pfns, after), "huge pages moved by compaction");
        assertEquals(before, f.read("/" + t.pid() + "/smaps", Credentials.ROOT));
        assertEquals(8192, anonThpKb(k));
    }

    private static long[] pfnsOf(MemoryManager mm, Task t, long a, int n) {
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            out[i] = io.simproc.mm.PageTable.pfnOf(t.mm().pageTable().get(a + i * HUGE));
        }
        return out;
    }
}
