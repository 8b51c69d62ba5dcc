package io.simproc.mm;

/**
 * pg_data_t: one NUMA node with its zones (every zone type, populated or not, as zoneinfo shows them), per-node
 * statistics and the state of its kswapd.
 */
public final class PgData {
    private final int nodeId;
    final Zone[] zones = new Zone[ZoneType.MAX_NR_ZONES];
    long nodeStartPfn;
    long nodeSpannedPages;
    long nodePresentPages;
    final long[] vmStat = new long[NodeStatItem.values().length];
    Lruvec lruvec;
    /**
     * node_zonelists[ZONELIST_FALLBACK] and [ZONELIST_NOFALLBACK], each already cut at every highest zone index
     * (the kernel's zonelist iterators skip the zones above it); built at boot by {@link MmInit#buildZonelists}.
     */
    Zone[][] zonelistFallback;
    Zone[][] zonelistNoFallback;
    /** kswapd_failures: passes in a row that reclaimed nothing; at MAX_RECLAIM_RETRIES the node is hopeless. */
    int kswapdFailures;
    int kswapdOrder;
    int kswapdHighestZoneidx = -1;
    /** PGDAT_RECLAIM_LOCKED: node reclaim is running on this node. */
    boolean nodeReclaimLocked;
    /** Direct reclaim on this node made no progress: reclaimers are throttled until then (jiffies). */
    long noProgressUntil;
    long noProgressBackoff;
    /** kswapd's state: sleeping, runnable (a run is scheduled) or napping after a run. */
    int kswapdState;
    /** Bumped whenever kswapd's pending timer is replaced, so stale timers do nothing. */
    long kswapdGeneration;

    PgData(int nodeId) {
        this.nodeId = nodeId;
        for (ZoneType t : ZoneType.values()) {
            zones[t.ordinal()] = new Zone(this, t);
        }
    }

    public int nodeId() {
        return nodeId;
    }

    public Zone zone(ZoneType type) {
        return zones[type.ordinal()];
    }

    public Zone zone(int zoneIdx) {
        return zones[zoneIdx];
    }

    /** Every zone of the node in index order, populated or not. */
    public java.util.List<Zone> zones() {
        return java.util.List.of(zones);
    }

    public long nodeStartPfn() {
        return nodeStartPfn;
    }

    public long nodeSpannedPages() {
        return nodeSpannedPages;
    }

    public long nodePresentPages() {
        return nodePresentPages;
    }

    /** node_zonelist(nid, 0): this node's zones then the other nodes', up to zone index {@code highestZoneidx}. */
    Zone[] zonelist(int highestZoneidx) {
        return zonelistFallback[highestZoneidx];
    }

    /** node_zonelist(nid, __GFP_THISNODE): ZONELIST_NOFALLBACK, this node's zones alone. */
    Zone[] zonelistNoFallback(int highestZoneidx) {
        return zonelistNoFallback[highestZoneidx];
    }

    /** This node's LRU lists. */
    public Lruvec lruvec() {
        return lruvec;
    }

    public long state(NodeStatItem item) {
        return vmStat[item.ordinal()];
    }

    void modState(NodeStatItem item, long delta) {
        vmStat[item.ordinal()] += delta;
    }

    public int kswapdFailures() {
        return kswapdFailures;
    }

    /** node_unreclaimable in zoneinfo: kswapd gave up after MAX_RECLAIM_RETRIES fruitless passes. */
    public boolean isUnreclaimable() {
        return kswapdFailures >= PageAlloc.MAX_RECLAIM_RETRIES;
    }

    /** The first populated zone, the one zoneinfo prints the per-node stats under. */
    public Zone firstPopulatedZone() {
        for (Zone z : zones) {
            if (z.isPopulated()) {
                return z;
            }
        }
        return null;
    }
}
