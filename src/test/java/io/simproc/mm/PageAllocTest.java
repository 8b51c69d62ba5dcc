package io.simproc.mm;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Examples of the buddy allocator of mm/page_alloc.c, each pinning one kernel behaviour (named in its comment) on a
 * small hand-built machine: expand() on split, __free_one_page() merging and list placement, migratetype merging
 * rules at pageblock order, the 6.15+ claim/steal fallbacks with ALLOC_NOFRAGMENT, watermark boosting, the per-cpu
 * lists, the zonelist walk with lowmem_reserve, warn_alloc() and the vm/NUMA event counters.
 */
class PageAllocTest {
    private static final long NORMAL_START = ZoneLayout.MAX_DMA32_PFN;
    private static final int MOVABLE = MigrateType.MOVABLE.ordinal();
    private static final int UNMOVABLE = MigrateType.UNMOVABLE.ordinal();

    private final FakeKernelServices services = new FakeKernelServices();

    /** DMA (3840 managed), DMA32 (4096) and 16 MiB of Normal at 4 GiB (four order-10 blocks), two CPUs. */
    private static TestMachine threeZones() {
        return TestMachine.pcLowMemory(32).ram(NORMAL_START, NORMAL_START + 4096, 0).cpus(0, 0);
    }

    private static int alloc(MemoryManager mm, int gfp, int order) {
        return mm.pageAlloc().allocPages(gfp, order, 0, 0, PageOwner.KERNEL);
    }

    /** The pfns on one free list, head first. */
    private static List<Integer> freeList(Zone zone, int order, MigrateType mt) {
        List<Integer> out = new ArrayList<>();
        zone.freeArea.forEach(order, mt.ordinal(), out::add);
        return out;
    }

    private static void assertClean(MemoryManager mm) {
        assertEquals(List.of(), MmDebug.violations(mm));
    }

    private static void assertFreeBlock(MemoryManager mm, int pfn, int order, MigrateType mt) {
        MemMap map = mm.memMap();
        assertTrue(map.isBuddy(pfn), "pfn " + pfn + " should head a free block");
        assertEquals(order, map.buddyOrder(pfn), "order of the free block at " + pfn);
        assertEquals(mt.ordinal(), map.pageblockMigratetype(pfn), "migratetype of the pageblock of " + pfn);
    }

    /** Zero watermarks (vm.min_free_kbytes = 0, vm.watermark_scale_factor = 1 on zones under 10000 pages). */
    private static void zeroWatermarks(MemoryManager mm) {
        mm.watermarks().setMinFreeKbytes(0);
        mm.watermarks().setWatermarkScaleFactor(1);
        for (Zone z : mm.zones()) {
            if (z.isPopulated()) {
                assertEquals(0, z.highWmarkPages(), z + " high watermark");
            }
        }
    }

    // -------------------------------------------------------------------------------------------------------------
    // Splitting and merging

    /**
     * expand(): a request served from a larger block gets the block's lowest 2^order pages; the upper halves go
     * back as free blocks of orders high-1 .. order at the head of the same migratetype's lists.
     */
    @Test
    void splitReturnsTheLowestPagesAndFreesTheUpperHalves() {
        MemoryManager mm = threeZones().boot(services);
        Zone normal = mm.node(0).zone(ZoneType.NORMAL);
        int block = normal.freeArea.first(10, MOVABLE);
        assertEquals(NORMAL_START, block, "boot frees to the tail in pfn order, so the lowest block is the head");
        long free = normal.freePages();

        int pfn = alloc(mm, Gfp.GFP_HIGHUSER_MOVABLE, 4);

        assertEquals(block, pfn);
        for (int order = 4; order < 10; order++) {
            assertEquals(List.of(block + (1 << order)), freeList(normal, order, MigrateType.MOVABLE),
                    "order-" + order + " Movable list");
            assertEquals(block + (1 << order), normal.freeArea.first(order, MOVABLE), "head of order " + order);
        }
        assertEquals(free - 16, normal.freePages());
        assertClean(mm);
    }

