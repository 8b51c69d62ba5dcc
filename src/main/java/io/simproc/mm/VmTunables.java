package io.simproc.mm;

/**
 * The /proc/sys/vm values the memory manager reads (mm/page_alloc.c, mm/util.c globals). Only {@link Watermarks},
 * {@link Overcommit},
 * {@link Compaction} and the
 * sysctl handlers that call it write them, so that every write recomputes what depends on it.
 */
public final class VmTunables {
    /** Default sysctl_lowmem_reserve_ratio for DMA, DMA32, Normal, Movable, Device. */
    static final int[] DEFAULT_LOWMEM_RESERVE_RATIO = {256, 256, 32, 0, 0};

    int minFreeKbytes = 1024;
    /** -1 until a user writes min_free_kbytes; then automatic recomputation never lowers below it. */
    int userMinFreeKbytes = -1;
    int watermarkScaleFactor = 10;
    int watermarkBoostFactor = 15000;
    final int[] lowmemReserveRatio = DEFAULT_LOWMEM_RESERVE_RATIO.clone();
    int percpuPagelistHighFraction;
    int overcommitMemory = Overcommit.OVERCOMMIT_GUESS;
    int overcommitRatio = 50;
    /** An unsigned long in the kernel (values above Long.MAX_VALUE read back through toUnsignedString). */
    long overcommitKbytes;
    long userReserveKbytes;
    int extfragThreshold = 500;
    int compactUnevictableAllowed = 1;
    /** vm.compaction_proactiveness, 0..100: how hard kcompactd keeps huge-page-sized blocks free. */
    int compactionProactiveness = 20;
    long adminReserveKbytes;
    int vfsCachePressure = 100;
    int vfsCachePressureDenom = 100;
    int dirtyRatio = 20;
    long dirtyBytes;
    int dirtyBackgroundRatio = 10;
    long dirtyBackgroundBytes;
    int dirtyExpireCentisecs = 3000;
    int dirtyWritebackCentisecs = 500;
    int swappiness = 60;
    /** vm.zone_reclaim_mode (node_reclaim_mode): RECLAIM_ZONE, RECLAIM_WRITE, RECLAIM_UNMAP bits; 0 is off. */
    int nodeReclaimMode;
    /** vm.min_unmapped_ratio: percent of a node's pages node reclaim leaves as unmapped page cache. */
    int minUnmappedRatio = 1;
    /** vm.min_slab_ratio: percent of a node's pages of reclaimable slab below which node reclaim leaves slab be. */
    int minSlabRatio = 5;

    /** sysctl_vfs_cache_pressure: how hard reclaim hits the dentry and inode caches (100: fair to the LRU). */
    public int vfsCachePressure() {
        return vfsCachePressure;
    }

    /** sysctl_vfs_cache_pressure_denom (6.16+): the divisor of vfs_cache_pressure. */
    public int vfsCachePressureDenom() {
        return vfsCachePressureDenom;
    }

    /** The vfs_cache_pressure sysctl's store: nothing is derived from it. */
    public void setVfsCachePressure(int v) {
        vfsCachePressure = v;
    }

    /** The vfs_cache_pressure_denom sysctl's store. */
    public void setVfsCachePressureDenom(int v) {
        vfsCachePressureDenom = v;
    }

    public int minFreeKbytes() {
        return minFreeKbytes;
    }

    /** The last min_free_kbytes a user wrote (automatic recomputation never goes below it), or -1 if none. */
    public int userMinFreeKbytes() {
        return userMinFreeKbytes;
    }

    public int watermarkScaleFactor() {
        return watermarkScaleFactor;
    }

    public int watermarkBoostFactor() {
        return watermarkBoostFactor;
    }

    public int lowmemReserveRatio(int zoneIdx) {
        return lowmemReserveRatio[zoneIdx];
    }

    public int percpuPagelistHighFraction() {
        return percpuPagelistHighFraction;
    }

    public int overcommitMemory() {
        return overcommitMemory;
    }

    public int extfragThreshold() {
        return extfragThreshold;
    }

    public int compactionProactiveness() {
        return compactionProactiveness;
    }

    public int compactUnevictableAllowed() {
        return compactUnevictableAllowed;
    }

    public long userReserveKbytes() {
        return userReserveKbytes;
    }

    public long adminReserveKbytes() {
        return adminReserveKbytes;
    }

    public int overcommitRatio() {
        return overcommitRatio;
    }

    public long overcommitKbytes() {
        return overcommitKbytes;
    }

    public int dirtyRatio() {
        return dirtyRatio;
    }

    public long dirtyBytes() {
        return dirtyBytes;
    }

    public int dirtyBackgroundRatio() {
        return dirtyBackgroundRatio;
    }

    public long dirtyBackgroundBytes() {
        return dirtyBackgroundBytes;
    }

    public int dirtyExpireCentisecs() {
        return dirtyExpireCentisecs;
    }

    public int dirtyWritebackCentisecs() {
        return dirtyWritebackCentisecs;
    }

    public int swappiness() {
        return swappiness;
    }

    /** vm.swappiness (0..200, checked by the sysctl). */
    public void setSwappiness(int v) {
        swappiness = v;
    }

    /** vm.dirty_ratio: a changed value switches to ratio mode (dirty_bytes = 0). */
    public void setDirtyRatio(int v) {
        if (v != dirtyRatio) {
            dirtyBytes = 0;
        }
        dirtyRatio = v;
    }

    /** vm.dirty_bytes: a changed value switches to bytes mode (dirty_ratio = 0). */
    public void setDirtyBytes(long v) {
        if (v != dirtyBytes) {
            dirtyRatio = 0;
        }
        dirtyBytes = v;
    }

    /** vm.dirty_background_ratio: a successful write zeroes dirty_background_bytes. */
    public void setDirtyBackgroundRatio(int v) {
        dirtyBackgroundRatio = v;
        dirtyBackgroundBytes = 0;
    }

    /** vm.dirty_background_bytes: a successful write zeroes dirty_background_ratio. */
    public void setDirtyBackgroundBytes(long v) {
        dirtyBackgroundBytes = v;
        dirtyBackgroundRatio = 0;
    }

    public void setDirtyExpireCentisecs(int v) {
        dirtyExpireCentisecs = v;
    }

    /** vm.dirty_writeback_centisecs (stored unsigned: a negative value is a very long period). */
    public void setDirtyWritebackCentisecs(int v) {
        dirtyWritebackCentisecs = v;
    }

    public int nodeReclaimMode() {
        return nodeReclaimMode;
    }

    /** The zone_reclaim_mode sysctl's store (proc_dointvec_minmax, at least 0; bits above RECLAIM_UNMAP are kept). */
    public void setNodeReclaimMode(int v) {
        nodeReclaimMode = v;
    }

    public int minUnmappedRatio() {
        return minUnmappedRatio;
    }

    /** sysctl_min_unmapped_ratio_sysctl_handler(): the node thresholds follow ({@link NodeReclaim}). */
    public void setMinUnmappedRatio(int v) {
        minUnmappedRatio = v;
    }

    public int minSlabRatio() {
        return minSlabRatio;
    }

    /** sysctl_min_slab_ratio_sysctl_handler(): the node thresholds follow ({@link NodeReclaim}). */
    public void setMinSlabRatio(int v) {
        minSlabRatio = v;
    }
}
