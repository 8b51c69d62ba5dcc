package io.simproc.mm;

/**
 * Allocation from another migrate type's free lists (mm/page_alloc.c, 6.15+): {@code __rmqueue_claim} takes over a
 * whole pageblock of a fallback type when the request is large enough or the block is mostly alike
 * ({@code try_to_claim_block}, relabelling it and moving its free blocks), {@code __rmqueue_steal} takes a single
 * block without relabelling; both in the order of {@code fallbacks[]}. A claim below pageblock order boosts the
 * zone's watermark ({@code boost_watermark}) so that kswapd reclaims the fragmentation away.
 */
final class MigratetypeFallback {
    /** fallbacks[]: where each PCP type looks when its own lists are empty. */
    private static final int[][] FALLBACKS = {
        {MigrateType.RECLAIMABLE.ordinal(), MigrateType.MOVABLE.ordinal()},
        {MigrateType.RECLAIMABLE.ordinal(), MigrateType.UNMOVABLE.ordinal()},
        {MigrateType.UNMOVABLE.ordinal(), MigrateType.MOVABLE.ordinal()},
    };

    private final MemoryManager mm;
    private final MemMap map;
    private final Buddy buddy;
    /** page_group_by_mobility_disabled. */
    private final boolean mobilityDisabled;

    MigratetypeFallback(MemoryManager mm, Buddy buddy, boolean mobilityDisabled) {
        this.mm = mm;
        this.map = mm.memMap();
        this.buddy = buddy;
        this.mobilityDisabled = mobilityDisabled;
    }

    /** should_try_claim_block(). */
    private boolean shouldTryClaimBlock(int order, int startMt) {
        if (order >= PageAlloc.PAGEBLOCK_ORDER) {
            return true;
        }
        return order >= PageAlloc.PAGEBLOCK_ORDER / 2 || startMt == PageAlloc.MT_RECLAIMABLE || startMt == PageAlloc.MT_UNMOVABLE
                || mobilityDisabled;
    }

    /** find_suitable_fallback(): -1 none at this order, -2 too small to claim. */
    private int findSuitableFallback(FreeArea area, int order, int migratetype, boolean claimable) {
        if (claimable && !shouldTryClaimBlock(order, migratetype)) {
            return -2;
        }
        if (area.nrFree(order) == 0) {
            return -1;
        }
        for (int fallback : FALLBACKS[migratetype]) {
            if (!area.isEmpty(order, fallback)) {
                return fallback;
            }
        }
        return -1;
    }

    /** __rmqueue_claim(): take over a whole pageblock of another type, largest blocks first. */
    int rmqueueClaim(Zone zone, int order, int startMt, int allocFlags) {
        if (startMt >= MigrateType.MIGRATE_PCPTYPES) {
            return -1;
        }
        int minOrder = order < PageAlloc.PAGEBLOCK_ORDER && (allocFlags & PageAlloc.ALLOC_NOFRAGMENT) != 0 ? PageAlloc.PAGEBLOCK_ORDER : order;
        FreeArea area = zone.freeArea;
        for (int current = PageAlloc.MAX_PAGE_ORDER; current >= minOrder; current--) {
            int fallbackMt = findSuitableFallback(area, current, startMt, true);
            if (fallbackMt == -1) {
                continue;
            }
            if (fallbackMt == -2) {
                break;
            }
            int pfn = area.first(current, fallbackMt);
            pfn = tryToClaimBlock(zone, pfn, current, order, startMt, fallbackMt, allocFlags);
            if (pfn >= 0) {
                return pfn;
            }
        }
        return -1;
    }

    /** __rmqueue_steal(): take one block of a foreign type without relabelling its pageblock. */
    int rmqueueSteal(Zone zone, int order, int startMt) {
        if (startMt >= MigrateType.MIGRATE_PCPTYPES) {
            return -1;
        }
        FreeArea area = zone.freeArea;
        for (int current = order; current < PageAlloc.NR_PAGE_ORDERS; current++) {
            int fallbackMt = findSuitableFallback(area, current, startMt, false);
            if (fallbackMt == -1) {
                continue;
            }
            int pfn = area.first(current, fallbackMt);
            buddy.pageDelAndExpand(zone, pfn, order, current, fallbackMt);
            return pfn;
        }
        return -1;
    }

