package io.simproc.mm;

import java.util.List;

/**
 * {@link MmDebug}'s checks of the page allocator's own lists (the free areas and the per-cpu lists of
 * mm/page_alloc.c), the spirit of CONFIG_DEBUG_VM's checks there. Each marks the pages its lists cover in a
 * per-pfn state array, so that MmDebug can then check every page frame is in exactly one state.
 */
final class PageAllocDebug {
    private PageAllocDebug() {
    }

    /**
     * The zone's free lists: each listed block a naturally aligned PageBuddy head of its list's order, inside the
     * zone, on its pageblock's migrate type, covering pages no other list covers (marked {@code mark} in
     * {@code state}), no two mergeable buddies left apart; list lengths equal nr_free per order and type, and the
     * free-page counters (NR_FREE_PAGES, NR_FREE_PAGES_BLOCKS, NR_FREE_CMA_PAGES, nr_free_highatomic) equal the
     * pages on the lists.
     */
    static void checkFreeLists(MemoryManager mm, Zone zone, byte[] state, byte mark, List<String> errors) {
        MemMap map = mm.memMap();
        long freePages = 0;
        long blockPages = 0;
        long cmaPages = 0;
        long highatomicPages = 0;
        for (int order = 0; order < PageAlloc.NR_PAGE_ORDERS; order++) {
            long blocksThisOrder = 0;
            for (MigrateType mt : MigrateType.values()) {
                final int o = order;
                long[] count = {0};
                zone.freeArea.forEach(order, mt.ordinal(), pfn -> {
                    count[0]++;
                    int size = 1 << o;
                    if (!map.isBuddy(pfn) || map.priv(pfn) != o) {
                        errors.add(zone + ": pfn " + pfn + " on order-" + o
                                + " list is not a buddy head of that order");
                    }
                    if ((pfn & (size - 1)) != 0) {
                        errors.add(zone + ": free block " + pfn + " order " + o + " is not aligned");
                    }
                    if (!zone.contains(pfn) || !zone.contains(pfn + size - 1L) || map.zoneId(pfn) != zone.id()) {
                        errors.add(zone + ": free block " + pfn + " order " + o + " is outside the zone");
                        return;
                    }
                    if (map.pageblockMigratetype(pfn) != mt.ordinal()) {
                        errors.add(zone + ": free block " + pfn + " on " + mt + " list but its pageblock is "
                                + MigrateType.of(map.pageblockMigratetype(pfn)));
                    }
                    for (int i = 0; i < size; i++) {
                        if (state[pfn + i] != 0) {
                            errors.add(zone + ": pfn " + (pfn + i) + " covered by two free blocks");
                        }
                        state[pfn + i] = mark;
                        if (i > 0 && (map.flags(pfn + i) & (PageFlags.PG_BUDDY | PageFlags.PG_PCP)) != 0) {
                            errors.add(zone + ": pfn " + (pfn + i) + " inside free block " + pfn + " is a list head");
                        }
                    }
                    if (o < PageAlloc.MAX_PAGE_ORDER) {
                        int buddy = pfn ^ size;
                        if (buddy < map.nrPfns() && map.isBuddy(buddy) && map.priv(buddy) == o
                                && map.zoneId(buddy) == zone.id()) {
                            int bmt = map.pageblockMigratetype(buddy);
                            boolean mergeable = o < PageAlloc.PAGEBLOCK_ORDER || bmt == mt.ordinal()
                                    || (MigrateType.isMergeable(bmt) && MigrateType.isMergeable(mt.ordinal()));
                            if (mergeable) {
                                errors.add(zone + ": free buddies " + Math.min(pfn, buddy) + " and "
                                        + Math.max(pfn, buddy) + " of order " + o + " were not merged");
                            }
                        }
                    }
                });
                if (count[0] != zone.freeArea.nrFree(order, mt.ordinal())) {
                    errors.add(zone + ": order " + order + " " + mt + " list has " + count[0] + " blocks, counter "
                            + zone.freeArea.nrFree(order, mt.ordinal()));
                }
                blocksThisOrder += count[0];
                if (mt != MigrateType.ISOLATE) {
                    long pages = count[0] << order;
                    freePages += pages;
                    if (order >= PageAlloc.PAGEBLOCK_ORDER) {
                        blockPages += pages;
                    }
                    if (mt == MigrateType.CMA) {
                        cmaPages += pages;
                    }
                    if (mt == MigrateType.HIGHATOMIC) {
                        highatomicPages += pages;
                    }
                }
            }
            if (blocksThisOrder != zone.freeArea.nrFree(order)) {
                errors.add(zone + ": order " + order + " has " + blocksThisOrder + " blocks, nr_free "
                        + zone.freeArea.nrFree(order));
            }
        }
        MmDebug.expect(errors, zone + ": NR_FREE_PAGES", zone.state(ZoneStatItem.NR_FREE_PAGES), freePages);
        MmDebug.expect(errors, zone + ": NR_FREE_PAGES_BLOCKS", zone.state(ZoneStatItem.NR_FREE_PAGES_BLOCKS),
                blockPages);
        MmDebug.expect(errors, zone + ": NR_FREE_CMA_PAGES", zone.state(ZoneStatItem.NR_FREE_CMA_PAGES), cmaPages);
        MmDebug.expect(errors, zone + ": nr_free_highatomic", zone.nrFreeHighatomic, highatomicPages);
    }

    /**
     * The zone's per-cpu lists: each entry a PG_PCP head of its list's order in this zone, covering pages no other
     * list covers (marked {@code mark} in {@code state}); each CPU's count equals its lists' pages.
     */
    static void checkPcp(MemoryManager mm, Zone zone, byte[] state, byte mark, List<String> errors) {
        MemMap map = mm.memMap();
        for (PerCpuPages pcp : zone.pcp) {
            long pages = 0;
            for (int pindex = 0; pindex < PerCpuPages.NR_PCP_LISTS; pindex++) {
                int order = PerCpuPages.pindexToOrder(pindex);
                for (int pfn = pcp.firstEntry(pindex); pfn != MemMap.NIL; pfn = pcp.next(pfn)) {
                    if (!map.test(pfn, PageFlags.PG_PCP) || map.priv(pfn) != order) {
                        errors.add(zone + " cpu " + pcp.cpu + ": pfn " + pfn + " on pcp list " + pindex
                                + " is not a pcp head of order " + order);
                    }
                    if (map.zoneId(pfn) != zone.id()) {
                        errors.add(zone + " cpu " + pcp.cpu + ": pcp page " + pfn + " belongs to another zone");
                    }
                    for (int i = 0; i < 1 << order; i++) {
                        if (state[pfn + i] != 0) {
                            errors.add(zone + ": pfn " + (pfn + i) + " both on a pcp list and elsewhere");
                        }
                        state[pfn + i] = mark;
                    }
                    pages += 1L << order;
                }
            }
            MmDebug.expect(errors, zone + " cpu " + pcp.cpu + ": pcp count", pcp.count, pages);
        }
    }
}
