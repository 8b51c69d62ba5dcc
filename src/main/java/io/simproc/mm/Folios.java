package io.simproc.mm;

/**
 * Reference counting and release of user pages (mm/swap.c): a page lives while something holds a reference —
 * each mapping and the page cache hold one — and the last {@link #put} takes it off its LRU list and gives it back
 * to the buddy allocator (a page of a transparent huge page stays with its folio: {@link HugeMemory}). Also the LRU
 * insertion of new pages (folio_add_lru) and mlock's move to the unevictable list with NR_MLOCK.
 */
public final class Folios {
    private final MemoryManager mm;
    private final MemMap map;

    Folios(MemoryManager mm) {
        this.mm = mm;
        this.map = mm.memMap();
    }

    /** folio_get(). */
    void get(int pfn) {
        map.incRefcount(pfn);
    }

    /**
     * folio_put(): drop a reference; the last one frees the page on the given CPU ({@link #free}, __folio_put()
     * of mm/swap.c, out of line as in the kernel, so that the common drop stays small where it is inlined).
     */
    void put(int pfn, int cpu) {
        int ref = map.decRefcount(pfn);
        if (ref <= 0) {
            free(pfn, cpu, ref);
        }
    }

    /** __folio_put(): the reference just dropped was the last ({@code ref} 0), or one too many (below 0). */
    private void free(int pfn, int cpu, int ref) {
        if (ref < 0) {
            throw new IllegalStateException("pfn " + pfn + " refcount went negative");
        }
        if (map.test(pfn, PageFlags.PG_TRANSHUGE)) {
            mm.hugeMemory().pageReleased(pfn, cpu);
            return;
        }
        unlinkFreed(pfn);
        mm.pageAlloc().freePages(pfn, 0, cpu);
    }

    /**
     * A page no one references is about to be freed: off its LRU list, out of NR_MLOCK, uncharged from its memory
     * cgroup (mem_cgroup_uncharge()); a KSM page's stable node goes.
     */
    void unlinkFreed(int pfn) {
        int flags = map.flags(pfn);
        if ((flags & PageFlags.PG_KSM) != 0) {
            mm.ksm().folioFreed(pfn);
        }
        if ((flags & PageFlags.PG_LRU) != 0) {
            lruvecOf(pfn).del(pfn);
        }
        if ((flags & PageFlags.PG_MLOCKED) != 0) {
            mm.zoneOf(pfn).vmStat[ZoneStatItem.NR_MLOCK.ordinal()]--;
        }
        mm.memcontrol().charging().uncharge(pfn);
    }

    /** folio_add_lru(): a new user page joins the inactive list of its type (unevictable when mlocked). */
    void addLru(int pfn) {
        lruvecOf(pfn).add(pfn);
    }

    /**
     * mlock_folio(): the page is locked in memory by one more VM_LOCKED mapping; the first moves it to the
     * unevictable list and counts it in NR_MLOCK. The count of locking mappings is kept in the page's private
     * field, as the kernel keeps mlock_count beside the (unused) LRU link.
     */
    void mlock(int pfn) {
        int flags = map.flags(pfn);
        if ((flags & PageFlags.PG_MLOCKED) != 0) {
            map.setPriv(pfn, map.priv(pfn) + 1);
            return;
        }
        boolean onLru = (flags & PageFlags.PG_LRU) != 0;
        if (onLru) {
            lruvecOf(pfn).del(pfn);
        }
        map.setFlags(pfn, (map.flags(pfn) | PageFlags.PG_MLOCKED | PageFlags.PG_UNEVICTABLE)
                & ~PageFlags.PG_ACTIVE);
        map.setPriv(pfn, 1);
        mm.zoneOf(pfn).vmStat[ZoneStatItem.NR_MLOCK.ordinal()]++;
        mm.vmstat().countEvent(VmEvent.UNEVICTABLE_PGS_MLOCKED, 1);
        if (onLru) {
            lruvecOf(pfn).add(pfn);
            mm.vmstat().countEvent(VmEvent.UNEVICTABLE_PGS_CULLED, 1);
        }
    }

    /** munlock_folio(): one locking mapping less; the last returns the page to the evictable lists. */
    void munlock(int pfn) {
        int flags = map.flags(pfn);
        if ((flags & PageFlags.PG_MLOCKED) == 0) {
            return;
        }
        int mlockCount = map.priv(pfn) - 1;
        if (mlockCount > 0) {
            map.setPriv(pfn, mlockCount);
            return;
        }
        map.setPriv(pfn, 0);
        boolean onLru = (flags & PageFlags.PG_LRU) != 0;
        if (onLru) {
            lruvecOf(pfn).del(pfn);
        }
        map.clearFlags(pfn, PageFlags.PG_MLOCKED | PageFlags.PG_UNEVICTABLE);
        mm.zoneOf(pfn).vmStat[ZoneStatItem.NR_MLOCK.ordinal()]--;
        mm.vmstat().countEvent(VmEvent.UNEVICTABLE_PGS_MUNLOCKED, 1);
        if (onLru) {
            lruvecOf(pfn).add(pfn);
            mm.vmstat().countEvent(VmEvent.UNEVICTABLE_PGS_RESCUED, 1);
        }
    }

    private Lruvec lruvecOf(int pfn) {
        return mm.memcontrol().folioLruvec(pfn);
    }
}
