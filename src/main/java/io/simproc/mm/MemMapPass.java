package io.simproc.mm;

import java.util.List;

/**
 * {@link MmDebug}'s single pass over the mem_map: every check that is about one struct page, or a sum over pages,
 * reads each page frame once. A page is in exactly one state (hole, reserved, buddy-free, per-cpu, allocated with
 * an owner) inside its zone; an anonymous page names a live anon_vma; a page's mapcount is the number of PTEs
 * counted on it ({@link PteCounts}); a transparent huge page is 512 aligned anonymous pages mapped whole unless
 * queued for a deferred split. The sums (per-zone states, per-owner pages, mapped anon, swap cache, dirty,
 * writeback, write-pending per zone, THP pages per node) are left in the fields for MmDebug to compare with the
 * counters. One pass rather than one per check: tests run MmDebug after every timer, and each pass over a large
 * machine's mem_map reads all of it from memory.
 */
final class MemMapPass {
    static final byte FREE = 1;
    static final byte PCP = 2;
    /** Pages with none of these bits take no part in the checks after the state's. */
    private static final int PAGE_CHECK_BITS = PageFlags.OWNER_MASK | PageFlags.PG_SWAPCACHE | PageFlags.PG_WRITEBACK
            | PageFlags.PG_TRANSHUGE;

    private final MemoryManager mm;
    private final MemMap map;
    private final List<String> errors;
    final long[] freePerZone;
    final long[] pcpPerZone;
    final long[] allocatedPerZone;
    final long[] owners = new long[PageOwner.values().length];
    final long[] writePending;
    final long[] thpPerNode;
    long anonMapped;
    long swapCache;
    long dirty;
    long writeback;
    /**
     * The THP folio whose pages the pass is in (it meets them one after another): its head, whether it is on the
     * deferred split queue, the head's THP bit, refcount and mapcount, its node.
     */
    private int folioHead = -1;
    private boolean folioQueued;
    private boolean folioHeadIsThp;
    private int folioRefcount;
    private int folioMapcount;
    private int folioNode;

    private MemMapPass(MemoryManager mm, List<String> errors) {
        this.mm = mm;
        this.map = mm.memMap();
        this.errors = errors;
        int zones = mm.nrNodes() * ZoneType.MAX_NR_ZONES;
        freePerZone = new long[zones];
        pcpPerZone = new long[zones];
        allocatedPerZone = new long[zones];
        writePending = new long[zones];
        thpPerNode = new long[mm.nrNodes()];
    }

    /**
     * Check every page frame. {@code state} marks the pages the free lists ({@link #FREE}) and per-cpu lists
     * ({@link #PCP}) cover; {@code ptes} counts the PTEs mapping each page.
     */
    static MemMapPass run(MemoryManager mm, byte[] state, PteCounts ptes, List<String> errors) {
        MemMapPass pass = new MemMapPass(mm, errors);
        MemMap map = pass.map;
        int nrPfns = map.nrPfns();
        // A pageblock belongs to one zone (or none): look it up once per block, count the block's pages in locals.
        for (int block = 0; block < nrPfns; block += PageAlloc.PAGEBLOCK_NR_PAGES) {
            int end = Math.min(block + PageAlloc.PAGEBLOCK_NR_PAGES, nrPfns);
            int zid = map.zoneId(block);
            Zone zone = zid < 0 ? null : mm.zoneOf(block);
            long inZoneFrom = zone == null ? 0 : Math.max(block, zone.zoneStartPfn());
            long inZoneTo = zone == null ? 0 : Math.min(end, zone.zoneEndPfn());
            if (zone != null && inZoneFrom == block && inZoneTo == end && allFree(map, state, ptes, block, end)) {
                pass.freePerZone[zid] += end - block;
                continue;
            }
            long free = 0;
            long pcp = 0;
            long allocated = 0;
            for (int pfn = block; pfn < end; pfn++) {
                int f = map.flags(pfn);
                int owner = (f & PageFlags.OWNER_MASK) >>> PageFlags.OWNER_SHIFT;
                byte listed = state[pfn];
                boolean reserved = (f & PageFlags.PG_RESERVED) != 0;
                if ((listed != 0 ? 1 : 0) + (reserved ? 1 : 0) + (owner != 0 ? 1 : 0) != 1) {
                    pass.notOneState(pfn, listed, reserved, owner);
                } else if (reserved) {
                    // reserved pages are in no zone's count
                } else if (pfn < inZoneFrom || pfn >= inZoneTo) {
                    errors.add("pfn " + pfn + " is in use but outside every zone");
                } else if (listed == FREE) {
                    free++;
                } else if (listed == PCP) {
                    pcp++;
                } else {
                    allocated++;
                    pass.owners[owner]++;
                }
                if ((f & PAGE_CHECK_BITS) != 0) {
                    pass.checkPage(pfn, f, ptes);
                }
                int mapped = ptes.ptes(pfn);
                if (mapped != 0 && map.mapcount(pfn) != mapped) {
                    errors.add("pfn " + pfn + " mapcount " + map.mapcount(pfn) + " but " + mapped + " PTEs map it");
                }
            }
            if (zid >= 0) {
                pass.freePerZone[zid] += free;
                pass.pcpPerZone[zid] += pcp;
                pass.allocatedPerZone[zid] += allocated;
            }
        }
        return pass;
    }

