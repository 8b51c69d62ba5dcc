package io.simproc.mm;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Compaction deferral of mm/compaction.c (defer_compaction, compaction_deferred, compaction_defer_reset) on a
 * hand-built 32 MiB machine whose DMA32 zone cannot make an order-4 block: its free pages are single pages between
 * kernel pages, and its only movable pages (shmem, unreclaimable without swap) fill their pageblocks, so compaction
 * finds nowhere to move them. Repeated GFP_KERNEL order-4 allocations then compact the zone only on the attempts
 * the deferral lets through — the 1st, then after 1, 3, 7 ... 63 skipped ones, and from then on every 64th — and
 * once holes open among the shmem pages, the first attempt let through compacts, the allocation succeeds and the
 * back-off starts over. As in the kernel, an attempt whose zones were all deferred still counts compact_stall and
 * compact_fail (try_to_compact_pages() returns COMPACT_DEFERRED, not COMPACT_SKIPPED); what it does not do is scan.
 */
class CompactionDeferralTest {
    private static final int ORDER = 4;
    /** No reclaim of any kind, so that setting the machine up neither compacts nor wakes kswapd or kcompactd. */
    private static final int NO_RECLAIM = (Gfp.GFP_KERNEL & ~Gfp.__GFP_RECLAIM) | Gfp.__GFP_NOWARN;
    private static final int SHMEM_PAGES = 1024;

    private final FakeKernelServices services = new FakeKernelServices();
    private final MemoryManager mm = TestMachine.pcLowMemory(32).cpus(0, 0).boot(services);
    private final Zone dma32 = mm.node(0).zone(ZoneType.DMA32);
    private AddressSpace shmem;

    /**
     * Two pageblocks of shmem at the bottom of DMA32, then kernel pages in every other free page of the machine,
     * the even ones of DMA32 freed again; every free block of the order that is left is taken.
     */
    private void fragment() {
        mm.watermarks().setMinFreeKbytes(0);
        mm.watermarks().setWatermarkScaleFactor(1);
        shmem = mm.shmem().fileSetup("/dev/shm/pinned", (long) SHMEM_PAGES << 12, false, null, true);
        assertEquals(SHMEM_PAGES, mm.filemap().write(shmem, 0, SHMEM_PAGES, 0, 0));
        List<Integer> kernel = new ArrayList<>();
        for (int pfn; (pfn = mm.pageAlloc().allocPages(NO_RECLAIM, 0, 0, 0, PageOwner.KERNEL)) >= 0; ) {
            kernel.add(pfn);
        }
        for (int pfn : kernel) {
            if (dma32.contains(pfn) && pfn % 2 == 0) {
                mm.pageAlloc().freePages(pfn, 0, 0);
            }
        }
        mm.pageAlloc().drainAllPages(null);
        while (mm.pageAlloc().allocPages(NO_RECLAIM, ORDER, 0, 0, PageOwner.KERNEL) >= 0) {
            continue;
        }
        assertTrue(dma32.freePages() > 1000, "DMA32 has free pages: " + dma32.freePages());
        assertTrue(Compaction.fragmentationIndex(dma32, ORDER) > 900, "and they are fragmented");
    }

    /** Free the shmem pages at even pfns: holes among the others, in their own movable pageblocks. */
    private void openHolesAmongTheShmemPages() {
        for (int i = 0; i < SHMEM_PAGES; i++) {
            if (shmem.findPage(i) % 2 == 0) {
                mm.filemap().deleteFromPageCache(shmem, i, 0);
            }
        }
        mm.pageAlloc().drainAllPages(null);
    }

    private record Attempt(boolean compacted, boolean allocated) {
    }

    /** One GFP_KERNEL allocation of the order: did direct compaction scan, and did it get a block. */
    private Attempt allocate() {
        long scanned = mm.vmstat().event(VmEvent.COMPACT_MIGRATE_SCANNED);
        int pfn = mm.pageAlloc().allocPages(Gfp.GFP_KERNEL | Gfp.__GFP_NOWARN, ORDER, 0, 0, PageOwner.KERNEL);
        return new Attempt(mm.vmstat().event(VmEvent.COMPACT_MIGRATE_SCANNED) > scanned, pfn >= 0);
    }