    /** try_to_claim_block(). */
    private int tryToClaimBlock(Zone zone, int pfn, int currentOrder, int order, int startType, int blockType,
                                int allocFlags) {
        if (currentOrder >= PageAlloc.PAGEBLOCK_ORDER) {
            zone.freeArea.del(pfn, currentOrder, blockType);
            buddy.accountFreepages(zone, -(1L << currentOrder), blockType);
            changePageblockRange(pfn, currentOrder, startType);
            long added = buddy.expand(zone, pfn, order, currentOrder, startType);
            buddy.accountFreepages(zone, added, startType);
            return pfn;
        }
        if (boostWatermark(zone) && (allocFlags & PageAlloc.ALLOC_KSWAPD) != 0) {
            zone.zoneFlags |= Zone.ZONE_BOOSTED_WATERMARK;
        }
        int startPfn = pfn & ~(PageAlloc.PAGEBLOCK_NR_PAGES - 1);
        if (!zone.contains(startPfn) || !zone.contains(startPfn + PageAlloc.PAGEBLOCK_NR_PAGES - 1L)) {
            return -1;
        }
        long[] freeAndMovable = countFreeAndMovable(startPfn);
        long freePages = freeAndMovable[0];
        long movablePages = freeAndMovable[1];
        long alikePages;
        if (startType == PageAlloc.MT_MOVABLE) {
            alikePages = movablePages;
        } else if (blockType == PageAlloc.MT_MOVABLE) {
            alikePages = PageAlloc.PAGEBLOCK_NR_PAGES - (freePages + movablePages);
        } else {
            alikePages = 0;
        }
        if (freePages + alikePages >= (1 << (PageAlloc.PAGEBLOCK_ORDER - 1)) || mobilityDisabled) {
            moveFreepagesBlock(zone, startPfn, blockType, startType);
            map.setPageblockMigratetype(startPfn, startType);
            return buddy.rmqueueSmallest(zone, order, startType);
        }
        return -1;
    }

    /** prep_move_freepages_block()'s counts: free pages and movable (LRU) pages in a pageblock. */
    private long[] countFreeAndMovable(int startPfn) {
        long free = 0;
        long movable = 0;
        int end = startPfn + PageAlloc.PAGEBLOCK_NR_PAGES;
        for (int pfn = startPfn; pfn < end; ) {
            int f = map.flags(pfn);
            if ((f & PageFlags.PG_BUDDY) != 0) {
                int n = 1 << map.buddyOrder(pfn);
                free += n;
                pfn += n;
                continue;
            }
            if ((f & PageFlags.PG_LRU) != 0) {
                movable++;
            }
            pfn++;
        }
        return new long[] {free, movable};
    }

    /** __move_freepages_block(): move every free block of a pageblock to another type's lists. */
    long moveFreepagesBlock(Zone zone, int startPfn, int oldMt, int newMt) {
        long moved = 0;
        int end = startPfn + PageAlloc.PAGEBLOCK_NR_PAGES;
        for (int pfn = startPfn; pfn < end; ) {
            if (!map.isBuddy(pfn)) {
                pfn++;
                continue;
            }
            int order = map.buddyOrder(pfn);
            int n = 1 << order;
            zone.freeArea.del(pfn, order, oldMt);
            zone.freeArea.add(pfn, order, newMt, true);
            buddy.accountFreepages(zone, -n, oldMt);
            buddy.accountFreepages(zone, n, newMt);
            pfn += n;
            moved += n;
        }
        return moved;
    }

    /** change_pageblock_range(). */
    private void changePageblockRange(int pfn, int order, int mt) {
        int nrBlocks = 1 << Math.max(0, order - PageAlloc.PAGEBLOCK_ORDER);
        for (int i = 0; i < nrBlocks; i++) {
            map.setPageblockMigratetype(pfn + i * PageAlloc.PAGEBLOCK_NR_PAGES, mt);
        }
    }

    /** boost_watermark(). */
    private boolean boostWatermark(Zone zone) {
        int factor = mm.tunables().watermarkBoostFactor;
        if (factor == 0) {
            return false;
        }
        if ((long) PageAlloc.PAGEBLOCK_NR_PAGES * 4 > zone.managedPages) {
            return false;
        }
        long maxBoost = PageAlloc.multFrac(zone.watermark[Zone.WMARK_HIGH], factor, 10000);
        if (maxBoost == 0) {
            // The high watermark is not set up yet: reclaim could not pay a boost back.
            return false;
        }
        maxBoost = Math.max(PageAlloc.PAGEBLOCK_NR_PAGES, maxBoost);
        zone.watermarkBoost = Math.min(zone.watermarkBoost + PageAlloc.PAGEBLOCK_NR_PAGES, maxBoost);
        return true;
    }
}
