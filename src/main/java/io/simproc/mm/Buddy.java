package io.simproc.mm;

/**
 * The buddy allocator's core in mm/page_alloc.c: the zones' free lists ({@link FreeArea}) taken from
 * ({@code __rmqueue}: the type's own lists, CMA, then claiming or stealing another type's block through
 * {@link MigratetypeFallback}; {@code __rmqueue_smallest} and {@code expand} splitting a larger block) and given back
 * to ({@code __free_one_page} merging with free buddies), with NR_FREE_PAGES and its CMA and highatomic parts kept
 * by {@code account_freepages}.
 */
final class Buddy {
    /** enum rmqueue_mode: the step of __rmqueue() that last found pages, in order of fragmentation risk. */
    static final int RMQUEUE_NORMAL = 0;
    static final int RMQUEUE_CMA = 1;
    static final int RMQUEUE_CLAIM = 2;
    static final int RMQUEUE_STEAL = 3;

    private final MemoryManager mm;
    private final MemMap map;
    private final long[] events;
    private final MigratetypeFallback fallback;

    Buddy(MemoryManager mm, boolean mobilityDisabled) {
        this.mm = mm;
        this.map = mm.memMap();
        this.events = mm.vmstat().events;
        this.fallback = new MigratetypeFallback(mm, this, mobilityDisabled);
    }

    /**
     * __rmqueue(): normal, CMA, claim, steal, in order of increasing fragmentation risk. {@code mode} (enum
     * rmqueue_mode, one element) remembers across the calls of one rmqueue_bulk() which step found pages, so that
     * the rest of the batch skips the steps that already failed: after a steal the batch keeps stealing.
     */
    int doRmqueue(Zone zone, int order, int migratetype, int allocFlags, int[] mode) {
        if ((allocFlags & PageAlloc.ALLOC_CMA) != 0
                && zone.state(ZoneStatItem.NR_FREE_CMA_PAGES) > zone.freePages() / 2) {
            int pfn = rmqueueSmallest(zone, order, PageAlloc.MT_CMA);
            if (pfn >= 0) {
                return pfn;
            }
        }
        int pfn;
        if (mode[0] <= RMQUEUE_NORMAL) {
            pfn = rmqueueSmallest(zone, order, migratetype);
            if (pfn >= 0) {
                return pfn;
            }
        }
        if (mode[0] <= RMQUEUE_CMA && (allocFlags & PageAlloc.ALLOC_CMA) != 0) {
            pfn = rmqueueSmallest(zone, order, PageAlloc.MT_CMA);
            if (pfn >= 0) {
                mode[0] = RMQUEUE_CMA;
                return pfn;
            }
        }
        if (mode[0] <= RMQUEUE_CLAIM) {
            pfn = fallback.rmqueueClaim(zone, order, migratetype, allocFlags);
            if (pfn >= 0) {
                mode[0] = RMQUEUE_NORMAL;
                return pfn;
            }
        }
        if ((allocFlags & PageAlloc.ALLOC_NOFRAGMENT) == 0) {
            pfn = fallback.rmqueueSteal(zone, order, migratetype);
            if (pfn >= 0) {
                mode[0] = RMQUEUE_STEAL;
                return pfn;
            }
        }
        return -1;
    }

    /** __rmqueue_smallest(): the head block of the smallest order that has one on this type's list. */
    int rmqueueSmallest(Zone zone, int order, int migratetype) {
        FreeArea area = zone.freeArea;
        for (int current = order; current < PageAlloc.NR_PAGE_ORDERS; current++) {
            int pfn = area.first(current, migratetype);
            if (pfn == MemMap.NIL) {
                continue;
            }
            pageDelAndExpand(zone, pfn, order, current, migratetype);
            return pfn;
        }
        return -1;
    }

    /** page_del_and_expand(). */
    void pageDelAndExpand(Zone zone, int pfn, int low, int high, int mt) {
        zone.freeArea.del(pfn, high, mt);
        long nrPages = (1L << high) - expand(zone, pfn, low, high, mt);
        accountFreepages(zone, -nrPages, mt);
    }

