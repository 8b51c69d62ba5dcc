package io.simproc.mm;

import io.simproc.uapi.Errno;

/**
 * alloc_contig_range() and free_contig_range() (mm/page_alloc.c, mm/page_isolation.c), as cma_alloc() calls them
 * (ACR_FLAGS_CMA): the pageblocks of the range are isolated (set_migratetype_isolate: the isolate bit set and their
 * free pages moved to the MIGRATE_ISOLATE lists, so that nothing allocates them; a free block of MAX_PAGE_ORDER that
 * straddles the range's first or last pageblock is split first, as isolate_single_pageblock() does), the per-cpu
 * lists drained, every movable page in the range migrated out (__alloc_contig_migrate_range(): isolate, migrate,
 * up to five passes without progress; a page pinned beyond its mappings is not isolated at all, as
 * isolate_migratepages_block()'s "pinned anon page" test skips it), and then, when every page of the range is free
 * (test_pages_isolated()), the free pages are taken off the lists (isolate_freepages_range()) and split into order-0
 * pages owned by the caller. Otherwise -EBUSY. The isolation is undone either way (undo_isolate_page_range()).
 *
 * <p>Migration targets come from the zone's own free lists as a movable allocation that may use CMA takes them
 * (alloc_migration_target() with the zone's min watermark), so that every page stays in its zone. Transparent huge
 * pages and hugetlb folios in the range are not migrated here (the kernel moves or dissolves them): they keep their
 * pages and make the allocation fail with -EBUSY, like a pinned page. Clean page cache is migrated too, where the
 * kernel first drops it (reclaim_clean_pages_from_list()).
 */
final class ContigRange {
    /** __alloc_contig_migrate_range(): passes without progress before giving up with -EBUSY. */
    static final int MIGRATE_TRIES = 5;

    private final MemoryManager mm;
    private final MemMap map;
    private final Migrate migrate;

    ContigRange(MemoryManager mm) {
        this.mm = mm;
        this.map = mm.memMap();
        this.migrate = new Migrate(mm);
    }

    /**
     * alloc_contig_range(start, end): 0 when [start, end) now belongs to the caller as order-0 pages owned by
     * {@code owner}, -EBUSY when some page could not be moved out, -ENOMEM when no migration target was left,
     * -EINVAL when the range spans zones.
     */
    int allocContigRange(int start, int end, PageOwner owner, int cpu) {
        Zone zone = mm.zoneOf(start);
        for (int pfn = start; pfn < end; pfn += PageAlloc.PAGEBLOCK_NR_PAGES) {
            if (map.zoneId(pfn) != zone.id()) {
                return -Errno.EINVAL;
            }
        }
        if (map.zoneId(end - 1) != zone.id()) {
            return -Errno.EINVAL;
        }
        int pbStart = start & ~(PageAlloc.PAGEBLOCK_NR_PAGES - 1);
        int pbEnd = (end + PageAlloc.PAGEBLOCK_NR_PAGES - 1) & ~(PageAlloc.PAGEBLOCK_NR_PAGES - 1);
        for (int pb = pbStart; pb < pbEnd; pb += PageAlloc.PAGEBLOCK_NR_PAGES) {
            if (map.pageblockMigratetype(pb) == PageAlloc.MT_ISOLATE) {
                return -Errno.EBUSY;
            }
        }
        splitStraddlingMaxOrderBlock(zone, pbStart);
        splitStraddlingMaxOrderBlock(zone, pbEnd);
        for (int pb = pbStart; pb < pbEnd; pb += PageAlloc.PAGEBLOCK_NR_PAGES) {
            setMigratetypeIsolate(zone, pb);
        }
        mm.pageAlloc().drainAllPages(zone);
        int ret = migrateRange(zone, start, end, cpu);
        if (ret == 0) {
            int outerStart = buddyHeadCovering(start);
            if (!testPagesIsolated(outerStart < 0 ? start : outerStart, end)) {
                ret = -Errno.EBUSY;
            } else {
                isolateFreepagesRange(zone, outerStart < 0 ? start : outerStart, start, end);
                for (int pfn = start; pfn < end; pfn++) {
                    mm.pageAlloc().prepIsolatedPage(pfn, owner);
                }
            }
        }
        for (int pb = pbStart; pb < pbEnd; pb += PageAlloc.PAGEBLOCK_NR_PAGES) {
            unsetMigratetypeIsolate(zone, pb);
        }
        return ret;
    }

