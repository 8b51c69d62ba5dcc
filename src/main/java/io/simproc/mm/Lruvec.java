package io.simproc.mm;

/**
 * struct lruvec of one memory cgroup on one node (mem_cgroup_per_node): the five LRU lists (inactive/active anon,
 * inactive/active file, unevictable) of the pages charged to that group, its {@link PageLists} through the pages'
 * lru links (prev() walks toward the head, next() toward the tail). New pages go to the head; reclaim takes from
 * the tail. Adding and removing a page moves the node's NR_*_ANON/FILE and NR_UNEVICTABLE counters, the zone's
 * NR_ZONE_* counters and this lruvec's own copy of the node counters ({@link #state}: lruvec_stats, which also
 * holds the group's share of the other node counters a page moves, {@link Memcontrol#modLruvecPageState}). The
 * node's lists are the union of its groups' lruvecs; the root group's lruvec is the node's {@link PgData#lruvec()}.
 *
 * <p>Which list a page is on follows from its flags (folio_lru_list): PG_UNEVICTABLE → unevictable; swap-backed
 * pages (anon, shmem) → the anon lists, others → the file lists; PG_ACTIVE → the active one.
 */
public final class Lruvec extends PageLists {
    public static final int LRU_INACTIVE_ANON = 0;
    public static final int LRU_ACTIVE_ANON = 1;
    public static final int LRU_INACTIVE_FILE = 2;
    public static final int LRU_ACTIVE_FILE = 3;
    public static final int LRU_UNEVICTABLE = 4;
    public static final int NR_LRU_LISTS = 5;

    private static final NodeStatItem[] NODE_ITEM = {NodeStatItem.NR_INACTIVE_ANON, NodeStatItem.NR_ACTIVE_ANON,
        NodeStatItem.NR_INACTIVE_FILE, NodeStatItem.NR_ACTIVE_FILE, NodeStatItem.NR_UNEVICTABLE};
    private static final ZoneStatItem[] ZONE_ITEM = {ZoneStatItem.NR_ZONE_INACTIVE_ANON,
        ZoneStatItem.NR_ZONE_ACTIVE_ANON, ZoneStatItem.NR_ZONE_INACTIVE_FILE, ZoneStatItem.NR_ZONE_ACTIVE_FILE,
        ZoneStatItem.NR_ZONE_UNEVICTABLE};

    private final MemoryManager mm;
    private final PgData pgdat;
    private final MemCgroup memcg;
    /** lruvec_stats->state_local: the node counters of this group's pages on this node. */
    final long[] state = new long[NodeStatItem.values().length];
    /** lruvec->anon_cost / file_cost: recent reclaim cost (I/O and refaults) of each type, decaying. */
    long anonCost;
    long fileCost;
    /** lruvec->refaults[]: WORKINGSET_ACTIVATE_ANON/FILE when reclaim last finished (snapshot_refaults). */
    long refaultsAnonSnapshot;
    long refaultsFileSnapshot;
    /** lruvec->nonresident_age: evictions and activations, the clock of refault distances. */
    long nonresidentAge;

    Lruvec(MemoryManager mm, PgData pgdat, MemCgroup memcg) {
        super(mm.memMap(), NR_LRU_LISTS);
        this.mm = mm;
        this.pgdat = pgdat;
        this.memcg = memcg;
    }

    /** folio_lru_list(). */
    static int lruOf(int flags) {
        if ((flags & PageFlags.PG_UNEVICTABLE) != 0) {
            return LRU_UNEVICTABLE;
        }
        int lru = (flags & PageFlags.PG_SWAPBACKED) != 0 ? LRU_INACTIVE_ANON : LRU_INACTIVE_FILE;
        return (flags & PageFlags.PG_ACTIVE) != 0 ? lru + 1 : lru;
    }

    /** lruvec_add_folio(): put pfn on the head of the list its flags select and set PG_LRU. */
    void add(int pfn) {
        int f = map.flags(pfn);
        if ((f & PageFlags.PG_LRU) != 0) {
            throw new IllegalStateException("pfn " + pfn + " is already on an LRU list");
        }
        int lru = lruOf(f);
        listAdd(lru, pfn);
        map.setFlags(pfn, f | PageFlags.PG_LRU);
        account(pfn, lru, 1);
    }

    /** lruvec_add_folio_tail(): put pfn at the tail (next in line for reclaim), e.g. after writeback. */
    void addTail(int pfn) {
        int f = map.flags(pfn);
        if ((f & PageFlags.PG_LRU) != 0) {
            throw new IllegalStateException("pfn " + pfn + " is already on an LRU list");
        }
        int lru = lruOf(f);
        listAddTail(lru, pfn);
        map.setFlags(pfn, f | PageFlags.PG_LRU);
        account(pfn, lru, 1);
    }

    /** lruvec_del_folio(): take pfn off its list and clear PG_LRU. */
    void del(int pfn) {
        int f = map.flags(pfn);
        if ((f & PageFlags.PG_LRU) == 0) {
            throw new IllegalStateException("pfn " + pfn + " is not on an LRU list");
        }
        int lru = lruOf(f);
        listDel(lru, pfn);
        map.setFlags(pfn, f & ~PageFlags.PG_LRU);
        account(pfn, lru, -1);
    }

    private void account(int pfn, int lru, int delta) {
        int item = NODE_ITEM[lru].ordinal();
        pgdat.vmStat[item] += delta;
        state[item] += delta;
        mm.zoneOf(pfn).vmStat[ZONE_ITEM[lru].ordinal()] += delta;
    }

    /** The page at the tail (oldest) of a list, or NIL. */
    public int tail(int lru) {
        return lastEntry(lru);
    }

    public int head(int lru) {
        return firstEntry(lru);
    }

    /** The list size (lruvec_lru_size()). */
    public long size(int lru) {
        return state[NODE_ITEM[lru].ordinal()];
    }

    /** lruvec_page_state_local(): a node counter of this group's pages on this node. */
    public long state(NodeStatItem item) {
        return state[item.ordinal()];
    }

    /**
     * lruvec_page_state(): the counter with the group's descendants (the kernel's rstat-flushed hierarchical state);
     * for the root group, the node's counter.
     */
    public long hierarchicalState(NodeStatItem item) {
        return memcg.isRoot() ? pgdat.state(item) : memcg.nodeState(pgdat.nodeId(), item);
    }

    /**
     * inactive_is_low(): the inactive list of this type is smaller than the active one divided by the target ratio
     * int_sqrt(10 × size in GiB) (1 below 1 GiB), in the group's hierarchical counts.
     */
    public boolean inactiveIsLow(int inactiveLru) {
        long inactive = hierarchicalState(NODE_ITEM[inactiveLru]);
        long active = hierarchicalState(NODE_ITEM[inactiveLru + 1]);
        long gb = (inactive + active) >>> (30 - io.simproc.uapi.Page.PAGE_SHIFT);
        long ratio = gb != 0 ? intSqrt(10 * gb) : 1;
        return inactive * ratio < active;
    }

    /** int_sqrt(). */
    static long intSqrt(long x) {
        long r = (long) Math.sqrt((double) x);
        while (r * r > x) {
            r--;
        }
        while ((r + 1) * (r + 1) <= x) {
            r++;
        }
        return r;
    }

    /** nonresident_age, for tests and workingset. */
    public long nonresidentAge() {
        return nonresidentAge;
    }

    public PgData pgdat() {
        return pgdat;
    }

    public MemCgroup memcg() {
        return memcg;
    }
}
