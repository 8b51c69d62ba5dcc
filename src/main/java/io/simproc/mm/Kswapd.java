package io.simproc.mm;

/**
 * kswapd of mm/vmscan.c: the per-node background reclaimer, run as timer work of the simulation.
 * {@link #wakeupKswapd} applies the kernel's wake-up rules (hopeless nodes and balanced, unboosted nodes are left
 * asleep); a woken kswapd runs {@link #balancePgdat} at the next tick: it counts pageoutrun and reclaims, raising
 * the priority from DEF_PRIORITY, until some eligible zone meets its high watermark (and any watermark boost is
 * paid back); a run that reclaims nothing counts a failure, and MAX_RECLAIM_RETRIES of them make the node
 * hopeless. Then it naps HZ/10: a wake-up during the nap counts kswapd_low_wmark_hit_quickly and runs again at
 * once; a node unbalanced again after the nap counts kswapd_high_wmark_hit_quickly and runs again; otherwise
 * kswapd sleeps until the next wake-up. Going to sleep balanced after a high-order wake-up, it wakes
 * {@link Kcompactd} for that order (mm/vmscan.c: kswapd_try_to_sleep()).
 */
public final class Kswapd {
    private static final int SLEEPING = 0;
    private static final int RUNNABLE = 1;
    private static final int NAPPING = 2;

    private final MemoryManager mm;

    Kswapd(MemoryManager mm) {
        this.mm = mm;
    }

    /**
     * wakeup_kswapd(): raise the order and zone kswapd balances for; wake it unless it runs already, or the node
     * is hopeless or balanced (then wake kcompactd instead for a request that cannot compact itself).
     */
    public void wakeupKswapd(Zone zone, int gfp, int order, int highestZoneidx) {
        if (!zone.isManaged()) {
            return;
        }
        PgData pgdat = zone.node();
        pgdat.kswapdHighestZoneidx = Math.max(pgdat.kswapdHighestZoneidx, highestZoneidx);
        pgdat.kswapdOrder = Math.max(pgdat.kswapdOrder, order);
        if (pgdat.kswapdState == RUNNABLE) {
            return;
        }
        if (pgdat.kswapdFailures >= PageAlloc.MAX_RECLAIM_RETRIES
                || (pgdatBalanced(pgdat, order, highestZoneidx) && !pgdatWatermarkBoosted(pgdat, highestZoneidx))) {
            // Free memory there may be plenty of, only too fragmented for this order: a request that will not
            // compact directly wakes kcompactd, which decides with compaction_suitable() whether to act.
            if ((gfp & Gfp.__GFP_DIRECT_RECLAIM) == 0) {
                mm.kcompactd().wakeup(pgdat, order, highestZoneidx);
            }
            return;
        }
        if (pgdat.kswapdState == NAPPING) {
            mm.vmstat().events[VmEvent.KSWAPD_LOW_WMARK_HIT_QUICKLY.ordinal()]++;
        }
        makeRunnable(pgdat);
    }

    private void makeRunnable(PgData pgdat) {
        pgdat.kswapdState = RUNNABLE;
        long generation = ++pgdat.kswapdGeneration;
        mm.services().schedule(0, () -> {
            if (pgdat.kswapdGeneration == generation) {
                kswapdRun(pgdat);
            }
        });
    }

    private void kswapdRun(PgData pgdat) {
        int order = pgdat.kswapdOrder;
        int highest = pgdat.kswapdHighestZoneidx < 0 ? ZoneType.MAX_NR_ZONES - 1 : pgdat.kswapdHighestZoneidx;
        pgdat.kswapdOrder = 0;
        pgdat.kswapdHighestZoneidx = -1;
        int reclaimOrder = balancePgdat(pgdat, order, highest);
        if (pgdatBalanced(pgdat, reclaimOrder, highest)) {
            mm.kcompactd().wakeup(pgdat, order, highest);
        }
        pgdat.kswapdState = NAPPING;
        long generation = ++pgdat.kswapdGeneration;
        mm.services().schedule(KernelServices.HZ / 10, () -> {
            if (pgdat.kswapdGeneration != generation) {
                return;
            }
            if (!pgdatBalanced(pgdat, order, highest) && pgdat.kswapdFailures < PageAlloc.MAX_RECLAIM_RETRIES) {
                mm.vmstat().events[VmEvent.KSWAPD_HIGH_WMARK_HIT_QUICKLY.ordinal()]++;
                makeRunnable(pgdat);
                return;
            }
            pgdat.kswapdState = SLEEPING;
        });
    }

