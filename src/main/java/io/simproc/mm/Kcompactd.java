package io.simproc.mm;

/**
 * kcompactd of mm/compaction.c, one per node, run as timer work of the simulation. Woken by kswapd when it goes to
 * sleep after reclaiming for a high-order allocation ({@link #wakeup}), it compacts the node's zones for that order
 * ({@code kcompactd_do_work}: compact_daemon_wake, compact_daemon_migrate_scanned, compact_daemon_free_scanned),
 * skipping a zone whose compaction is deferred for the order and deferring one where the run fails, as direct
 * compaction does ({@link Compaction}).
 * Every HPAGE_FRAG_CHECK_INTERVAL_MSEC it also checks the node's fragmentation score: with
 * vm.compaction_proactiveness above 0, kswapd not running and the score above the high mark
 * ({@code min(max(100 - proactiveness, 5) + 10, 100)}), it compacts every zone of the node until each zone's score
 * is at most the low mark — proactive compaction. A pass that does not lower the score backs the check off
 * 2^COMPACT_MAX_DEFER_SHIFT intervals. Writing a non-zero proactiveness runs the check at once.
 *
 * <p>The score of a zone is {@code extfrag_for_order(zone, 9)}: the share of its free pages not in free blocks of
 * order 9 or more; a node's is the zones' scores weighted by their present pages. The interval restarts after
 * every check rather than after a wake-up's work.
 */
public final class Kcompactd {
    /** HPAGE_FRAG_CHECK_INTERVAL_MSEC: 500 ms between proactive checks. */
    static final long CHECK_INTERVAL = KernelServices.HZ / 2;
    /** COMPACTION_HPAGE_ORDER: the order proactive compaction works for (the PMD huge page, a pageblock here). */
    static final int COMPACTION_HPAGE_ORDER = PageAlloc.PAGEBLOCK_ORDER;

    private final MemoryManager mm;
    private final int[] maxOrder;
    private final int[] highestZoneidx;
    private final boolean[] woken;
    private final long[] checkGeneration;

    Kcompactd(MemoryManager mm) {
        this.mm = mm;
        int nodes = mm.nrNodes();
        this.maxOrder = new int[nodes];
        this.highestZoneidx = new int[nodes];
        this.woken = new boolean[nodes];
        this.checkGeneration = new long[nodes];
        java.util.Arrays.fill(highestZoneidx, ZoneType.MAX_NR_ZONES - 1);
    }

    /** kcompactd_run() for every node: start the periodic proactive checks. */
    public void start() {
        mm.assertWriter();
        for (int nid = 0; nid < maxOrder.length; nid++) {
            scheduleCheck(nid, CHECK_INTERVAL);
        }
    }

    private void scheduleCheck(int nid, long delay) {
        long generation = ++checkGeneration[nid];
        mm.services().schedule(delay, () -> {
            if (checkGeneration[nid] == generation) {
                proactiveCheck(nid);
            }
        });
    }

    /** wakeup_kcompactd(): remember the order, and wake the node's kcompactd if one of its zones is suitable. */
    void wakeup(PgData pgdat, int order, int highest) {
        if (order == 0) {
            return;
        }
        int nid = pgdat.nodeId();
        maxOrder[nid] = Math.max(maxOrder[nid], order);
        highestZoneidx[nid] = Math.min(highestZoneidx[nid], highest);
        if (woken[nid] || !nodeSuitable(pgdat)) {
            return;
        }
        woken[nid] = true;
        mm.services().schedule(0, () -> {
            woken[nid] = false;
            if (maxOrder[nid] > 0) {
                doWork(mm.node(nid));
            }
        });
    }

    /** kcompactd_node_suitable(): some zone is short of a block of the order, and compaction could make one. */
    private boolean nodeSuitable(PgData pgdat) {
        int nid = pgdat.nodeId();
        for (int i = 0; i <= highestZoneidx[nid]; i++) {
            Zone z = pgdat.zone(i);
            if (z.isPopulated() && suitAllocationOrder(z, maxOrder[nid], highestZoneidx[nid])) {
                return true;
            }
        }
        return false;
    }

    /** compaction_suit_allocation_order() == COMPACT_CONTINUE: the min watermark fails for the order, yet suitable. */
    private boolean suitAllocationOrder(Zone z, int order, int highest) {
        if (mm.pageAlloc().zoneWatermarkOk(z, order, z.minWmarkPages(), highest)) {
            return false;
        }
        return mm.compaction().suitable(z, order, highest);
    }

