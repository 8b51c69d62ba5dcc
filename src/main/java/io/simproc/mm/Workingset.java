package io.simproc.mm;

/**
 * Refault detection of mm/workingset.c. When reclaim evicts a page cache (or swap cache) page it leaves a shadow
 * entry recording the node's {@code nonresident_age} at eviction; the age advances with every eviction and every
 * activation. When the page is faulted or read back, the refault distance (age now − age at eviction) tells how
 * much memory it would have needed to stay resident: at most the workingset size (the active file list, plus the
 * anon lists when swap is usable; for anon: the active anon and the file lists) and the page is activated at once
 * (workingset_activate_*); a page that was part of the workingset when evicted counts as restored.
 *
 * <p>Shadow encoding in the page cache index: {@link PageCacheIndex#SHADOW_BASE} − (age &lt;&lt; 4 | workingset
 * &lt;&lt; 3 | nid), with the age truncated to {@link #AGE_BITS} bits as the kernel truncates it to the bits left
 * in an xarray value. The kernel also packs the evicting memory cgroup's id into the entry and keeps one clock per
 * group and node; here the shadow has no room for it and every group's refaults are measured on the node's clock
 * (the root group's lruvec). The refault and activation counters go to the refaulting page's group.
 */
final class Workingset {
    static final int NODE_BITS = 3;
    static final int AGE_BITS = 26;
    static final long AGE_MASK = (1L << AGE_BITS) - 1;

    private final MemoryManager mm;

    Workingset(MemoryManager mm) {
        this.mm = mm;
    }

    /** workingset_eviction(): the shadow entry for a page leaving memory. */
    int eviction(int pfn) {
        Lruvec lruvec = mm.zoneOf(pfn).node().lruvec;
        long eviction = lruvec.nonresidentAge & AGE_MASK;
        lruvec.nonresidentAge++;
        int ws = mm.memMap().test(pfn, PageFlags.PG_WORKINGSET) ? 1 : 0;
        int payload = (int) (eviction << 4) | ws << NODE_BITS | lruvec.pgdat().nodeId();
        return PageCacheIndex.SHADOW_BASE - payload;
    }

    /** workingset_activation(): an activated page ages the non-resident clock. */
    void activation(int pfn) {
        mm.zoneOf(pfn).node().lruvec.nonresidentAge++;
    }

    /**
     * workingset_refault(): page {@code pfn}, just allocated for a refault of {@code shadow}, is activated before
     * it joins the LRU when its refault distance is within the workingset.
     */
    void refault(int pfn, int shadow, boolean file) {
        int payload = PageCacheIndex.SHADOW_BASE - shadow;
        int nid = payload & ((1 << NODE_BITS) - 1);
        boolean workingset = (payload & (1 << NODE_BITS)) != 0;
        long eviction = (payload >>> 4) & AGE_MASK;
        PgData pgdat = nid < mm.nrNodes() ? mm.node(nid) : mm.zoneOf(pfn).node();
        Lruvec lruvec = pgdat.lruvec;
        long distance = (lruvec.nonresidentAge - eviction) & AGE_MASK;
        Memcontrol memcontrol = mm.memcontrol();
        memcontrol.modPageState(pfn, pgdat,
                file ? NodeStatItem.WORKINGSET_REFAULT_FILE : NodeStatItem.WORKINGSET_REFAULT_ANON, 1);
        long workingsetSize;
        if (file) {
            workingsetSize = lruvec.hierarchicalState(NodeStatItem.NR_ACTIVE_FILE);
            if (mm.swap().nrSwapPagesFree() > 0) {
                workingsetSize += lruvec.hierarchicalState(NodeStatItem.NR_INACTIVE_ANON)
                        + lruvec.hierarchicalState(NodeStatItem.NR_ACTIVE_ANON);
            }
        } else {
            workingsetSize = lruvec.hierarchicalState(NodeStatItem.NR_ACTIVE_ANON)
                    + lruvec.hierarchicalState(NodeStatItem.NR_INACTIVE_FILE)
                    + lruvec.hierarchicalState(NodeStatItem.NR_ACTIVE_FILE);
        }
        if (distance > workingsetSize) {
            return;
        }
        MemMap map = mm.memMap();
        map.addFlags(pfn, PageFlags.PG_ACTIVE);
        lruvec.nonresidentAge++;
        memcontrol.modPageState(pfn, pgdat,
                file ? NodeStatItem.WORKINGSET_ACTIVATE_FILE : NodeStatItem.WORKINGSET_ACTIVATE_ANON, 1);
        if (workingset) {
            map.addFlags(pfn, PageFlags.PG_WORKINGSET);
            mm.vmscan().lruNoteCost(lruvec, file, 1, 0);
            memcontrol.modPageState(pfn, pgdat,
                    file ? NodeStatItem.WORKINGSET_RESTORE_FILE : NodeStatItem.WORKINGSET_RESTORE_ANON, 1);
        }
    }
}
