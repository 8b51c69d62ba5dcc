package io.simproc.mm;

/**
 * A zone's free_area[0..MAX_PAGE_ORDER]: for each order one free list per migrate type (its {@link PageLists},
 * through the pages' buddy_list links), plus the block counts that /proc/buddyinfo and
 * /proc/pagetypeinfo print (nr_free per order, and per order and type). Counts are kept incrementally.
 *
 * NR_FREE_PAGES_BLOCKS (free pages in blocks of pageblock order or more, not isolated) is kept here, with list
 * membership.
 *
 * <p>Invariant: a pfn is on at most one list; every listed pfn is a PageBuddy head whose priv holds the list's
 * order; {@code nrFree[o] == Σ_mt nrFreeTyped[o][mt]}.
 */
final class FreeArea extends PageLists {
    private final long[] nrFreeTyped = new long[PageAlloc.NR_PAGE_ORDERS * MigrateType.MIGRATE_TYPES];
    private final long[] nrFree = new long[PageAlloc.NR_PAGE_ORDERS];
    /** The zone's counters: NR_FREE_PAGES_BLOCKS follows list membership, as in __add_to_free_list(). */
    private final long[] zoneStat;

    FreeArea(MemMap map, long[] zoneStat) {
        super(map, PageAlloc.NR_PAGE_ORDERS * MigrateType.MIGRATE_TYPES);
        this.zoneStat = zoneStat;
    }

    private static int slot(int order, int mt) {
        return order * MigrateType.MIGRATE_TYPES + mt;
    }

    /** get_page_from_free_area(): the head of the list, or NIL. */
    int first(int order, int mt) {
        return firstEntry(slot(order, mt));
    }

    boolean isEmpty(int order, int mt) {
        return listEmpty(slot(order, mt));
    }

    long nrFree(int order) {
        return nrFree[order];
    }

    long nrFree(int order, int mt) {
        return nrFreeTyped[slot(order, mt)];
    }

    /** __add_to_free_list(): marks pfn PageBuddy with its order and links it at the head or tail. */
    void add(int pfn, int order, int mt, boolean toTail) {
        int s = slot(order, mt);
        map.addFlags(pfn, PageFlags.PG_BUDDY);
        map.setPriv(pfn, order);
        if (toTail) {
            listAddTail(s, pfn);
        } else {
            listAdd(s, pfn);
        }
        nrFreeTyped[s]++;
        nrFree[order]++;
        if (order >= PageAlloc.PAGEBLOCK_ORDER && mt != MigrateType.ISOLATE.ordinal()) {
            zoneStat[ZoneStatItem.NR_FREE_PAGES_BLOCKS.ordinal()] += 1L << order;
        }
    }

    /** __del_page_from_free_list(): unlinks pfn and clears PageBuddy. */
    void del(int pfn, int order, int mt) {
        int s = slot(order, mt);
        listDel(s, pfn);
        map.clearFlags(pfn, PageFlags.PG_BUDDY);
        nrFreeTyped[s]--;
        nrFree[order]--;
        if (order >= PageAlloc.PAGEBLOCK_ORDER && mt != MigrateType.ISOLATE.ordinal()) {
            zoneStat[ZoneStatItem.NR_FREE_PAGES_BLOCKS.ordinal()] -= 1L << order;
        }
    }

    /** Walks one list from head to tail; used by the invariant checker. */
    void forEach(int order, int mt, java.util.function.IntConsumer action) {
        forEach(slot(order, mt), action);
    }
}