    /** Make {@code n} allocations that all fail; the numbers (from 1) of those that compacted. */
    private List<Integer> failingAttempts(int n) {
        List<Integer> compacted = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            Attempt a = allocate();
            assertFalse(a.allocated(), "attempt " + i + " cannot succeed");
            if (a.compacted()) {
                compacted.add(i);
            }
        }
        return compacted;
    }

    @Test
    void aFailingZoneIsCompactedAgainAfterTwiceAsManyAttemptsEachTimeUpToSixtyFour() {
        fragment();
        assertEquals(List.of(1, 3, 7, 15, 31, 63, 127, 191), failingAttempts(200));
        assertEquals(6, dma32.compactDeferShift, "COMPACT_MAX_DEFER_SHIFT");
        assertEquals(200 - 191, dma32.compactConsidered);
        assertEquals(200L, mm.vmstat().event(VmEvent.COMPACT_STALL), "deferred attempts stall too, as in the kernel");
        assertEquals(200L, mm.vmstat().event(VmEvent.COMPACT_FAIL));
        assertEquals(0L, mm.vmstat().event(VmEvent.COMPACT_SUCCESS));
        assertTrue(mm.vmstat().event(VmEvent.PGMIGRATE_FAIL) > 0, "the runs found shmem pages and nowhere to put them");
        assertEquals(List.of(), MmDebug.violations(mm));
    }

    @Test
    void aSuccessResetsTheBackOff() {
        fragment();
        assertEquals(List.of(1, 3, 7, 15, 31, 63), failingAttempts(70));
        openHolesAmongTheShmemPages();
        assertEquals(List.of(), failingAttempts(63 + 64 - 70 - 1), "still deferred: compaction could work now");
        Attempt a = allocate();
        assertTrue(a.compacted() && a.allocated(), "the 64th attempt since the last run compacts, and succeeds");
        assertEquals(1L, mm.vmstat().event(VmEvent.COMPACT_SUCCESS));
        assertEquals(0, dma32.compactDeferShift, "an allocation served after compaction resets the shift");
        assertEquals(0, dma32.compactConsidered);
        assertEquals(ORDER + 1, dma32.compactOrderFailed, "orders up to this one are no longer deferred");

        int served = 0;
        while (true) {
            a = allocate();
            if (!a.allocated()) {
                break;
            }
            assertFalse(a.compacted(), "the rest of the pageblock it freed serves these");
            served++;
        }
        assertTrue(a.compacted(), "the first failure after the reset compacts at once (after " + served + ")");
        assertEquals(1, dma32.compactDeferShift);
        assertEquals(ORDER, dma32.compactOrderFailed);
        assertEquals(List.of(2, 6, 14), failingAttempts(14), "and the back-off starts over: 1, 3, 7 skipped");
        assertEquals(List.of(), MmDebug.violations(mm));
    }

    /**
     * compact_order_failed: a failure defers its order and those above (a zone starts at 0: every order), a success
     * lifts the deferral up to its order; orders below it are neither deferred nor counted.
     */
    @Test
    void deferralAppliesFromTheLowestOrderThatFailedUp() {
        Compaction.deferCompaction(dma32, 4);
        assertEquals(1, dma32.compactDeferShift);
        assertEquals(0, dma32.compactOrderFailed, "a new zone defers every order after its first failure");
        Compaction.compactionDeferReset(dma32, 2, false);
        assertEquals(3, dma32.compactOrderFailed, "a success lifts the deferral up to its order");
        assertEquals(1, dma32.compactDeferShift, "not the shift, without an allocation");
        assertFalse(Compaction.compactionDeferred(dma32, 2), "below the order that failed: never deferred");
        assertEquals(0, dma32.compactConsidered, "nor counted");
        assertTrue(Compaction.compactionDeferred(dma32, 3), "the first attempt after the failure is skipped");
        assertFalse(Compaction.compactionDeferred(dma32, 4), "the second runs");
        assertFalse(Compaction.compactionDeferred(dma32, 5), "and so does every one after it");
        assertEquals(2, dma32.compactConsidered, "the count stays at the limit");
        Compaction.deferCompaction(dma32, 4);
        assertEquals(3, dma32.compactOrderFailed, "a failure above the lowest leaves it");
        assertEquals(2, dma32.compactDeferShift);
        assertEquals(0, dma32.compactConsidered);
        Compaction.compactionDeferReset(dma32, 5, true);
        assertEquals(6, dma32.compactOrderFailed);
        assertEquals(0, dma32.compactDeferShift, "an allocation's success resets the shift");
        Compaction.deferCompaction(dma32, 4);
        assertEquals(4, dma32.compactOrderFailed, "a failure below the lowest lowers it");
        assertFalse(Compaction.compactionDeferred(dma32, 3));
        assertTrue(Compaction.compactionDeferred(dma32, 4));
        for (int i = 0; i < 10; i++) {
            Compaction.deferCompaction(dma32, 4);
        }
        assertEquals(Compaction.COMPACT_MAX_DEFER_SHIFT, dma32.compactDeferShift, "at most 6");
    }

    @Test
    void kcompactdSkipsADeferredZoneAndDefersOneItFailsToCompact() {
        fragment();
        Kcompactd kcompactd = mm.kcompactd();
        List<Integer> compacted = new ArrayList<>();
        for (int wake = 1; wake <= 8; wake++) {
            long scanned = mm.vmstat().event(VmEvent.COMPACT_DAEMON_MIGRATE_SCANNED);
            long wakes = mm.vmstat().event(VmEvent.COMPACT_DAEMON_WAKE);
            kcompactd.wakeup(mm.node(0), ORDER, ZoneType.DMA32.ordinal());
            services.advance(1);
            assertEquals(wakes + 1, mm.vmstat().event(VmEvent.COMPACT_DAEMON_WAKE), "woken " + wake);
            if (mm.vmstat().event(VmEvent.COMPACT_DAEMON_MIGRATE_SCANNED) > scanned) {
                compacted.add(wake);
            }
        }
        assertEquals(List.of(1, 3, 7), compacted);
        assertEquals(3, dma32.compactDeferShift);
        assertEquals(0L, mm.vmstat().event(VmEvent.COMPACT_STALL), "kcompactd is not direct compaction");
        assertEquals(List.of(7), failingAttempts(7), "direct compaction goes by the same deferral: kcompactd"
                + " skipped its 8th wake-up, direct compaction 6 attempts, and compacts on the 7th");
    }
}
