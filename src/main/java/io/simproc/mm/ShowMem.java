package io.simproc.mm;

/**
 * The derived figures of mm/show_mem.c, mm/util.c and mm/page-writeback.c that /proc/meminfo and /proc/vmstat
 * print: MemAvailable ({@code si_mem_available}), CommitLimit ({@code vm_commit_limit}) and the global dirty
 * thresholds ({@code global_dirty_limits}). Pure functions of the memory manager's current state.
 */
public final class ShowMem {
    private ShowMem() {
    }

    /** si_mem_available(): free pages beyond the reserves plus the page cache and slab that reclaim could free. */
    public static long siMemAvailable(MemoryManager mm) {
        long wmarkLow = 0;
        for (Zone z : mm.zones()) {
            wmarkLow += z.lowWmarkPages();
        }
        long available = mm.globalZoneState(ZoneStatItem.NR_FREE_PAGES) - mm.watermarks().totalreservePages();
        long pagecache = mm.globalNodeState(NodeStatItem.NR_ACTIVE_FILE)
                + mm.globalNodeState(NodeStatItem.NR_INACTIVE_FILE);
        available += pagecache - Math.min(pagecache / 2, wmarkLow);
        long reclaimable = NodeStatItem.NR_SLAB_RECLAIMABLE_B.shown(mm.globalNodeState(NodeStatItem.NR_SLAB_RECLAIMABLE_B))
                + mm.globalNodeState(NodeStatItem.NR_KERNEL_MISC_RECLAIMABLE);
        available += reclaimable - Math.min(reclaimable / 2, wmarkLow);
        return Math.max(0, available);
    }

    /**
     * vm_commit_limit(): overcommit_kbytes, or RAM × overcommit_ratio / 100, plus swap — in unsigned long arithmetic
     * as the kernel's (a negative ratio wraps to a huge limit).
     */
    public static long vmCommitLimit(MemoryManager mm) {
        VmTunables t = mm.tunables();
        long allowed;
        if (t.overcommitKbytes != 0) {
            allowed = t.overcommitKbytes >>> (io.simproc.uapi.Page.PAGE_SHIFT - 10);
        } else {
            allowed = Long.divideUnsigned(mm.totalramPages() * t.overcommitRatio, 100);
        }
        return allowed + mm.totalSwapPages();
    }

    /** global_dirtyable_memory(): free pages above the reserves plus the file LRU, plus one. */
    public static long globalDirtyableMemory(MemoryManager mm) {
        long x = mm.globalZoneState(ZoneStatItem.NR_FREE_PAGES);
        x -= Math.min(x, mm.watermarks().totalreservePages());
        x += mm.globalNodeState(NodeStatItem.NR_INACTIVE_FILE);
        x += mm.globalNodeState(NodeStatItem.NR_ACTIVE_FILE);
        return x + 1;
    }

    /** global_dirty_limits(): {dirty threshold, background threshold} in pages. */
    public static long[] globalDirtyLimits(MemoryManager mm) {
        VmTunables t = mm.tunables();
        long available = globalDirtyableMemory(mm);
        long pageSize = io.simproc.uapi.Page.PAGE_SIZE;
        long ratio = t.dirtyRatio * pageSize / 100;
        long bgRatio = t.dirtyBackgroundRatio * pageSize / 100;
        long thresh = t.dirtyBytes != 0 ? (t.dirtyBytes + pageSize - 1) / pageSize : ratio * available / pageSize;
        long bgThresh = t.dirtyBackgroundBytes != 0 ? (t.dirtyBackgroundBytes + pageSize - 1) / pageSize
                : bgRatio * available / pageSize;
        if (bgThresh >= thresh) {
            bgThresh = thresh / 2;
        }
        return new long[] {thresh, bgThresh};
    }
}