    /** free_contig_range(): every page of [pfn, pfn + nrPages) goes back to the page allocator on {@code cpu}. */
    void freeContigRange(int pfn, int nrPages, int cpu) {
        for (int i = 0; i < nrPages; i++) {
            mm.pageAlloc().freePages(pfn + i, 0, cpu);
        }
    }

    /**
     * A free block of MAX_PAGE_ORDER spans two pageblocks; when {@code boundary} falls between them, the block is
     * split into its two pageblock-order halves (on the same list, so the free counts do not change) so that each
     * side can be isolated on its own.
     */
    private void splitStraddlingMaxOrderBlock(Zone zone, int boundary) {
        if ((boundary & (PageAlloc.MAX_ORDER_NR_PAGES - 1)) == 0) {
            return;
        }
        int head = boundary & ~(PageAlloc.MAX_ORDER_NR_PAGES - 1);
        if (!zone.contains(head) || !map.isBuddy(head) || map.buddyOrder(head) != PageAlloc.MAX_PAGE_ORDER) {
            return;
        }
        int mt = map.pageblockMigratetype(head);
        zone.freeArea.del(head, PageAlloc.MAX_PAGE_ORDER, mt);
        zone.freeArea.add(head, PageAlloc.PAGEBLOCK_ORDER, mt, false);
        zone.freeArea.add(boundary, PageAlloc.PAGEBLOCK_ORDER, map.pageblockMigratetype(boundary), false);
    }

    /** set_migratetype_isolate(): the block's free pages move to the isolate lists, out of the free counts. */
    private void setMigratetypeIsolate(Zone zone, int pb) {
        int mt = map.pageblockMigratetype(pb);
        for (int pfn = pb; pfn < pb + PageAlloc.PAGEBLOCK_NR_PAGES; ) {
            if (!map.isBuddy(pfn)) {
                pfn++;
                continue;
            }
            int order = map.buddyOrder(pfn);
            zone.freeArea.del(pfn, order, mt);
            zone.freeArea.add(pfn, order, PageAlloc.MT_ISOLATE, true);
            mm.pageAlloc().buddy.accountFreepages(zone, -(1L << order), mt);
            pfn += 1 << order;
        }
        map.setPageblockMigratetype(pb, PageAlloc.MT_ISOLATE);
    }

    /**
     * unset_migratetype_isolate(): the isolate bit goes and the block's free pages are freed again to its own
     * type, merging with their buddies (__putback_isolated_page()).
     */
    private void unsetMigratetypeIsolate(Zone zone, int pb) {
        int mt = map.storedPageblockMigratetype(pb);
        int[] heads = new int[PageAlloc.PAGEBLOCK_NR_PAGES];
        int[] orders = new int[PageAlloc.PAGEBLOCK_NR_PAGES];
        int n = 0;
        for (int pfn = pb; pfn < pb + PageAlloc.PAGEBLOCK_NR_PAGES; ) {
            if (!map.isBuddy(pfn)) {
                pfn++;
                continue;
            }
            int order = map.buddyOrder(pfn);
            zone.freeArea.del(pfn, order, PageAlloc.MT_ISOLATE);
            heads[n] = pfn;
            orders[n++] = order;
            pfn += 1 << order;
        }
        map.setPageblockMigratetype(pb, mt);
        for (int i = 0; i < n; i++) {
            mm.pageAlloc().buddy.freeOnePageNoCount(zone, heads[i], orders[i], mt, false);
        }
    }

