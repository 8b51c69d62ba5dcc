package io.simproc.mm;

/**
 * Memory compaction (mm/compaction.c) of one zone at a time: the migrate scanner walks pageblocks up from the
 * zone's start isolating movable pages, the free scanner walks down from its end isolating free pages of movable
 * pageblocks (never whole free pageblocks), pages move from low to high until the scanners meet — or, for an
 * allocation, until a free block of the requested order exists. Unmovable pages (kernel, page tables, slab) stay
 * and keep their pageblocks from coming free. Also compaction_suitable with the fragmentation index and
 * extfrag_threshold, the compact_memory trigger (every populated zone, order −1, no early stop) and direct
 * compaction for the page allocator (compact_stall, compact_fail, compact_success); {@link Kcompactd} runs it in the
 * background.
 *
 * <p>Deferral, per zone, for direct compaction and kcompactd alike: a run for an order that fails defers the zone's
 * compaction (defer_compaction), so that of the next attempts at that order or above only the 2^compact_defer_shift-th
 * compacts (compaction_deferred), the shift growing by one per failure up to COMPACT_MAX_DEFER_SHIFT; a success
 * lifts the deferral for its order and below, and an allocation served after direct compaction resets the shift
 * (compaction_defer_reset). Every run starts at the zone's ends with no pageblock skip hints, so a run after a long
 * deferral (compaction_restarting) has no cached state to clear.
 */
public final class Compaction {
    /** COMPACT_CLUSTER_MAX: pages isolated per migration batch. */
    static final int COMPACT_CLUSTER_MAX = 32;
    /** COMPACT_MAX_DEFER_SHIFT: a failing zone is skipped at most 2^6 − 1 attempts in a row. */
    static final int COMPACT_MAX_DEFER_SHIFT = 6;

    private final MemoryManager mm;
    private final Migrate migrate;

    Compaction(MemoryManager mm) {
        this.mm = mm;
        this.migrate = new Migrate(mm);
    }

    /**
     * fragmentation_index(): 0 with no free blocks, −1000 when a block of the order is free, else
     * {@code 1000 − (1000 + free_pages × 1000 / requested) / free_blocks_total} — near 0 when memory is short, near
     * 1000 when it is fragmented.
     */
    public static int fragmentationIndex(Zone z, int order) {
        long requested = 1L << order;
        long blocksTotal = 0;
        long freePages = 0;
        long blocksSuitable = 0;
        for (int o = 0; o < PageAlloc.NR_PAGE_ORDERS; o++) {
            long n = z.freeArea.nrFree(o);
            blocksTotal += n;
            freePages += n << o;
            if (o >= order) {
                blocksSuitable += n << (o - order);
            }
        }
        if (blocksTotal == 0) {
            return 0;
        }
        if (blocksSuitable > 0) {
            return -1000;
        }
        return (int) (1000 - (1000 + freePages * 1000 / requested) / blocksTotal);
    }

    /**
     * compaction_suitable(): enough free pages above the (low for costly orders, else min) watermark plus
     * compact_gap to migrate into, and for costly orders a fragmentation index above extfrag_threshold (a lack of
     * memory rather than fragmentation is for reclaim).
     */
    public boolean suitable(Zone z, int order, int highestZoneidx) {
        long wmark = (order > PageAlloc.PAGE_ALLOC_COSTLY_ORDER ? z.lowWmarkPages() : z.minWmarkPages())
                + (2L << order);
        if (!mm.pageAlloc().zoneWatermarkOk(z, 0, wmark, highestZoneidx, PageAlloc.ALLOC_CMA, z.freePages())) {
            return false;
        }
        if (order > PageAlloc.PAGE_ALLOC_COSTLY_ORDER) {
            int fi = fragmentationIndex(z, order);
            return fi < 0 || fi > mm.tunables().extfragThreshold;
        }
        return true;
    }

    /** extfrag_threshold: 0..1000 (the sysctl checks the range). */
    public void setExtfragThreshold(int value) {
        mm.assertWriter();
        mm.tunables().extfragThreshold = value;
    }

    /** compact_unevictable_allowed: 0 or 1 (the sysctl checks the range). */
    public void setCompactUnevictableAllowed(int value) {
        mm.assertWriter();
        mm.tunables().compactUnevictableAllowed = value;
    }

    /** compact_nodes(), for a write of 1 to compact_memory: {@link #compactNode} of every node. */
    public void compactNodes() {
        mm.assertWriter();
        for (int nid = 0; nid < mm.nrNodes(); nid++) {
            compactNode(nid);
        }
    }