    /**
     * Whether every page of [from, to) is on a free list, unowned, unreserved and mapped by no PTE: then each is in
     * its one state and has nothing else to check, and a tight loop tells it (most of an idle machine's blocks).
     */
    private static boolean allFree(MemMap map, byte[] state, PteCounts ptes, int from, int to) {
        int flags = 0;
        int notFree = 0;
        int mapped = 0;
        for (int pfn = from; pfn < to; pfn++) {
            flags |= map.flags(pfn);
            notFree |= state[pfn] ^ FREE;
            mapped |= ptes.ptes(pfn);
        }
        return (flags & (PageFlags.PG_RESERVED | PAGE_CHECK_BITS)) == 0 && notFree == 0 && mapped == 0;
    }

    private void notOneState(int pfn, byte listed, boolean reserved, int owner) {
        int kinds = (listed != 0 ? 1 : 0) + (reserved ? 1 : 0) + (owner != 0 ? 1 : 0);
        errors.add("pfn " + pfn + " is in " + kinds + " states (list=" + listed + " reserved=" + reserved + " owner="
                + PageOwner.of(owner) + ")");
    }

    /** The page cache, anon_vma and THP checks of a page with an owner or a swap-cache, writeback or THP bit. */
    private void checkPage(int pfn, int f, PteCounts ptes) {
        PageOwner o = PageOwner.of((f & PageFlags.OWNER_MASK) >>> PageFlags.OWNER_SHIFT);
        if (o == PageOwner.ANON) {
            if (map.mapcount(pfn) > 0) {
                anonMapped++;
            }
            // A page pinned for DMA outlives its mappings (its process unmapped it or died with I/O in flight):
            // until unpin_user_page() frees it, its mapping field is stale, as folio->mapping is in the kernel.
            boolean orphanedByPin = map.mapcount(pfn) == 0 && Gup.maybeDmaPinned(map, pfn);
            if ((f & PageFlags.PG_KSM) != 0 ? !mm.ksm().scan().trees().isStablePage(pfn)
                    : !orphanedByPin && !(mm.mappings().get(map.mapping(pfn)) instanceof AnonVma)) {
                errors.add("anonymous pfn " + pfn + " names no anon_vma (mapping " + map.mapping(pfn) + ")");
            }
        }
        if ((f & PageFlags.PG_SWAPCACHE) != 0) {
            swapCache++;
            if (o != PageOwner.ANON) {
                errors.add("pfn " + pfn + " in the swap cache is owned by " + o);
            }
        }
        if (o == PageOwner.FILE && (f & PageFlags.PG_DIRTY) != 0) {
            dirty++;
            writePending[map.zoneId(pfn)]++;
        }
        if ((f & PageFlags.PG_WRITEBACK) != 0) {
            writeback++;
            writePending[map.zoneId(pfn)]++;
        }
        if ((f & PageFlags.PG_TRANSHUGE) != 0) {
            checkHugePage(pfn, f, ptes);
        }
    }

    /**
     * A THP page: its head is a THP page, it is anonymous, and unless the folio is queued for a deferred split
     * it shares the head's refcount and mapcount and is referenced. (A folio is one pageblock: one zone, one node.)
     */
    private void checkHugePage(int pfn, int f, PteCounts ptes) {
        int head = HugeMemory.headOf(pfn);
        if (head != folioHead) {
            folioHead = head;
            folioQueued = mm.hugeMemory().isDeferred(head);
            folioHeadIsThp = map.test(head, PageFlags.PG_TRANSHUGE);
            folioRefcount = map.refcount(head);
            folioMapcount = map.mapcount(head);
            folioNode = mm.zoneOf(pfn).node().nodeId();
        }
        thpPerNode[folioNode]++;
        int refcount = map.refcount(pfn);
        boolean whole = refcount == folioRefcount && map.mapcount(pfn) == folioMapcount;
        if (!folioHeadIsThp || (f & PageFlags.PG_ANON) == 0 || !folioQueued && (!whole || refcount == 0)) {
            errors.add("THP page " + pfn + " (head " + head + (folioQueued ? ", queued" : "") + "): refcount "
                    + refcount + " mapcount " + map.mapcount(pfn) + ", head " + folioRefcount + "/" + folioMapcount
                    + ", " + ptes.psePtes(pfn) + " huge PTEs");
        }
    }
}
