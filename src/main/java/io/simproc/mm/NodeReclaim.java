package io.simproc.mm;

import io.simproc.uapi.Page;

/**
 * node_reclaim() of mm/vmscan.c, vm.zone_reclaim_mode: with the mode on, an allocation that finds a zone below
 * its watermark first reclaims on that node — unmapped clean page cache by default, dirty pages too with
 * RECLAIM_WRITE, mapped pages too with RECLAIM_UNMAP — before it falls back to the next node of its zonelist. With
 * the mode 0 (the default) nothing here runs and allocations fall back to remote nodes at once.
 */
final class NodeReclaim {
    /** RECLAIM_ZONE, RECLAIM_WRITE, RECLAIM_UNMAP: the bits of zone_reclaim_mode. */
    static final int RECLAIM_ZONE = 1;
    static final int RECLAIM_WRITE = 2;
    static final int RECLAIM_UNMAP = 4;
    /** NODE_RECLAIM_PRIORITY: node reclaim starts at this priority, not DEF_PRIORITY. */
    static final int NODE_RECLAIM_PRIORITY = 4;
    /** node_reclaim()'s results: did not scan, scanned but nothing reclaimable, reclaimed too little, enough. */
    static final int NODE_RECLAIM_NOSCAN = -2;
    static final int NODE_RECLAIM_FULL = -1;
    static final int NODE_RECLAIM_SOME = 0;
    static final int NODE_RECLAIM_SUCCESS = 1;

    private final MemoryManager mm;

    NodeReclaim(MemoryManager mm) {
        this.mm = mm;
    }

    /** node_reclaim_enabled(): one of the reclaim bits is set. */
    boolean enabled() {
        return (mm.tunables().nodeReclaimMode & (RECLAIM_ZONE | RECLAIM_WRITE | RECLAIM_UNMAP)) != 0;
    }

    /**
     * node_reclaim(): reclaim at least 2^order pages on {@code pgdat} for an allocation by {@code cpu}, if the node
     * has enough reclaimable page cache or slab (above min_unmapped_ratio, min_slab_ratio), the allocation may block,
     * and the node is the CPU's own (a node with CPUs of its own is left to them) and not already being reclaimed.
     * Counts zone_reclaim_success or zone_reclaim_failed when it scanned.
     */
    int nodeReclaim(PgData pgdat, int gfp, int order, int cpu) {
        long nrPages = 1L << order;
        if (pagecacheReclaimable(pgdat) <= minUnmappedPages(pgdat)
                && slabReclaimablePages(pgdat) <= minSlabPages(pgdat)) {
            return NODE_RECLAIM_FULL;
        }
        if ((gfp & Gfp.__GFP_DIRECT_RECLAIM) == 0 || pgdat.nodeReclaimLocked) {
            return NODE_RECLAIM_NOSCAN;
        }
        if (hasCpus(pgdat.nodeId()) && pgdat.nodeId() != mm.cpuToNode(cpu)) {
            return NODE_RECLAIM_NOSCAN;
        }
        pgdat.nodeReclaimLocked = true;
        long reclaimed;
        try {
            reclaimed = shrink(pgdat, gfp, order, nrPages);
        } finally {
            pgdat.nodeReclaimLocked = false;
        }
        boolean ok = reclaimed >= nrPages;
        mm.vmstat().countEvent(ok ? VmEvent.ZONE_RECLAIM_SUCCESS : VmEvent.ZONE_RECLAIM_FAILED, 1);
        return ok ? NODE_RECLAIM_SUCCESS : NODE_RECLAIM_SOME;
    }

    /** __node_reclaim(): shrink_node() from NODE_RECLAIM_PRIORITY down until 2^order pages are free. */
    private long shrink(PgData pgdat, int gfp, int order, long nrPages) {
        int mode = mm.tunables().nodeReclaimMode;
        ScanControl sc = new ScanControl();
        sc.nrToReclaim = Math.max(nrPages, Vmscan.SWAP_CLUSTER_MAX);
        sc.gfp = gfp;
        sc.order = order;
        sc.priority = NODE_RECLAIM_PRIORITY;
        sc.mayWritepage = (mode & RECLAIM_WRITE) != 0;
        sc.mayUnmap = (mode & RECLAIM_UNMAP) != 0;
        sc.maySwap = true;
        sc.reclaimIdx = Gfp.gfpZone(gfp).ordinal();
        if (pagecacheReclaimable(pgdat) > minUnmappedPages(pgdat)
                || slabReclaimablePages(pgdat) > minSlabPages(pgdat)) {
            do {
                mm.vmscan().shrinkNode(pgdat, sc);
            } while (sc.nrReclaimed < nrPages && --sc.priority >= 0);
        }
        return sc.nrReclaimed;
    }

    /**
     * node_pagecache_reclaimable(): the node's file pages (RECLAIM_UNMAP) or its unmapped file LRU pages
     * (node_unmapped_file_pages), less the dirty ones when node reclaim may not write (no RECLAIM_WRITE).
     */
    long pagecacheReclaimable(PgData pgdat) {
        int mode = mm.tunables().nodeReclaimMode;
        long reclaimable;
        if ((mode & RECLAIM_UNMAP) != 0) {
            reclaimable = pgdat.state(NodeStatItem.NR_FILE_PAGES);
        } else {
            long mapped = pgdat.state(NodeStatItem.NR_FILE_MAPPED);
            long fileLru = pgdat.state(NodeStatItem.NR_INACTIVE_FILE) + pgdat.state(NodeStatItem.NR_ACTIVE_FILE);
            reclaimable = fileLru > mapped ? fileLru - mapped : 0;
        }
        long delta = (mode & RECLAIM_WRITE) == 0 ? pgdat.state(NodeStatItem.NR_FILE_DIRTY) : 0;
        return reclaimable - Math.min(delta, reclaimable);
    }

    /** pgdat->min_unmapped_pages (setup_min_unmapped_ratio): min_unmapped_ratio percent of each zone's pages. */
    long minUnmappedPages(PgData pgdat) {
        long n = 0;
        for (Zone z : pgdat.zones) {
            n += z.managedPages() * mm.tunables().minUnmappedRatio / 100;
        }
        return n;
    }

    /** pgdat->min_slab_pages (setup_min_slab_ratio): min_slab_ratio percent of each zone's pages. */
    long minSlabPages(PgData pgdat) {
        long n = 0;
        for (Zone z : pgdat.zones) {
            n += z.managedPages() * mm.tunables().minSlabRatio / 100;
        }
        return n;
    }

    private static long slabReclaimablePages(PgData pgdat) {
        return pgdat.state(NodeStatItem.NR_SLAB_RECLAIMABLE_B) / Page.PAGE_SIZE;
    }

    /** node_state(nid, N_CPU). */
    private boolean hasCpus(int nid) {
        for (int cpu = 0; cpu < mm.nrCpus(); cpu++) {
            if (mm.cpuToNode(cpu) == nid) {
                return true;
            }
        }
        return false;
    }
}