    /**
     * __free_one_page(): a freed block merges with its free buddy (pfn ^ 2^order) order by order; a block that
     * stops merging goes to the tail of its list when the buddy of the next order up is free
     * (buddy_merge_likely()), otherwise to the head; allocation takes the head. Orders 6..9 are used so that
     * no per-cpu list is involved (except the THP-order allocation, which the pcp refill serves the same way).
     */
    @Test
    void freeMergesWithFreeBuddiesAndPlacesTheBlockByMergeLikelihood() {
        MemoryManager mm = threeZones().boot(services);
        Zone normal = mm.node(0).zone(ZoneType.NORMAL);
        int movable = Gfp.GFP_HIGHUSER_MOVABLE;
        int p0 = (int) NORMAL_START;
        int p1 = p0 + 1024;
        // Use up the first order-10 block entirely.
        int x = alloc(mm, movable, 7);
        int y = alloc(mm, movable, 7);
        int z = alloc(mm, movable, 8);
        int w = alloc(mm, movable, 9);
        assertEquals(List.of(p0, p0 + 128, p0 + 256, p0 + 512), List.of(x, y, z, w));
        // Split the second one: A, B (order 6), C (order 7); order 8 and 9 halves stay free.
        int a = alloc(mm, movable, 6);
        int b = alloc(mm, movable, 6);
        int c = alloc(mm, movable, 7);
        assertEquals(List.of(p1, p1 + 64, p1 + 128), List.of(a, b, c));
        assertEquals(List.of(p1 + 256), freeList(normal, 8, MigrateType.MOVABLE));
        assertEquals(List.of(p1 + 512), freeList(normal, 9, MigrateType.MOVABLE));

        // X: buddy Y is allocated and so is Z, the buddy one order up: no merge, head.
        mm.pageAlloc().freePages(x, 7, 0);
        assertEquals(List.of(p0), freeList(normal, 7, MigrateType.MOVABLE));
        // A: buddy B allocated, C (order-7 buddy) allocated: head of the order-6 list.
        mm.pageAlloc().freePages(a, 6, 0);
        assertEquals(List.of(p1), freeList(normal, 6, MigrateType.MOVABLE));
        // B merges with A into an order-7 block at p1; its buddy C is allocated but the order-8 buddy p1+256 is
        // free, so the merged block goes to the TAIL, behind X.
        mm.pageAlloc().freePages(b, 6, 0);
        assertEquals(List.of(), freeList(normal, 6, MigrateType.MOVABLE));
        assertEquals(List.of(p0, p1), freeList(normal, 7, MigrateType.MOVABLE));
        // Allocation takes the head...
        int d = alloc(mm, movable, 7);
        assertEquals(p0, d);
        assertEquals(List.of(p1), freeList(normal, 7, MigrateType.MOVABLE));
        // ...and freeing it again (buddy Y and order-8 buddy Z allocated) puts it back at the HEAD.
        mm.pageAlloc().freePages(d, 7, 0);
        assertEquals(List.of(p0, p1), freeList(normal, 7, MigrateType.MOVABLE));
        // C completes the second block: 7 → 8 (with p1) → 9 (with p1+256) → 10 (with p1+512).
        long free = normal.freePages();
        mm.pageAlloc().freePages(c, 7, 0);
        assertFreeBlock(mm, p1, 10, MigrateType.MOVABLE);
        assertEquals(List.of(p0), freeList(normal, 7, MigrateType.MOVABLE));
        assertEquals(List.of(), freeList(normal, 8, MigrateType.MOVABLE));
        assertEquals(List.of(), freeList(normal, 9, MigrateType.MOVABLE));
        assertEquals(p1, normal.freeArea.first(10, MOVABLE), "orders >= 9 never go to the tail");
        assertEquals(free + 128, normal.freePages());
        assertClean(mm);
    }

    /**
     * __free_one_page() at orders >= pageblock_order: two ordinary types merge, and the buddy's pageblock takes
     * the freed block's migratetype (set_pageblock_migratetype on the buddy). Also pins that an Unmovable
     * request with ALLOC_NOFRAGMENT claims a whole free Movable pageblock when that is all there is.
     */
    @Test
    void mergeableTypesMergeAtPageblockOrderAndTheBuddyIsRelabelled() {
        MemoryManager mm = threeZones().boot(services);
        zeroWatermarks(mm);
        Zone normal = mm.node(0).zone(ZoneType.NORMAL);
        int p3 = (int) NORMAL_START + 3 * 1024;
        for (int i = 0; i < 3; i++) {
            assertEquals(NORMAL_START + i * 1024L, alloc(mm, Gfp.GFP_HIGHUSER_MOVABLE, 10));
        }
        int m = alloc(mm, Gfp.GFP_HIGHUSER_MOVABLE, 9);
        assertEquals(p3, m);
        int u = alloc(mm, Gfp.GFP_KERNEL, 9);
        assertEquals(p3 + 512, u, "the only free pageblock of Normal is claimed");
        assertEquals(UNMOVABLE, mm.memMap().pageblockMigratetype(u));
        assertEquals(MOVABLE, mm.memMap().pageblockMigratetype(m));

        mm.pageAlloc().freePages(m, 9, 0);
        mm.pageAlloc().drainAllPages(null);
        assertFreeBlock(mm, p3, 9, MigrateType.MOVABLE);
        mm.pageAlloc().freePages(u, 9, 0);
        mm.pageAlloc().drainAllPages(null);

        assertFreeBlock(mm, p3, 10, MigrateType.UNMOVABLE);
        assertEquals(UNMOVABLE, mm.memMap().pageblockMigratetype(p3 + 512));
        assertEquals(1, normal.nrFreeBlocks(10, MigrateType.UNMOVABLE));
        assertClean(mm);
    }