    /**
     * balance_pgdat(): returns the order it balanced for, 0 when it gave up on {@code order} after reclaiming
     * twice its size (fragmentation may keep the node from a high-order balance; compaction is then kcompactd's).
     */
    int balancePgdat(PgData pgdat, int order, int highestZoneidx) {
        mm.vmstat().events[VmEvent.PAGEOUTRUN.ordinal()]++;
        long[] zoneBoosts = new long[ZoneType.MAX_NR_ZONES];
        long nrBoostReclaim = 0;
        for (int i = 0; i <= highestZoneidx; i++) {
            Zone z = pgdat.zones[i];
            if (z.isManaged()) {
                zoneBoosts[i] = z.watermarkBoost;
                nrBoostReclaim += z.watermarkBoost;
            }
        }
        boolean boosted = nrBoostReclaim != 0;
        ScanControl sc = new ScanControl();
        sc.gfp = Gfp.GFP_KERNEL;
        sc.order = order;
        sc.kswapd = true;
        sc.reclaimIdx = highestZoneidx;
        long totalReclaimed = 0;
        while (true) {
            boolean balanced = pgdatBalanced(pgdat, sc.order, highestZoneidx);
            if (!balanced && nrBoostReclaim != 0) {
                nrBoostReclaim = 0;
            }
            if (nrBoostReclaim == 0 && balanced) {
                break;
            }
            boolean raisePriority = true;
            sc.mayWritepage = nrBoostReclaim == 0;
            sc.maySwap = nrBoostReclaim == 0;
            sc.nrReclaimed = 0;
            sc.nrToReclaim = 0;
            for (int i = 0; i <= sc.reclaimIdx; i++) {
                Zone z = pgdat.zones[i];
                if (z.isManaged()) {
                    sc.nrToReclaim += Math.max(z.highWmarkPages(), Vmscan.SWAP_CLUSTER_MAX);
                }
            }
            mm.vmscan().shrinkNode(pgdat, sc);
            if (sc.order != 0 && sc.nrReclaimed >= 2L << sc.order) {
                sc.order = 0;
            }
            if (sc.nrReclaimed >= sc.nrToReclaim) {
                raisePriority = false;
            }
            totalReclaimed += sc.nrReclaimed;
            if (nrBoostReclaim != 0) {
                nrBoostReclaim -= Math.min(nrBoostReclaim, sc.nrReclaimed);
                if (nrBoostReclaim == 0) {
                    break;
                }
            }
            if (raisePriority || sc.nrReclaimed == 0) {
                sc.priority--;
            }
            if (sc.priority < (boosted && nrBoostReclaim != 0 ? Vmscan.DEF_PRIORITY - 2 : 1)) {
                break;
            }
        }
        if (totalReclaimed == 0) {
            pgdat.kswapdFailures++;
        }
        if (boosted) {
            for (int i = 0; i <= highestZoneidx; i++) {
                Zone z = pgdat.zones[i];
                z.watermarkBoost -= Math.min(z.watermarkBoost, zoneBoosts[i]);
            }
        }
        mm.vmscan().snapshotRefaults(pgdat.lruvec);
        return sc.order;
    }

    /** kswapd_is_running(): a run is scheduled or in progress (not napping or asleep). */
    public boolean isRunning(PgData pgdat) {
        return pgdat.kswapdState == RUNNABLE;
    }

    /** pgdat_balanced(): ANY eligible managed zone meets its high watermark for the order. */
    public boolean pgdatBalanced(PgData pgdat, int order, int highestZoneidx) {
        boolean anyManaged = false;
        for (int i = 0; i <= highestZoneidx; i++) {
            Zone z = pgdat.zones[i];
            if (!z.isManaged()) {
                continue;
            }
            anyManaged = true;
            if (mm.pageAlloc().zoneWatermarkOk(z, order, z.highWmarkPages(), highestZoneidx)) {
                return true;
            }
        }
        return !anyManaged;
    }

    /** pgdat_watermark_boosted(). */
    private static boolean pgdatWatermarkBoosted(PgData pgdat, int highestZoneidx) {
        for (int i = highestZoneidx; i >= 0; i--) {
            Zone z = pgdat.zones[i];
            if (z.isManaged() && z.watermarkBoost != 0) {
                return true;
            }
        }
        return false;
    }
}