    /** expand(): return the lowest 2^low pages and free the upper halves at each order, head of the list. */
    long expand(Zone zone, int pfn, int low, int high, int mt) {
        long added = 0;
        int size = 1 << high;
        while (high > low) {
            high--;
            size >>= 1;
            zone.freeArea.add(pfn + size, high, mt, false);
            added += size;
        }
        return added;
    }

    /** account_freepages(). */
    void accountFreepages(Zone zone, long nrPages, int mt) {
        if (mt == PageAlloc.MT_ISOLATE) {
            return;
        }
        zone.vmStat[ZoneStatItem.NR_FREE_PAGES.ordinal()] += nrPages;
        if (mt == PageAlloc.MT_CMA) {
            zone.vmStat[ZoneStatItem.NR_FREE_CMA_PAGES.ordinal()] += nrPages;
        } else if (mt == PageAlloc.MT_HIGHATOMIC) {
            zone.nrFreeHighatomic += nrPages;
        }
    }

    /** free_one_page(): straight to the buddy lists, counting pgfree. */
    void freeOnePage(Zone zone, int pfn, int order, boolean toTail) {
        events[VmEvent.PGFREE.ordinal()] += 1L << order;
        freeOnePageNoCount(zone, pfn, order, map.pageblockMigratetype(pfn), toTail);
    }

    /**
     * __free_pages_core() at boot (memblock_free_all): the pages join the zone's managed pages and go to the tail
     * of the free lists.
     */
    void freeBootPages(int pfn, int order) {
        Zone zone = mm.zoneOf(pfn);
        int n = 1 << order;
        for (int i = 0; i < n; i++) {
            map.setFlags(pfn + i, 0);
            map.setRefcount(pfn + i, 0);
        }
        zone.managedPages += n;
        freeOnePage(zone, pfn, order, true);
    }

    /** __free_one_page(): merge with free buddies as far as possible and put the block on its list. */
    void freeOnePageNoCount(Zone zone, int pfn, int order, int migratetype, boolean fpiToTail) {
        accountFreepages(zone, 1L << order, migratetype);
        int zoneId = zone.id();
        int buddyPfn = pfn ^ (1 << order);
        while (order < PageAlloc.MAX_PAGE_ORDER) {
            buddyPfn = pfn ^ (1 << order);
            if (!pageIsBuddy(buddyPfn, order, zoneId)) {
                break;
            }
            int buddyMt = migratetype;
            if (order >= PageAlloc.PAGEBLOCK_ORDER) {
                buddyMt = map.pageblockMigratetype(buddyPfn);
                if (migratetype != buddyMt
                        && (!MigrateType.isMergeable(migratetype) || !MigrateType.isMergeable(buddyMt))) {
                    break;
                }
            }
            zone.freeArea.del(buddyPfn, order, buddyMt);
            if (buddyMt != migratetype) {
                map.setPageblockMigratetype(buddyPfn, migratetype);
            }
            pfn = pfn & buddyPfn;
            order++;
        }
        boolean toTail = fpiToTail || buddyMergeLikely(pfn, buddyPfn, order, zoneId);
        zone.freeArea.add(pfn, order, migratetype, toTail);
    }

    /** page_is_buddy(): a free block of exactly this order in the same zone. */
    private boolean pageIsBuddy(int buddyPfn, int order, int zoneId) {
        if (buddyPfn < 0 || buddyPfn >= map.nrPfns()) {
            return false;
        }
        return map.isBuddy(buddyPfn) && map.buddyOrder(buddyPfn) == order && map.zoneId(buddyPfn) == zoneId;
    }

    /** buddy_merge_likely(): is the buddy of the next order up free, so that this block may soon merge? */
    private boolean buddyMergeLikely(int pfn, int buddyPfn, int order, int zoneId) {
        if (order >= PageAlloc.MAX_PAGE_ORDER - 1) {
            return false;
        }
        int higherPagePfn = buddyPfn & pfn;
        int higherBuddy = higherPagePfn ^ (1 << (order + 1));
        return pageIsBuddy(higherBuddy, order + 1, zoneId);
    }
}