    /**
     * migratetype_is_mergeable(): at orders >= pageblock_order a block never merges with a buddy of a different
     * type when one of them is CMA (or HighAtomic, Isolate). A CMA pageblock next to a free Movable one stays two
     * order-9 blocks, at CMA activation and when the Movable one is freed again.
     */
    @Test
    void cmaPageblocksNeverMergeWithOrdinaryBuddies() {
        int cmaStart = (int) NORMAL_START + 512;
        MemoryManager mm = threeZones()
                .config(new KernelConfig(true, KernelConfig.ThpMode.MADVISE))
                .reserve(cmaStart, cmaStart + 512)
                .beforeReserves(m -> m.cmaActivateArea(cmaStart, 512))
                .boot(services);
        Zone normal = mm.node(0).zone(ZoneType.NORMAL);
        assertFreeBlock(mm, (int) NORMAL_START, 9, MigrateType.MOVABLE);
        assertFreeBlock(mm, cmaStart, 9, MigrateType.CMA);
        assertEquals(1, normal.nrFreeBlocks(9, MigrateType.CMA));
        assertEquals(512, normal.state(ZoneStatItem.NR_FREE_CMA_PAGES));
        assertEquals(4096, normal.managedPages());

        int pfn = alloc(mm, Gfp.GFP_HIGHUSER_MOVABLE, 9);
        assertEquals(NORMAL_START, pfn, "a Movable request takes the Movable block while CMA is under half");
        mm.pageAlloc().freePages(pfn, 9, 1);
        mm.pageAlloc().drainAllPages(null);

        assertFreeBlock(mm, (int) NORMAL_START, 9, MigrateType.MOVABLE);
        assertFreeBlock(mm, cmaStart, 9, MigrateType.CMA);
        assertClean(mm);
    }

    /**
     * Only movable requests get CMA pages (mm/page_alloc.c): with the ordinary free pages gone, unmovable and
     * reclaimable requests fail although CMA pages are free — __zone_watermark_unusable_free() counts free CMA as
     * unusable without ALLOC_CMA and no fallbacks[] list names CMA, so nothing claims or steals a CMA block — while
     * a movable request still gets one.
     */
    @Test
    void unmovableRequestsNeverGetCmaPages() {
        int cmaStart = (int) NORMAL_START + 2048;
        MemoryManager mm = threeZones()
                .config(new KernelConfig(true, KernelConfig.ThpMode.MADVISE))
                .reserve(cmaStart, cmaStart + 2048)
                .beforeReserves(m -> m.cmaActivateArea(cmaStart, 2048))
                .boot(services);
        Zone normal = mm.node(0).zone(ZoneType.NORMAL);
        List<Integer> held = new ArrayList<>();
        int[] gfps = {Gfp.GFP_KERNEL, Gfp.GFP_KERNEL | Gfp.__GFP_RECLAIMABLE};
        for (int i = 0; i < 20_000; i++) {
            int pfn = alloc(mm, gfps[i % 2] | Gfp.__GFP_NOWARN | Gfp.__GFP_NORETRY, 0);
            if (pfn < 0) {
                break;
            }
            assertFalse(pfn >= cmaStart && pfn < cmaStart + 2048, "pfn " + pfn + " of an unmovable request is CMA");
            held.add(pfn);
        }
        assertTrue(held.size() > 1000, "the ordinary memory was used up: " + held.size());
        assertEquals(2048, normal.state(ZoneStatItem.NR_FREE_CMA_PAGES), "no CMA page was taken or stolen");
        for (int pb = cmaStart; pb < cmaStart + 2048; pb += PageAlloc.PAGEBLOCK_NR_PAGES) {
            assertEquals(MigrateType.CMA.ordinal(), mm.memMap().pageblockMigratetype(pb));
        }
        int movable = alloc(mm, Gfp.GFP_HIGHUSER_MOVABLE | Gfp.__GFP_NOWARN, 0);
        assertTrue(movable >= cmaStart && movable < cmaStart + 2048, "a movable request takes CMA: " + movable);
        mm.pageAlloc().freePages(movable, 0, 0);
        for (int pfn : held) {
            mm.pageAlloc().freePages(pfn, 0, 0);
        }
        mm.pageAlloc().drainAllPages(null);
        assertEquals(2048, normal.state(ZoneStatItem.NR_FREE_CMA_PAGES));
        assertClean(mm);
    }

    /**
     * __rmqueue()'s balance rule: a movable request that may use CMA takes CMA pages first once the zone's free CMA
     * pages are more than half its free pages.
     */
    @Test
    void movableRequestsUseCmaFirstWhenItHoldsMostOfTheFreePages() {
        int cmaStart = (int) NORMAL_START + 1024;
        MemoryManager mm = threeZones()
                .config(new KernelConfig(true, KernelConfig.ThpMode.MADVISE))
                .reserve(cmaStart, cmaStart + 3072)
                .beforeReserves(m -> m.cmaActivateArea(cmaStart, 3072))
                .boot(services);
        Zone normal = mm.node(0).zone(ZoneType.NORMAL);
        assertTrue(normal.state(ZoneStatItem.NR_FREE_CMA_PAGES) > normal.freePages() / 2);
        int pfn = alloc(mm, Gfp.GFP_HIGHUSER_MOVABLE, 9);
        assertTrue(pfn >= cmaStart, "CMA first: " + pfn);
        mm.pageAlloc().freePages(pfn, 9, 0);
        assertClean(mm);
    }

    // -------------------------------------------------------------------------------------------------------------
    // Migratetype fallbacks

