package io.simproc.mm;

/**
 * A zone's free_area[0..MAX_PAGE_ORDER]: for each order one free list per migrate type, kept as intrusive lists
 * through {@link MemMap#next}/{@link MemMap#prev}, plus the block counts that /proc/buddyinfo and
 * /proc/pagetypeinfo print (nr_free per order, and per order and type). Counts are kept incrementally.
 *
 * NR_FREE_PAGES_BLOCKS (free pages in blocks of pageblock order or more, not isolated) is kept here, with list
 * membership.
 *
 * <p>Invariant: a pfn is on at most one list; every listed pfn is a PageBuddy head whose priv holds the list's
 * order; {@code nrFree[o] == Σ_mt nrFreeTyped[o][mt]}.
 */
final class FreeArea {
    private final int[] mem;
    private final int[] head = new int[PageAlloc.NR_PAGE_ORDERS * MigrateType.MIGRATE_TYPES];
    private final int[] tail = new int[PageAlloc.NR_PAGE_ORDERS * MigrateType.MIGRATE_TYPES];
    private final long[] nrFreeTyped = new long[PageAlloc.NR_PAGE_ORDERS * MigrateType.MIGRATE_TYPES];
    private final long[] nrFree = new long[PageAlloc.NR_PAGE_ORDERS];
    /** The zone's counters: NR_FREE_PAGES_BLOCKS follows list membership, as in __add_to_free_list(). */
    private final long[] zoneStat;

    FreeArea(MemMap map, long[] zoneStat) {
        this.zoneStat = zoneStat;
        this.mem = map.mem;
        java.util.Arrays.fill(head, MemMap.NIL);
        java.util.Arrays.fill(tail, MemMap.NIL);
    }

    private static int slot(int order, int mt) {
        return order * MigrateType.MIGRATE_TYPES + mt;
    }

    /** get_page_from_free_area(): the head of the list, or NIL. */
    int first(int order, int mt) {
        return head[slot(order, mt)];
    }

    boolean isEmpty(int order, int mt) {
        return head[slot(order, mt)] == MemMap.NIL;
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
        mem[MemMap.at(pfn, MemMap.F_FLAGS)] |= PageFlags.PG_BUDDY;
        mem[MemMap.at(pfn, MemMap.F_PRIV)] = order;
        if (toTail) {
            int t = tail[s];
            mem[MemMap.at(pfn, MemMap.F_NEXT)] = MemMap.NIL;
            mem[MemMap.at(pfn, MemMap.F_PREV)] = t;
            if (t == MemMap.NIL) {
                head[s] = pfn;
            } else {
                mem[MemMap.at(t, MemMap.F_NEXT)] = pfn;
            }
            tail[s] = pfn;
        } else {
            int h = head[s];
            mem[MemMap.at(pfn, MemMap.F_PREV)] = MemMap.NIL;
            mem[MemMap.at(pfn, MemMap.F_NEXT)] = h;
            if (h == MemMap.NIL) {
                tail[s] = pfn;
            } else {
                mem[MemMap.at(h, MemMap.F_PREV)] = pfn;
            }
            head[s] = pfn;
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
        int n = mem[MemMap.at(pfn, MemMap.F_NEXT)];
        int p = mem[MemMap.at(pfn, MemMap.F_PREV)];
        if (p == MemMap.NIL) {
            head[s] = n;
        } else {
            mem[MemMap.at(p, MemMap.F_NEXT)] = n;
        }
        if (n == MemMap.NIL) {
            tail[s] = p;
        } else {
            mem[MemMap.at(n, MemMap.F_PREV)] = p;
        }
        mem[MemMap.at(pfn, MemMap.F_NEXT)] = MemMap.NIL;
        mem[MemMap.at(pfn, MemMap.F_PREV)] = MemMap.NIL;
        mem[MemMap.at(pfn, MemMap.F_FLAGS)] &= ~PageFlags.PG_BUDDY;
        nrFreeTyped[s]--;
        nrFree[order]--;
        if (order >= PageAlloc.PAGEBLOCK_ORDER && mt != MigrateType.ISOLATE.ordinal()) {
            zoneStat[ZoneStatItem.NR_FREE_PAGES_BLOCKS.ordinal()] -= 1L << order;
        }
    }

    /** Walks one list from head to tail; used by the invariant checker. */
    void forEach(int order, int mt, java.util.function.IntConsumer action) {
        for (int pfn = head[slot(order, mt)]; pfn != MemMap.NIL; pfn = mem[MemMap.at(pfn, MemMap.F_NEXT)]) {
            action.accept(pfn);
        }
    }
}
