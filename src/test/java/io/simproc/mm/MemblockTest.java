package io.simproc.mm;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * memblock (mm/memblock.c): the boot-time allocator. memblock_alloc_range_nid() allocates top-down by default
 * (memblock_find_in_range_node → __memblock_find_range_top_down): the highest aligned range that is RAM, not
 * reserved, inside [min, max) and on the requested node; the result is reserved. Then memblock_free_all() hands
 * memory − reserved to the buddy allocator in maximal naturally aligned blocks.
 */
class MemblockTest {
    private static Memblock twoRanges() {
        Memblock mb = new Memblock();
        mb.addMemory(0x100, 0x10000, 0);
        mb.addMemory(1, 0x9f, 0);
        return mb;
    }

    @Test
    void allocatesBottomUpFromTheLowestAlignedFreeRange() {
        Memblock mb = twoRanges();
        mb.reserve(0x200, 0x300, "kernel");
        assertEquals(0x400, mb.allocBottomUp(0x100, 0x200, 0x100, Long.MAX_VALUE, -1, "cma"),
                "0x200 is reserved, so the next 0x200-aligned start");
        assertEquals(0x600, mb.allocBottomUp(0x100, 0x200, 0x100, Long.MAX_VALUE, -1, "cma2"));
        assertEquals(-1, mb.allocBottomUp(0x100, 1, 0x100, 0x180, -1, "too big below the limit"));
        assertTrue(mb.isRegionReserved(0x450, 0x460));
        assertFalse(mb.isRegionReserved(0x300, 0x400));
        assertTrue(mb.isRegionMemory(0x100, 0x10000));
        assertFalse(mb.isRegionMemory(0x90, 0x110));
    }

    @Test
    void allocatesFromTheTopOfMemoryDown() {
        Memblock mb = twoRanges();
        assertEquals(0x10000 - 16, mb.allocTopDown(16, 1, 0, Long.MAX_VALUE, -1, "a"));
        assertEquals(0x10000 - 32, mb.allocTopDown(16, 1, 0, Long.MAX_VALUE, -1, "b"));
        List<Memblock.Region> reserved = mb.reserved();
        assertEquals(2, reserved.size());
        assertEquals(new Memblock.Region(0x10000 - 32, 0x10000 - 16, 0, "b"), reserved.get(0));
        assertEquals(new Memblock.Region(0x10000 - 16, 0x10000, 0, "a"), reserved.get(1));
        assertEquals(32, mb.reservedPages());
    }

    @Test
    void alignsTheStartDownToTheRequestedAlignment() {
        Memblock mb = twoRanges();
        long start = mb.allocTopDown(10, 512, 0, Long.MAX_VALUE, -1, "aligned");
        assertEquals(0x10000 - 512, start, "highest 512-aligned start with 10 pages below the end");
        long next = mb.allocTopDown(600, 1024, 0, Long.MAX_VALUE, -1, "bigger");
        assertEquals(0x10000 - 2048, next, "must end below the first allocation: start ≤ 0xfe00 − 600, aligned");
    }

    @Test
    void skipsReservedRangesIncludingOverlappingOnes() {
        Memblock mb = twoRanges();
        mb.reserve(0xf000, 0x10000, "top");
        mb.reserve(0xe000, 0xf800, "overlaps top");
        mb.reserve(0xdf80, 0xdf90, "small hole maker");
        assertEquals(0xdf80 - 0x100, mb.allocTopDown(0x100, 1, 0, Long.MAX_VALUE, -1, "below"));
        // Overlapping reservations count once.
        assertEquals(0x2000 + 0x10 + 0x100, mb.reservedPages());
    }