    /**
     * __rmqueue_claim() with ALLOC_NOFRAGMENT (ordinary allocations preferring Normal): an Unmovable request with
     * no Unmovable free block claims the largest free Movable block, relabelling every pageblock it covers
     * (change_pageblock_range), and expand() leaves the rest on the Unmovable lists.
     */
    @Test
    void unmovableRequestClaimsAWholeMovablePageblock() {
        MemoryManager mm = threeZones().boot(services);
        Zone normal = mm.node(0).zone(ZoneType.NORMAL);
        long movableBlocks = normal.nrFreeBlocks(10, MigrateType.MOVABLE);

        int pfn = alloc(mm, Gfp.GFP_KERNEL, 4);

        assertEquals(NORMAL_START, pfn);
        assertEquals(UNMOVABLE, mm.memMap().pageblockMigratetype(pfn));
        assertEquals(UNMOVABLE, mm.memMap().pageblockMigratetype(pfn + 512), "both pageblocks of the order-10 block");
        assertEquals(MOVABLE, mm.memMap().pageblockMigratetype(pfn + 1024), "the next block is untouched");
        assertEquals(movableBlocks - 1, normal.nrFreeBlocks(10, MigrateType.MOVABLE));
        for (int order = 4; order < 10; order++) {
            assertEquals(List.of(pfn + (1 << order)), freeList(normal, order, MigrateType.UNMOVABLE));
        }
        assertClean(mm);
    }

    /**
     * ALLOC_NOFRAGMENT refuses to split a foreign pageblock (no claim below pageblock_order, no steal) while a
     * lower zone of the local node can give a whole pageblock: the zonelist walk moves on from Normal to DMA32.
     */
    @Test
    void nofragmentPrefersAWholePageblockOfALowerZoneToFragmentingNormal() {
        MemoryManager mm = threeZones().boot(services);
        zeroWatermarks(mm);
        Zone normal = mm.node(0).zone(ZoneType.NORMAL);
        List<Integer> blocks = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            int pfn = alloc(mm, Gfp.GFP_HIGHUSER_MOVABLE, 8);
            assertEquals(normal, mm.zoneOf(pfn));
            blocks.add(pfn);
        }
        mm.pageAlloc().freePages(blocks.get(5), 8, 0);
        assertEquals(256, normal.freePages());

        int pfn = alloc(mm, Gfp.GFP_KERNEL, 0);