    /**
     * __alloc_contig_migrate_range(): migrate every movable page of [start, end) to a page outside it. Returns 0,
     * or -ENOMEM when no target page could be had (the kernel's migrate_pages() gives up then too).
     */
    private int migrateRange(Zone zone, int start, int end, int cpu) {
        int tries = 0;
        while (tries < MIGRATE_TRIES) {
            long isolated = 0;
            long failed = 0;
            for (int pfn = start; pfn < end; pfn++) {
                if (map.isBuddy(pfn)) {
                    pfn += (1 << map.buddyOrder(pfn)) - 1;
                    continue;
                }
                if (map.test(pfn, PageFlags.PG_TRANSHUGE) || !migrate.isMovable(pfn)) {
                    continue;
                }
                isolated++;
                int dst = mm.pageAlloc().allocMigrationTarget(zone, PageAlloc.MT_MOVABLE, PageAlloc.ALLOC_CMA);
                if (dst < 0) {
                    mm.vmstat().countEvent(VmEvent.COMPACT_ISOLATED, isolated);
                    mm.vmstat().countEvent(VmEvent.PGMIGRATE_FAIL, 1);
                    return -Errno.ENOMEM;
                }
                if (!migrate.migratePage(pfn, dst, cpu)) {
                    mm.pageAlloc().releaseIsolatedPage(dst);
                    mm.vmstat().countEvent(VmEvent.PGMIGRATE_FAIL, 1);
                    failed++;
                }
            }
            mm.vmstat().countEvent(VmEvent.COMPACT_ISOLATED, isolated);
            if (failed == 0) {
                return 0;
            }
            tries++;
        }
        return 0;
    }

    /** find_large_buddy(): the head of the free block that holds {@code pfn}, or -1. */
    private int buddyHeadCovering(int pfn) {
        for (int order = 0; order <= PageAlloc.MAX_PAGE_ORDER; order++) {
            int head = pfn & ~((1 << order) - 1);
            if (map.isBuddy(head) && map.buddyOrder(head) >= order && head + (1 << map.buddyOrder(head)) > pfn) {
                return head;
            }
        }
        return -1;
    }

    /** test_pages_isolated(): every page of [from, end) is in a free block (on an isolate list). */
    private boolean testPagesIsolated(int from, int end) {
        for (int pfn = from; pfn < end; ) {
            if (!map.isBuddy(pfn) || map.pageblockMigratetype(pfn) != PageAlloc.MT_ISOLATE) {
                return false;
            }
            pfn += 1 << map.buddyOrder(pfn);
        }
        return true;
    }

    /**
     * isolate_freepages_range() and the split that follows: the free blocks from {@code outerStart} to past
     * {@code end} leave the isolate lists; their pages outside [start, end) go back to them in aligned blocks, to
     * be freed to the buddy lists when the isolation ends.
     */
    private void isolateFreepagesRange(Zone zone, int outerStart, int start, int end) {
        int pfn = outerStart;
        while (pfn < end) {
            int order = map.buddyOrder(pfn);
            int blockEnd = pfn + (1 << order);
            zone.freeArea.del(pfn, order, PageAlloc.MT_ISOLATE);
            for (int p = pfn; p < blockEnd; p++) {
                map.setFlags(p, 0);
                map.setPriv(p, 0);
            }
            addIsolatedRange(zone, pfn, Math.min(start, blockEnd));
            addIsolatedRange(zone, Math.max(end, pfn), blockEnd);
            pfn = blockEnd;
        }
    }

    /** Puts [from, to) on the isolate lists as the largest aligned blocks that fit. */
    private void addIsolatedRange(Zone zone, int from, int to) {
        while (from < to) {
            int order = Math.min(PageAlloc.MAX_PAGE_ORDER, Integer.numberOfTrailingZeros(from));
            while (from + (1 << order) > to) {
                order--;
            }
            zone.freeArea.add(from, order, PageAlloc.MT_ISOLATE, true);
            from += 1 << order;
        }
    }
}