    @Test
    void fallsBackToALowerMemoryRangeAndFailsWhenNothingFits() {
        Memblock mb = new Memblock();
        mb.addMemory(0x100, 0x1000, 0);
        mb.addMemory(0x2000, 0x2010, 0);
        assertEquals(0x1000 - 32, mb.allocTopDown(32, 1, 0, Long.MAX_VALUE, -1, "too big for the top range"));
        assertEquals(-1, mb.allocTopDown(0x1000, 1, 0, Long.MAX_VALUE, -1, "too big for anything"));
        assertEquals(1, mb.reserved().size(), "a failed allocation reserves nothing");
    }

    @Test
    void honoursTheRangeLimits() {
        Memblock mb = twoRanges();
        assertEquals(0x9000 - 16, mb.allocTopDown(16, 1, 0, 0x9000, -1, "below max"));
        assertEquals(-1, mb.allocTopDown(16, 1, 0xfff8, Long.MAX_VALUE, -1, "above min: only 8 pages"));
        assertEquals(0x10000 - 16, mb.allocTopDown(16, 16, 0xfff0, Long.MAX_VALUE, -1, "exactly fits above min"));
    }

    @Test
    void restrictsToTheRequestedNode() {
        Memblock mb = new Memblock();
        mb.addMemory(0x100, 0x8000, 0);
        mb.addMemory(0x8000, 0x10000, 1);
        assertEquals(0x8000 - 16, mb.allocTopDown(16, 1, 0, Long.MAX_VALUE, 0, "node 0"));
        assertEquals(0x10000 - 16, mb.allocTopDown(16, 1, 0, Long.MAX_VALUE, 1, "node 1"));
        assertEquals(0x10000 - 32, mb.allocTopDown(16, 1, 0, Long.MAX_VALUE, -1, "any node"));
        assertEquals(-1, mb.allocTopDown(0x8000, 1, 0, Long.MAX_VALUE, 0, "larger than node 0"));
        assertEquals(1, mb.nidOf(0x8000));
        assertEquals(0, mb.reserved().get(0).nid());
        assertEquals(1, mb.reserved().get(2).nid());
    }

    @Test
    void describesMemory() {
        Memblock mb = twoRanges();
        assertEquals(0x10000, mb.endPfn());
        assertTrue(mb.isMemory(1));
        assertFalse(mb.isMemory(0));
        assertFalse(mb.isMemory(0x9f), "the BIOS area is a hole");
        assertEquals(0x9e + 0x10000 - 0x100, mb.presentPages(0, 0x20000));
        assertEquals(0x9e, mb.presentPages(0, 0x100));
    }

    /**
     * memblock_free_all() / __free_pages_memory(): with the first MiB reserved, ZONE_DMA's free memory
     * [1 MiB, 16 MiB) becomes one order-8, one order-9 and three order-10 blocks, which is the live sample's DMA
     * buddyinfo (0 0 0 0 0 0 0 0 1 1 3); pages from the low 640 KiB are all reserved.
     */
    @Test
    void freeAllGivesMemoryMinusReservedToTheBuddyAllocatorInMaximalBlocks() {
        MemoryManager mm = TestMachine.pcLowMemory(64).boot(new FakeKernelServices());
        Zone dma = mm.node(0).zone(ZoneType.DMA);
        long[] buddyinfo = new long[PageAlloc.NR_PAGE_ORDERS];
        for (int order = 0; order < buddyinfo.length; order++) {
            buddyinfo[order] = dma.nrFreeBlocks(order);
        }
        assertEquals(List.of(0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L, 1L, 1L, 3L),
                java.util.Arrays.stream(buddyinfo).boxed().toList());
        assertEquals(3840, dma.managedPages());
        assertEquals(3840, dma.freePages());
        assertTrue(mm.memMap().test(0x10, PageFlags.PG_RESERVED));
        assertTrue(mm.memMap().test(0xa0, PageFlags.PG_HOLE), "the BIOS area has no RAM behind it");
        Zone dma32 = mm.node(0).zone(ZoneType.DMA32);
        assertEquals(12, dma32.nrFreeBlocks(10), "[16 MiB, 64 MiB) is twelve order-10 blocks");
        assertEquals(List.of(), MmDebug.violations(mm));
    }
}