        assertEquals(mm.node(0).zone(ZoneType.DMA32), mm.zoneOf(pfn));
        assertEquals(UNMOVABLE, mm.memMap().pageblockMigratetype(pfn));
        assertFreeBlock(mm, blocks.get(5), 8, MigrateType.MOVABLE);
        assertEquals(256, normal.freePages());
        assertClean(mm);
    }

    /**
     * Fills every zone with Movable order-8 blocks (zero watermarks) and frees one of Normal's, so that no zone
     * has a free block of pageblock order: the state in which ALLOC_NOFRAGMENT fails everywhere.
     */
    private MemoryManager noFreePageblockAnywhere() {
        MemoryManager mm = threeZones().boot(services);
        zeroWatermarks(mm);
        List<Integer> normalBlocks = new ArrayList<>();
        int pfn;
        while ((pfn = alloc(mm, Gfp.GFP_HIGHUSER_MOVABLE | Gfp.__GFP_NOWARN, 8)) >= 0) {
            if (mm.zoneOf(pfn).type() == ZoneType.NORMAL) {
                normalBlocks.add(pfn);
            }
        }
        assertEquals(16, normalBlocks.size());
        mm.pageAlloc().freePages(normalBlocks.get(3), 8, 0);
        for (Zone z : mm.zones()) {
            for (int order = PageAlloc.PAGEBLOCK_ORDER; order < PageAlloc.NR_PAGE_ORDERS; order++) {
                assertEquals(0, z.nrFreeBlocks(order), z + " order " + order);
            }
        }
        return mm;
    }

    /**
     * get_page_from_freelist(): when every zone fails with ALLOC_NOFRAGMENT the walk is retried without it, and
     * the preferred zone then claims a sub-pageblock Movable block for the Unmovable request (free + non-movable
     * pages of its pageblock ≥ half a pageblock), relabelling that pageblock.
     */
    @Test
    void withoutAnyFreePageblockTheWalkIsRetriedWithoutNofragment() {
        MemoryManager mm = noFreePageblockAnywhere();
        Zone normal = mm.node(0).zone(ZoneType.NORMAL);

        int pfn = alloc(mm, Gfp.GFP_KERNEL, 0);

        assertEquals(normal, mm.zoneOf(pfn));
        assertEquals(UNMOVABLE, mm.memMap().pageblockMigratetype(pfn));
        assertClean(mm);
    }

    /**
     * boost_watermark(): no boost when the zone's high watermark is 0 (max_boost = 0: "high watermark may be
     * uninitialised ... do not boost"), even though a sub-pageblock claim happens.
     */
    @Test
    void noWatermarkBoostWhileTheHighWatermarkIsZero() {
        MemoryManager mm = noFreePageblockAnywhere();
        Zone normal = mm.node(0).zone(ZoneType.NORMAL);
        assertTrue(normal.managedPages() >= 4L * PageAlloc.PAGEBLOCK_NR_PAGES, "big enough to be boosted at all");

        int pfn = alloc(mm, Gfp.GFP_KERNEL, 0);

        assertEquals(normal, mm.zoneOf(pfn), "the claim happened");
        assertEquals(0, normal.watermarkBoost());
        assertEquals(0, normal.zoneFlags & Zone.ZONE_BOOSTED_WATERMARK);
    }

    /**
     * rmqueue_bulk() keeps an rmqueue_mode across its loop (6.16+): once a pcp refill had to steal, the rest of
     * the batch is stolen without retrying __rmqueue_claim(). Since every failed claim candidate below
     * pageblock_order boosts the watermark by a pageblock, the refill boosts once per order that had a candidate,
     * not once per page of the batch.
     */
    @Test
    void aPcpRefillThatStealsClaimsAndBoostsOnlyOnce() {
        MemoryManager mm = TestMachine.pcLowMemory(256).cpus(0, 0).boot(services);
        Zone dma32 = mm.node(0).zone(ZoneType.DMA32);
        int dma32Gfp = Gfp.GFP_KERNEL | Gfp.GFP_DMA32;
        // Fill DMA32 with Unmovable order-4 blocks under tiny watermarks: every pageblock gets claimed.
        mm.watermarks().setMinFreeKbytes(128);
        mm.watermarks().setWatermarkScaleFactor(1);
        List<Integer> blocks = new ArrayList<>();
        while (true) {
            int pfn = alloc(mm, dma32Gfp, 4);
            if (pfn < 0 || mm.zoneOf(pfn) != dma32) {
                break;
            }
            blocks.add(pfn);
        }
        // Free one block in every pageblock: no two freed blocks are buddies, and no pageblock has half free.
        int lastPageblock = -1;
        for (int pfn : blocks) {
            int pb = pfn >>> PageAlloc.PAGEBLOCK_ORDER;
            if (pb != lastPageblock) {
                mm.pageAlloc().freePages(pfn, 4, 0);
                lastPageblock = pb;
            }
        }
        // Raise the watermarks so that the boost cap is well above a few pageblocks, keeping DMA32 above low.
        long free = dma32.freePages();
        long lowmem = 0;
        for (Zone z : mm.zones()) {
            lowmem += z.managedPages();
        }
        mm.watermarks().setMinFreeKbytes((int) (free / 2 * lowmem / dma32.managedPages() * 4));
        long cap = Math.max(PageAlloc.PAGEBLOCK_NR_PAGES, dma32.highWmarkPages() * 15000 / 10000);
        // Preconditions of the scenario.
        assertTrue(free > dma32.lowWmarkPages(), "DMA32 passes its low watermark");
        int candidates = 0;
        for (int order = 0; order < PageAlloc.NR_PAGE_ORDERS; order++) {
            assertEquals(0, dma32.nrFreeBlocks(order, MigrateType.MOVABLE), "no Movable free block");
            assertEquals(0, dma32.nrFreeBlocks(order, MigrateType.RECLAIMABLE), "no Reclaimable free block");
            if (dma32.nrFreeBlocks(order, MigrateType.UNMOVABLE) > 0) {
                candidates++;
            }
        }
        for (long pb = dma32.zoneStartPfn(); pb < dma32.zoneEndPfn(); pb += PageAlloc.PAGEBLOCK_NR_PAGES) {
            assertTrue(freePagesInPageblock(mm, (int) pb) < PageAlloc.PAGEBLOCK_NR_PAGES / 2, "pageblock " + pb);
        }
        assertTrue(candidates > 0 && candidates * 512L < cap, candidates + " candidates, cap " + cap);
        assertEquals(0, dma32.watermarkBoost());
        assertEquals(0, dma32.pcp(1).count());

        // A Reclaimable order-0 request: its pcp refill finds only Unmovable blocks in pageblocks it may not claim.
        int pfn = mm.pageAlloc().allocPages(dma32Gfp | Gfp.__GFP_RECLAIMABLE, 0, 0, 1, PageOwner.KERNEL);

        assertEquals(dma32, mm.zoneOf(pfn));
        assertTrue(dma32.pcp(1).count() > 0, "the refill brought a batch of several pages");
        assertEquals(candidates * 512L, dma32.watermarkBoost(), "one boost per claim candidate, claimed once");
        assertEquals(UNMOVABLE, mm.memMap().pageblockMigratetype(pfn), "stealing does not relabel the pageblock");
        assertClean(mm);
    }

    private static long freePagesInPageblock(MemoryManager mm, int start) {
        long free = 0;
        MemMap map = mm.memMap();
        for (int pfn = start; pfn < start + PageAlloc.PAGEBLOCK_NR_PAGES; ) {
            if (map.isBuddy(pfn)) {
                free += 1L << map.buddyOrder(pfn);
                pfn += 1 << map.buddyOrder(pfn);
            } else {
                pfn++;
            }
        }
        return free;
    }

    // -------------------------------------------------------------------------------------------------------------
    // Per-cpu lists

    /**
     * free_frozen_pages(): orders up to PAGE_ALLOC_COSTLY_ORDER go to the freeing CPU's pcp list and are not free
     * pages of the zone (NR_FREE_PAGES and buddyinfo unchanged); drain_all_pages() gives them back.
     */
    @Test
    void smallOrderFreesGoToTheFreeingCpusListUntilDrained() {
        MemoryManager mm = TestMachine.pcLowMemory(64).cpus(0, 0).boot(services);
        Zone dma32 = mm.node(0).zone(ZoneType.DMA32);
        for (int order = 0; order <= PageAlloc.PAGE_ALLOC_COSTLY_ORDER; order++) {
            int pfn = alloc(mm, Gfp.GFP_KERNEL, order);
            assertEquals(dma32, mm.zoneOf(pfn));
            mm.pageAlloc().drainAllPages(null);
            long free = dma32.freePages();
            long blocks = dma32.nrFreeBlocks(order);

            mm.pageAlloc().freePages(pfn, order, 1);

            assertEquals(free, dma32.freePages(), "order " + order + ": NR_FREE_PAGES unchanged");
            assertEquals(blocks, dma32.nrFreeBlocks(order), "order " + order + ": buddyinfo unchanged");
            assertEquals(1 << order, dma32.pcp(1).count(), "order " + order + ": on cpu 1's list");
            assertEquals(0, dma32.pcp(0).count());
            assertTrue(mm.memMap().test(pfn, PageFlags.PG_PCP));

            mm.pageAlloc().drainAllPages(null);

            assertEquals(0, dma32.pcp(1).count());
            assertEquals(free + (1 << order), dma32.freePages());
            assertClean(mm);
        }
    }

    /** pcp_allowed_order(): orders 4..8 and MAX_PAGE_ORDER are freed straight to the buddy lists. */
    @Test
    void largerOrderFreesBypassThePcpLists() {
        MemoryManager mm = TestMachine.pcLowMemory(64).cpus(0, 0).boot(services);
        Zone dma32 = mm.node(0).zone(ZoneType.DMA32);
        for (int order : new int[] {4, 5, 6, 7, 8, 10}) {
            int pfn = alloc(mm, Gfp.GFP_KERNEL, order);
            mm.pageAlloc().drainAllPages(null);
            long free = dma32.freePages();

            mm.pageAlloc().freePages(pfn, order, 0);

            assertEquals(free + (1L << order), dma32.freePages(), "order " + order);
            assertEquals(0, dma32.pcp(0).count());
            assertEquals(0, dma32.pcp(1).count());
        }
        assertClean(mm);
    }

    /**
     * rmqueue_pcplist(): an empty pcp list is refilled with a batch from the buddy lists (pcp batch on the first
     * refill), one page is handed out and the rest stays cached; the next allocation is served from the cache.
     */
    @Test
    void anEmptyPcpListIsRefilledWithABatch() {
        MemoryManager mm = TestMachine.pcLowMemory(64).cpus(0, 0).boot(services);
        Zone dma32 = mm.node(0).zone(ZoneType.DMA32);
        long free = dma32.freePages();
        int batch = dma32.pcp(0).batch();
        assertTrue(batch > 1, "batch " + batch);

        alloc(mm, Gfp.GFP_KERNEL, 0);

        assertEquals(free - batch, dma32.freePages());
        assertEquals(batch - 1, dma32.pcp(0).count());

        alloc(mm, Gfp.GFP_KERNEL, 0);

        assertEquals(free - batch, dma32.freePages());
        assertEquals(batch - 2, dma32.pcp(0).count());
        assertClean(mm);
    }

    // -------------------------------------------------------------------------------------------------------------
    // Zonelist walk, watermarks, lowmem_reserve, failure

    /**
     * The zonelist walk Normal → DMA32 → DMA: the fast path takes each zone down to its low watermark (DMA's plus
     * lowmem_reserve), then the slow path walks the list again against the min watermark; lowmem_reserve keeps
     * lower zones' pages from requests that could use higher zones, and warn_alloc() reports the failure unless
     * __GFP_NOWARN.
     */
    @Test
    void zonesAreUsedInFallbackOrderAndLowmemReserveIsHonoured() {
        MemoryManager mm = threeZones().boot(services);
        int normalIdx = ZoneType.NORMAL.ordinal();
        List<ZoneType> runs = new ArrayList<>();
        int pfn;
        while ((pfn = alloc(mm, Gfp.GFP_KERNEL, 0)) >= 0) {
            ZoneType t = mm.zoneOf(pfn).type();
            if (runs.isEmpty() || runs.get(runs.size() - 1) != t) {
                runs.add(t);
            }
        }
        assertEquals(List.of(ZoneType.NORMAL, ZoneType.DMA32, ZoneType.DMA, ZoneType.NORMAL, ZoneType.DMA32,
                ZoneType.DMA), runs.subList(0, 6), "low-watermark pass, then min-watermark pass");
        // Then the slow path drains the per-cpu lists before giving up (as after a fruitless direct reclaim): the
        // pages cached there go back to the buddy lists and are handed out again — never from DMA, whose
        // lowmem_reserve protects it from requests that could use higher zones.
        assertTrue(runs.size() > 6, "the drain gave pages back");
        assertFalse(runs.subList(6, runs.size()).contains(ZoneType.DMA), runs.toString());
        assertTrue(services.oomCalls().size() > 0, "a GFP_KERNEL order-0 failure asks the OOM killer");
        assertEquals(Gfp.GFP_KERNEL, services.oomCalls().get(0).gfpMask());
        String expected = "<4>mmtest: page allocation failure: order:0, mode:0xcc0(GFP_KERNEL), nodemask=(null)";
        assertEquals(expected, services.log().get(services.log().size() - 1));
        for (Zone z : mm.node(0).zones()) {
            if (!z.isPopulated()) {
                continue;
            }
            long reserve = z.lowmemReserve(normalIdx);
            long pcp = z.pcp(0).count() + z.pcp(1).count();
            assertTrue(z.freePages() <= z.minWmarkPages() + reserve, z + " ended above min + lowmem_reserve");
            assertTrue(z.freePages() + pcp >= z.watermark[Zone.WMARK_MIN] + reserve,
                    z + " was drained below min + lowmem_reserve: free " + z.freePages() + " pcp " + pcp);
        }
        assertTrue(mm.node(0).zone(ZoneType.DMA).lowmemReserve(normalIdx) > 0);

        int logLines = services.log().size();
        assertEquals(-1, alloc(mm, Gfp.GFP_KERNEL | Gfp.__GFP_NOWARN, 0));
        assertEquals(logLines, services.log().size(), "__GFP_NOWARN: no warn_alloc line");

        // A DMA request has nothing above DMA to protect (lowmem_reserve[DMA][DMA] = 0): the reserve is usable.
        // Claims of sub-pageblock blocks in the second pass boosted the watermarks; kswapd, woken for the boost,
        // pays it back on its next run.
        services.advance(1);
        assertEquals(0, mm.node(0).zone(ZoneType.DMA).watermarkBoost());
        int dma = alloc(mm, Gfp.GFP_KERNEL | Gfp.GFP_DMA, 0);
        assertEquals(ZoneType.DMA, mm.zoneOf(dma).type());
        assertClean(mm);
    }

    /**
     * get_page_from_freelist(): every zone the walk reaches is first tested against its high watermark and marked
     * ZONE_BELOW_HIGH when under it (the flag that makes the pcp lists shrink), fallback zones included.
     */
    @Test
    void fallbackZonesAreMarkedBelowHigh() {
        MemoryManager mm = threeZones().boot(services);
        Zone dma32 = mm.node(0).zone(ZoneType.DMA32);
        int pfn;
        do {
            pfn = alloc(mm, Gfp.GFP_KERNEL, 0);
        } while (mm.zoneOf(pfn) != dma32);
        long limit = dma32.highWmarkPages() + dma32.lowmemReserve(ZoneType.NORMAL.ordinal());
        while (dma32.freePages() > limit) {
            assertEquals(dma32, mm.zoneOf(alloc(mm, Gfp.GFP_KERNEL, 0)));
        }
        assertEquals(0, dma32.zoneFlags & Zone.ZONE_BELOW_HIGH, "above high until now");
        assertTrue(dma32.freePages() > dma32.lowWmarkPages() + dma32.lowmemReserve(ZoneType.NORMAL.ordinal()));

        pfn = alloc(mm, Gfp.GFP_KERNEL, 0);

        assertEquals(dma32, mm.zoneOf(pfn), "still above low: served by DMA32");
        assertNotEquals(0, dma32.zoneFlags & Zone.ZONE_BELOW_HIGH);
    }

    // -------------------------------------------------------------------------------------------------------------
    // Counters

    /** Two nodes of 32 MiB: node 0 with DMA and DMA32, node 1 with DMA32 only; CPU 0 on node 0, CPU 1 on node 1. */
    private static TestMachine twoNodes() {
        return new TestMachine()
                .ram(1, TestMachine.LOW_RAM_END_PFN, 0)
                .ram(TestMachine.ONE_MIB_PFN, 8192, 0)
                .ram(8192, 16384, 1)
                .reserve(0, TestMachine.ONE_MIB_PFN)
                .cpus(0, 1);
    }

    /** Every vm event and every zone's NUMA events, to compare before and after one operation. */
    private static long[] counters(MemoryManager mm) {
        int nEvents = VmEvent.values().length;
        int nNuma = NumaStatItem.values().length;
        long[] out = new long[nEvents + mm.zones().size() * nNuma];
        System.arraycopy(mm.vmstat().events, 0, out, 0, nEvents);
        for (int i = 0; i < mm.zones().size(); i++) {
            System.arraycopy(mm.zones().get(i).numaEvents, 0, out, nEvents + i * nNuma, nNuma);
        }
        return out;
    }

    private static int numaSlot(MemoryManager mm, Zone z, NumaStatItem item) {
        return VmEvent.values().length + mm.zones().indexOf(z) * NumaStatItem.values().length + item.ordinal();
    }

    /**
     * __count_zid_vm_events(PGALLOC, ...) adds 2^order per allocation however many pages the pcp refill moved;
     * zone_statistics() counts one NUMA event per allocation: hit/miss against the preferred zone's node (with
     * numa_foreign on the preferred zone), local/other against the node of the allocating CPU; pgfree adds 2^order
     * when the block is freed, whether it goes to a pcp list or the buddy lists, and draining counts nothing.
     */
    @Test
    void vmAndNumaEventsCountAsTheKernelCountsThem() {
        MemoryManager mm = twoNodes().boot(services);
        PageAlloc pa = mm.pageAlloc();
        Zone node0 = mm.node(0).zone(ZoneType.DMA32);
        Zone node1 = mm.node(1).zone(ZoneType.DMA32);

        // Local: node 0 requested from CPU 0 (on node 0).
        long[] before = counters(mm);
        int a = pa.allocPages(Gfp.GFP_KERNEL, 3, 0, 0, PageOwner.KERNEL);
        assertEquals(node0, mm.zoneOf(a));
        long[] want = before.clone();
        want[VmEvent.PGALLOC_DMA32.ordinal()] += 8;
        want[numaSlot(mm, node0, NumaStatItem.NUMA_HIT)]++;
        want[numaSlot(mm, node0, NumaStatItem.NUMA_LOCAL)]++;
        assertCounters(mm, want);

        // Hit but not local: node 1 requested by CPU 0.
        before = counters(mm);
        int b = pa.allocPages(Gfp.GFP_KERNEL, 0, 1, 0, PageOwner.KERNEL);
        assertEquals(node1, mm.zoneOf(b));
        want = before.clone();
        want[VmEvent.PGALLOC_DMA32.ordinal()] += 1;
        want[numaSlot(mm, node1, NumaStatItem.NUMA_HIT)]++;
        want[numaSlot(mm, node1, NumaStatItem.NUMA_OTHER)]++;
        assertCounters(mm, want);

        // Miss: node 1 is full for order 10, the page comes from node 0; CPU 1 is on node 1.
        List<Integer> big = new ArrayList<>();
        while (true) {
            before = counters(mm);
            int c = pa.allocPages(Gfp.GFP_KERNEL, 10, 1, 1, PageOwner.KERNEL);
            assertTrue(c >= 0);
            big.add(c);
            Zone z = mm.zoneOf(c);
            want = before.clone();
            want[VmEvent.forZone(VmEvent.PGALLOC_DMA, z.type()).ordinal()] += 1024;
            if (z.node() == node1.node()) {
                want[numaSlot(mm, z, NumaStatItem.NUMA_HIT)]++;
                want[numaSlot(mm, z, NumaStatItem.NUMA_LOCAL)]++;
                assertCounters(mm, want);
                continue;
            }
            want[numaSlot(mm, z, NumaStatItem.NUMA_MISS)]++;
            want[numaSlot(mm, node1, NumaStatItem.NUMA_FOREIGN)]++;
            want[numaSlot(mm, z, NumaStatItem.NUMA_OTHER)]++;
            assertCounters(mm, want);
            break;
        }

        // pgfree at free time, for pcp and buddy frees alike; draining counts nothing more.
        before = counters(mm);
        pa.freePages(a, 3, 0);
        pa.freePages(b, 0, 1);
        pa.freePages(big.get(0), 10, 1);
        want = before.clone();
        want[VmEvent.PGFREE.ordinal()] += 8 + 1 + 1024;
        assertCounters(mm, want);
        pa.drainAllPages(null);
        assertCounters(mm, want);
        assertClean(mm);
    }

    private static void assertCounters(MemoryManager mm, long[] want) {
        long[] got = counters(mm);
        for (int i = 0; i < want.length; i++) {
            if (want[i] != got[i]) {
                String name = i < VmEvent.values().length ? VmEvent.values()[i].name()
                        : mm.zones().get((i - VmEvent.values().length) / NumaStatItem.values().length) + " "
                        + NumaStatItem.values()[(i - VmEvent.values().length) % NumaStatItem.values().length];
                fail(name + ": expected " + want[i] + " but was " + got[i]);
            }
        }
    }

    // -------------------------------------------------------------------------------------------------------------
    // Programming errors

    /**
     * Freeing what is not an allocated block is a programming error (the kernel's bad_page()): a free buddy
     * block, a page cached on a pcp list, a double free, a reserved page. Nothing changes.
     */
    @Test
    void freeingABlockThatIsNotAllocatedThrows() {
        MemoryManager mm = TestMachine.pcLowMemory(64).cpus(0, 0).boot(services);
        PageAlloc pa = mm.pageAlloc();
        Zone dma32 = mm.node(0).zone(ZoneType.DMA32);
        int buddy = dma32.freeArea.first(10, MOVABLE);
        int onPcp = alloc(mm, Gfp.GFP_KERNEL, 0);
        pa.freePages(onPcp, 0, 0);
        assertTrue(mm.memMap().test(onPcp, PageFlags.PG_PCP));
        int block = alloc(mm, Gfp.GFP_KERNEL, 5);
        pa.freePages(block, 5, 0);
        long free = dma32.freePages();
        long pcp = dma32.pcp(0).count();

        assertThrows(IllegalStateException.class, () -> pa.freePages(buddy, 10, 0), "free buddy block");
        assertThrows(IllegalStateException.class, () -> pa.freePages(onPcp, 0, 0), "page on a pcp list");
        assertThrows(IllegalStateException.class, () -> pa.freePages(block, 5, 0), "double free");
        assertThrows(IllegalStateException.class, () -> pa.freePages(0x10, 0, 0), "reserved (first MiB)");

        assertEquals(free, dma32.freePages());
        assertEquals(pcp, dma32.pcp(0).count());
        assertEquals(0, mm.vmstat().ownerPages(PageOwner.KERNEL));
        assertNotNull(mm.zoneOf(buddy));
        assertClean(mm);
    }
}