    /**
     * kcompactd_do_work(): each zone up to the highest index asked for, unless its compaction is deferred for the
     * order, the order's block could be allocated already, or compaction is not suitable. A run that makes the
     * block lifts the zone's deferral for the order; one that fails drains the per-cpu lists and defers the zone.
     */
    private void doWork(PgData pgdat) {
        mm.assertWriter();
        int nid = pgdat.nodeId();
        int order = maxOrder[nid];
        int highest = highestZoneidx[nid];
        mm.vmstat().countEvent(VmEvent.COMPACT_DAEMON_WAKE, 1);
        for (int i = 0; i <= highest; i++) {
            Zone z = pgdat.zone(i);
            if (!z.isPopulated() || Compaction.compactionDeferred(z, order)
                    || !suitAllocationOrder(z, order, highest)) {
                continue;
            }
            Compaction.Control cc = new Compaction.Control(order, MigrateType.MOVABLE.ordinal(), false);
            if (mm.compaction().compactZone(z, cc)) {
                Compaction.compactionDeferReset(z, order, false);
            } else {
                mm.pageAlloc().drainAllPages(z);
                Compaction.deferCompaction(z, order);
            }
            mm.vmstat().countEvent(VmEvent.COMPACT_DAEMON_MIGRATE_SCANNED, cc.totalMigrateScanned);
            mm.vmstat().countEvent(VmEvent.COMPACT_DAEMON_FREE_SCANNED, cc.totalFreeScanned);
        }
        if (maxOrder[nid] <= order) {
            maxOrder[nid] = 0;
        }
        if (highestZoneidx[nid] >= highest) {
            highestZoneidx[nid] = ZoneType.MAX_NR_ZONES - 1;
        }
    }

    /** The kcompactd loop's timeout branch: proactive compaction when the node is fragmented enough. */
    private void proactiveCheck(int nid) {
        PgData pgdat = mm.node(nid);
        long next = CHECK_INTERVAL;
        if (shouldProactiveCompactNode(pgdat)) {
            int prevScore = fragmentationScoreNode(pgdat);
            compactNodeProactive(pgdat);
            if (fragmentationScoreNode(pgdat) >= prevScore) {
                next = CHECK_INTERVAL << Compaction.COMPACT_MAX_DEFER_SHIFT;
            }
        }
        scheduleCheck(nid, next);
    }

    /** A write of a non-zero compaction_proactiveness: every node checks now (proactive_compact_trigger). */
    public void proactivenessWritten(int value) {
        mm.assertWriter();
        mm.tunables().compactionProactiveness = value;
        if (value == 0) {
            return;
        }
        for (int nid = 0; nid < maxOrder.length; nid++) {
            scheduleCheck(nid, 0);
        }
    }

    /** should_proactive_compact_node(). */
    boolean shouldProactiveCompactNode(PgData pgdat) {
        int proactiveness = mm.tunables().compactionProactiveness();
        if (proactiveness == 0 || mm.kswapd().isRunning(pgdat)) {
            return false;
        }
        return fragmentationScoreNode(pgdat) > fragmentationScoreWmark(proactiveness, false);
    }

    /** compact_node(pgdat, true): every populated zone, whole, until its score is at most the low mark. */
    private void compactNodeProactive(PgData pgdat) {
        for (Zone z : pgdat.zones()) {
            if (!z.isPopulated()) {
                continue;
            }
            Compaction.Control cc = new Compaction.Control(-1, MigrateType.MOVABLE.ordinal(), true);
            mm.compaction().compactZone(z, cc);
            mm.vmstat().countEvent(VmEvent.COMPACT_DAEMON_MIGRATE_SCANNED, cc.totalMigrateScanned);
            mm.vmstat().countEvent(VmEvent.COMPACT_DAEMON_FREE_SCANNED, cc.totalFreeScanned);
        }
    }

    /** fragmentation_score_wmark(): the low mark max(100 − proactiveness, 5), the high one 10 above (at most 100). */
    static int fragmentationScoreWmark(int proactiveness, boolean low) {
        int wmarkLow = Math.max(100 - proactiveness, 5);
        return low ? wmarkLow : Math.min(wmarkLow + 10, 100);
    }

    /** fragmentation_score_node(): the zones' scores weighted by their share of the node's present pages. */
    public static int fragmentationScoreNode(PgData pgdat) {
        long score = 0;
        for (Zone z : pgdat.zones()) {
            if (z.isPopulated()) {
                score += z.presentPages() * fragmentationScoreZone(z) / (pgdat.nodePresentPages() + 1);
            }
        }
        return (int) score;
    }

    /** fragmentation_score_zone() = extfrag_for_order(zone, COMPACTION_HPAGE_ORDER), 0..100. */
    public static int fragmentationScoreZone(Zone z) {
        long freePages = 0;
        long suitable = 0;
        for (int o = 0; o < PageAlloc.NR_PAGE_ORDERS; o++) {
            long n = z.freeArea.nrFree(o);
            freePages += n << o;
            if (o >= COMPACTION_HPAGE_ORDER) {
                suitable += n << (o - COMPACTION_HPAGE_ORDER);
            }
        }
        if (freePages == 0) {
            return 0;
        }
        return (int) ((freePages - (suitable << COMPACTION_HPAGE_ORDER)) * 100 / freePages);
    }
}