    /**
     * compact_node(), also what a write to /sys/devices/system/node/nodeN/compact does: every populated zone of
     * node {@code nid}, whole.
     */
    public void compactNode(int nid) {
        mm.assertWriter();
        for (Zone z : mm.zones()) {
            if (z.isPopulated() && z.node().nodeId() == nid) {
                compactZone(z, -1, MigrateType.MOVABLE.ordinal());
            }
        }
    }

    /**
     * The values of enum compact_result this compaction produces, in the kernel's order: try_to_compact_pages()
     * reports the greatest of its zones'.
     */
    enum CompactResult {
        /** Not suitable (compaction_suitable), or not tried at all. */
        SKIPPED,
        /** compaction_deferred() skipped the zone. */
        DEFERRED,
        /** The scanners met over the whole zone without a free block of the order. */
        COMPLETE,
        /** A free block of the order exists (or did before the run). */
        SUCCESS
    }

    /**
     * try_to_compact_pages() and __alloc_pages_direct_compact()'s stall accounting, called by the allocator for an
     * order > 0 that failed. Each zone of the zonelist whose compaction is deferred for the order is skipped; the
     * others are compacted (compact_zone_order: SUCCESS at once when the zone already passes the allocation's
     * watermark for the order, SKIPPED when not suitable, else a run) until one has a free block of the order. A
     * success lifts the zone's deferral for the order (compaction_defer_reset, not yet counted as an allocation
     * success) and ends the walk; a run that fails defers the zone (defer_compaction). Returns false when every
     * zone was skipped (COMPACT_SKIPPED: no stall counted), else true after counting compact_stall — a deferred zone
     * counts, as in the kernel; the caller then tries the free lists and reports with {@link #countResult}.
     */
    boolean tryToCompactPages(Zone[] zonelist, int order, int highestZoneidx, int migratetype, int allocFlags) {
        CompactResult rc = CompactResult.SKIPPED;
        for (Zone z : zonelist) {
            if (z.type().ordinal() > highestZoneidx || !z.isPopulated()) {
                continue;
            }
            if (compactionDeferred(z, order)) {
                rc = max(rc, CompactResult.DEFERRED);
                continue;
            }
            CompactResult status = compactZoneOrder(z, order, highestZoneidx, migratetype, allocFlags);
            rc = max(rc, status);
            if (status == CompactResult.SUCCESS) {
                compactionDeferReset(z, order, false);
                break;
            }
            if (status == CompactResult.COMPLETE) {
                deferCompaction(z, order);
            }
        }
        if (rc == CompactResult.SKIPPED) {
            return false;
        }
        mm.vmstat().countEvent(VmEvent.COMPACT_STALL, 1);
        return true;
    }

