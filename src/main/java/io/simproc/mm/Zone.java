package io.simproc.mm;

/**
 * struct zone (include/linux/mmzone.h): a range of page frames of one node with its own free lists, watermarks,
 * lowmem reserves, per-cpu page caches and statistics.
 *
 * <p>Invariants: spanned ≥ present ≥ managed; {@code vmStat[NR_FREE_PAGES]} equals the pages in free blocks on
 * every list but Isolate. Mutated only by the simulation thread through {@link PageAlloc} and {@link Watermarks}.
 */
public final class Zone {
    public static final int WMARK_MIN = 0;
    public static final int WMARK_LOW = 1;
    public static final int WMARK_HIGH = 2;
    public static final int WMARK_PROMO = 3;
    static final int NR_WMARK = 4;

    static final int ZONE_BOOSTED_WATERMARK = 1;
    static final int ZONE_RECLAIM_ACTIVE = 2;
    static final int ZONE_BELOW_HIGH = 4;

    private final PgData node;
    private final ZoneType type;
    private final int id;

    long zoneStartPfn;
    long spannedPages;
    long presentPages;
    long managedPages;
    long cmaPages;
    final long[] watermark = new long[NR_WMARK];
    long watermarkBoost;
    final long[] lowmemReserve = new long[ZoneType.MAX_NR_ZONES];
    long nrReservedHighatomic;
    long nrFreeHighatomic;
    int zoneFlags;
    /** compact_considered: compaction attempts counted since the last failure deferred the zone's compaction. */
    int compactConsidered;
    /** compact_defer_shift: after a failure 2^shift attempts are considered before one runs (at most 2^6). */
    int compactDeferShift;
    /** compact_order_failed: compaction is deferred only for this order and above. */
    int compactOrderFailed;
    int statThreshold;
    FreeArea freeArea;
    PerCpuPages[] pcp = new PerCpuPages[0];
    final long[] vmStat = new long[ZoneStatItem.values().length];
    final long[] numaEvents = new long[NumaStatItem.values().length];

    Zone(PgData node, ZoneType type) {
        this.node = node;
        this.type = type;
        this.id = node.nodeId() * ZoneType.MAX_NR_ZONES + type.ordinal();
    }

    public PgData node() {
        return node;
    }

    public ZoneType type() {
        return type;
    }

    /** Global zone id: node × MAX_NR_ZONES + zone index (what {@link MemMap#zoneId} stores). */
    public int id() {
        return id;
    }

    public long zoneStartPfn() {
        return zoneStartPfn;
    }

    public long zoneEndPfn() {
        return zoneStartPfn + spannedPages;
    }

    public long spannedPages() {
        return spannedPages;
    }

    public long presentPages() {
        return presentPages;
    }

    public long managedPages() {
        return managedPages;
    }

    public long cmaPages() {
        return cmaPages;
    }

    /** populated_zone(). */
    public boolean isPopulated() {
        return presentPages > 0;
    }

    /** managed_zone(). */
    public boolean isManaged() {
        return managedPages > 0;
    }

    public boolean contains(long pfn) {
        return pfn >= zoneStartPfn && pfn < zoneStartPfn + spannedPages;
    }

    /** The watermark as the kernel uses and prints it: base value plus boost. */
    public long wmarkPages(int which) {
        return watermark[which] + watermarkBoost;
    }

    public long minWmarkPages() {
        return wmarkPages(WMARK_MIN);
    }

    public long lowWmarkPages() {
        return wmarkPages(WMARK_LOW);
    }

    public long highWmarkPages() {
        return wmarkPages(WMARK_HIGH);
    }

    public long watermarkBoost() {
        return watermarkBoost;
    }

    public long lowmemReserve(int zoneIdx) {
        return lowmemReserve[zoneIdx];
    }

    public long state(ZoneStatItem item) {
        return vmStat[item.ordinal()];
    }

    public long numaEvent(NumaStatItem item) {
        return numaEvents[item.ordinal()];
    }

    public long freePages() {
        return vmStat[ZoneStatItem.NR_FREE_PAGES.ordinal()];
    }

    /** nr_free of free_area[order]: free blocks of that order on every list. */
    public long nrFreeBlocks(int order) {
        return freeArea.nrFree(order);
    }

    /** Free blocks of one order on one migrate type's list. */
    public long nrFreeBlocks(int order, MigrateType mt) {
        return freeArea.nrFree(order, mt.ordinal());
    }

    public int nrCpus() {
        return pcp.length;
    }

    public PerCpuPages pcp(int cpu) {
        return pcp[cpu];
    }

    /** "vm stats threshold" of zoneinfo. */
    public int statThreshold() {
        return statThreshold;
    }

    public long nrReservedHighatomic() {
        return nrReservedHighatomic;
    }

    void modState(ZoneStatItem item, long delta) {
        vmStat[item.ordinal()] += delta;
    }

    @Override
    public String toString() {
        return "Node " + node.nodeId() + " zone " + type.procName();
    }
}