    private static CompactResult max(CompactResult a, CompactResult b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    /** compact_zone_order() for direct compaction: the watermark and suitability checks of compact_zone(), the run. */
    private CompactResult compactZoneOrder(Zone z, int order, int highestZoneidx, int migratetype, int allocFlags) {
        long mark = z.wmarkPages(allocFlags & PageAlloc.ALLOC_WMARK_MASK);
        if (mm.pageAlloc().zoneWatermarkOk(z, order, mark, highestZoneidx, allocFlags, z.freePages())) {
            return CompactResult.SUCCESS;
        }
        if (!suitable(z, order, highestZoneidx)) {
            return CompactResult.SKIPPED;
        }
        return compactZone(z, order, migratetype) ? CompactResult.SUCCESS : CompactResult.COMPLETE;
    }

    /**
     * The end of __alloc_pages_direct_compact() for a direct compaction that stalled: {@code pfn} is what the free
     * lists gave afterwards (−1 for nothing). A page counts compact_success and resets the deferral of its zone for
     * {@code order} (compaction_defer_reset with the allocation's success); none counts compact_fail.
     */
    void countResult(int pfn, int order) {
        if (pfn < 0) {
            mm.vmstat().countEvent(VmEvent.COMPACT_FAIL, 1);
            return;
        }
        compactionDeferReset(mm.zoneOf(pfn), order, true);
        mm.vmstat().countEvent(VmEvent.COMPACT_SUCCESS, 1);
    }

    /**
     * defer_compaction(): compaction of {@code z} failed at {@code order}: restart the count of attempts, double
     * the number to skip (up to 2^COMPACT_MAX_DEFER_SHIFT), and defer this order and every order above it.
     */
    static void deferCompaction(Zone z, int order) {
        z.compactConsidered = 0;
        z.compactDeferShift = Math.min(z.compactDeferShift + 1, COMPACT_MAX_DEFER_SHIFT);
        if (order < z.compactOrderFailed) {
            z.compactOrderFailed = order;
        }
    }

    /**
     * compaction_deferred(): whether to skip compacting {@code z} for {@code order} this time. Orders below the
     * lowest that failed are never deferred; otherwise the attempt is counted, and it is skipped until the count
     * reaches 2^compact_defer_shift (where it then stays, so that every later attempt compacts until the next
     * failure).
     */
    static boolean compactionDeferred(Zone z, int order) {
        if (order < z.compactOrderFailed) {
            return false;
        }
        int deferLimit = 1 << z.compactDeferShift;
        if (++z.compactConsidered >= deferLimit) {
            z.compactConsidered = deferLimit;
            return false;
        }
        return true;
    }

    /**
     * compaction_defer_reset(): compaction of {@code z} succeeded at {@code order}: orders up to it are no longer
     * deferred, and when an allocation actually got its page ({@code allocSuccess}) the count and the shift
     * start over.
     */
    static void compactionDeferReset(Zone z, int order, boolean allocSuccess) {
        if (allocSuccess) {
            z.compactConsidered = 0;
            z.compactDeferShift = 0;
        }
        if (order >= z.compactOrderFailed) {
            z.compactOrderFailed = order + 1;
        }
    }

    /** struct compact_control: what one compact_zone() run is for, and what it scanned. */
    static final class Control {
        final int order;
        final int migratetype;
        /** Proactive compaction (kcompactd): stop once the zone's fragmentation score is at most the low mark. */
        final boolean proactive;
        long totalMigrateScanned;
        long totalFreeScanned;

        Control(int order, int migratetype, boolean proactive) {
            this.order = order;
            this.migratetype = migratetype;
            this.proactive = proactive;
        }
    }

    /**
     * compact_zone(): run both scanners over {@code zone}; for {@code order} ≥ 0 stop at a pageblock boundary once
     * a free block of that order exists. Returns whether it stopped for that reason.
     */
    boolean compactZone(Zone zone, int order, int migratetype) {
        return compactZone(zone, new Control(order, migratetype, false));
    }

    /**
     * compact_zone() for {@code cc}: as above, and proactive compaction stops at a pageblock boundary once the
     * zone's fragmentation score is at most the low mark (success) or kswapd runs on the node (partial).
     */
    boolean compactZone(Zone zone, Control cc) {
        int order = cc.order;
        int migratetype = cc.migratetype;
        int start = (int) (zone.zoneStartPfn() & ~(PageAlloc.PAGEBLOCK_NR_PAGES - 1));
        int migratePfn = start;
        int freePfn = (int) ((zone.zoneEndPfn() - 1) & ~(PageAlloc.PAGEBLOCK_NR_PAGES - 1));
        java.util.ArrayDeque<Integer> freepages = new java.util.ArrayDeque<>();
        int cpu = 0;
        boolean done = false;
        boolean migrated = false;
        try {
            while (migratePfn < freePfn && !done) {
                int blockEnd = migratePfn + PageAlloc.PAGEBLOCK_NR_PAGES;
                int pfn = migratePfn;
                while (pfn < blockEnd) {
                    java.util.List<Integer> batch = new java.util.ArrayList<>(COMPACT_CLUSTER_MAX);
                    long scanned = 0;
                    for (; pfn < blockEnd && batch.size() < COMPACT_CLUSTER_MAX; pfn++) {
                        scanned++;
                        if (!inZone(zone, pfn)) {
                            continue;
                        }
                        if (mm.memMap().isBuddy(pfn)) {
                            pfn += (1 << mm.memMap().buddyOrder(pfn)) - 1;
                            continue;
                        }
                        if (mm.memMap().test(pfn, PageFlags.PG_TRANSHUGE)) {
                            // skip_isolation_on_order(): a folio of pageblock order is never worth moving.
                            int rest = HugeMemory.HPAGE_PMD_NR - 1 - (pfn & (HugeMemory.HPAGE_PMD_NR - 1));
                            pfn += rest;
                            scanned += rest;
                            continue;
                        }
                        if (migrate.isMovable(pfn)) {
                            batch.add(pfn);
                        }
                    }
                    mm.vmstat().countEvent(VmEvent.COMPACT_MIGRATE_SCANNED, scanned);
                    cc.totalMigrateScanned += scanned;
                    mm.vmstat().countEvent(VmEvent.COMPACT_ISOLATED, batch.size());
                    for (int src : batch) {
                        while (freepages.isEmpty() && freePfn >= blockEnd) {
                            cc.totalFreeScanned += isolateFreepages(zone, freePfn, freepages);
                            freePfn -= PageAlloc.PAGEBLOCK_NR_PAGES;
                        }
                        if (freepages.isEmpty()) {
                            mm.vmstat().countEvent(VmEvent.PGMIGRATE_FAIL, 1);
                            continue;
                        }
                        int dst = freepages.pollFirst();
                        if (migrate.migratePage(src, dst, cpu)) {
                            migrated = true;
                        } else {
                            freepages.addFirst(dst);
                            mm.vmstat().countEvent(VmEvent.PGMIGRATE_FAIL, 1);
                        }
                    }
                }
                migratePfn = blockEnd;
                if (order >= 0 && migrated) {
                    // The freed sources sit on the per-cpu list; flush them so they merge (drain_local_pages).
                    mm.pageAlloc().drainAllPages(zone);
                    migrated = false;
                }
                if (order >= 0 && hasFreeBlock(zone, order, migratetype)) {
                    done = true;
                }
                if (cc.proactive && (mm.kswapd().isRunning(zone.node())
                        || Kcompactd.fragmentationScoreZone(zone) <= Kcompactd.fragmentationScoreWmark(
                                mm.tunables().compactionProactiveness(), true))) {
                    done = true;
                }
            }
        } finally {
            for (int p : freepages) {
                mm.pageAlloc().releaseIsolatedPage(p);
            }
        }
        return done;
    }

    /**
     * isolate_freepages_block() over the pageblock at {@code blockStart} when suitable_migration_target() allows it:
     * a movable (or CMA) pageblock that does not begin with a free block of pageblock order or more. Such a free
     * block spans the whole pageblock (and, at MAX_PAGE_ORDER, the next one, whose pages are tails with no buddy
     * head among them), so compaction never splits it into migration targets. Returns the pages scanned.
     */
    private long isolateFreepages(Zone zone, int blockStart, java.util.ArrayDeque<Integer> freepages) {
        int mt = mm.memMap().pageblockMigratetype(blockStart);
        if (mt != MigrateType.MOVABLE.ordinal() && mt != MigrateType.CMA.ordinal()) {
            return 0;
        }
        if (mm.memMap().isBuddy(blockStart) && mm.memMap().buddyOrder(blockStart) >= PageAlloc.PAGEBLOCK_ORDER) {
            return 0;
        }
        long scanned = 0;
        long isolated = 0;
        for (int pfn = blockStart; pfn < blockStart + PageAlloc.PAGEBLOCK_NR_PAGES; pfn++) {
            scanned++;
            if (!inZone(zone, pfn) || !mm.memMap().isBuddy(pfn)) {
                continue;
            }
            int order = mm.pageAlloc().isolateFreePage(pfn);
            if (order < 0) {
                break;
            }
            for (int i = 0; i < 1 << order; i++) {
                freepages.addLast(pfn + i);
            }
            isolated += 1L << order;
            pfn += (1 << order) - 1;
        }
        mm.vmstat().countEvent(VmEvent.COMPACT_FREE_SCANNED, scanned);
        mm.vmstat().countEvent(VmEvent.COMPACT_ISOLATED, isolated);
        return scanned;
    }

    private boolean inZone(Zone zone, int pfn) {
        return pfn >= zone.zoneStartPfn() && pfn < zone.zoneEndPfn() && mm.memMap().zoneId(pfn) == zone.id()
                && !mm.memMap().test(pfn, PageFlags.PG_RESERVED);
    }

    /**
     * __compact_finished()'s success test: a free block of at least {@code order} on the requester's list (or CMA
     * for movable requests), or a whole free pageblock of another type it could claim.
     */
    private static boolean hasFreeBlock(Zone zone, int order, int migratetype) {
        for (int o = order; o < PageAlloc.NR_PAGE_ORDERS; o++) {
            if (!zone.freeArea.isEmpty(o, migratetype)) {
                return true;
            }
            if (migratetype == MigrateType.MOVABLE.ordinal() && !zone.freeArea.isEmpty(o,
                    MigrateType.CMA.ordinal())) {
                return true;
            }
            if (o >= PageAlloc.PAGEBLOCK_ORDER) {
                for (int mt = 0; mt < MigrateType.MIGRATE_PCPTYPES; mt++) {
                    if (!zone.freeArea.isEmpty(o, mt)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }
}
