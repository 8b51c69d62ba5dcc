package io.simproc.mm;

/**
 * kswapd of mm/vmscan.c: the per-node background reclaimer. {@link #wakeupKswapd} applies the kernel's wake-up
 * rules (hopeless nodes and balanced, unboosted nodes are left asleep); a woken kswapd runs
 * {@code balance_pgdat} on the next timer tick: it counts pageoutrun, reclaims toward the high watermark, counts a
 * failure when a pass reclaims nothing, and pays back the watermark boost it was woken for.
 *
 * <p>The simulated machine has no LRU pages yet, so a pass reclaims nothing; what it does do — boost decay,
 * kswapd_failures and node_unreclaimable — is exactly what the kernel does when nothing is reclaimable.
 */
public final class Kswapd {
    private final MemoryManager mm;

    Kswapd(MemoryManager mm) {
        this.mm = mm;
    }

    /** wakeup_kswapd(). */
    public void wakeupKswapd(Zone zone, int gfp, int order, int highestZoneidx) {
        if (!zone.isManaged()) {
            return;
        }
        PgData pgdat = zone.node();
        pgdat.kswapdHighestZoneidx = Math.max(pgdat.kswapdHighestZoneidx, highestZoneidx);
        pgdat.kswapdOrder = Math.max(pgdat.kswapdOrder, order);
        if (pgdat.kswapdWakePending) {
            return;
        }
        if (pgdat.kswapdFailures >= PageAlloc.MAX_RECLAIM_RETRIES
                || (pgdatBalanced(pgdat, order, highestZoneidx) && !pgdatWatermarkBoosted(pgdat, highestZoneidx))) {
            return;
        }
        pgdat.kswapdWakePending = true;
        mm.services().schedule(0, () -> kswapdRun(pgdat));
    }

    private void kswapdRun(PgData pgdat) {
        int order = pgdat.kswapdOrder;
        int highest = pgdat.kswapdHighestZoneidx < 0 ? ZoneType.MAX_NR_ZONES - 1 : pgdat.kswapdHighestZoneidx;
        pgdat.kswapdOrder = 0;
        pgdat.kswapdHighestZoneidx = -1;
        pgdat.kswapdWakePending = false;
        balancePgdat(pgdat, order, highest);
    }

    /** balance_pgdat(). */
    void balancePgdat(PgData pgdat, int order, int highestZoneidx) {
        mm.vmEvents[VmEvent.PAGEOUTRUN.ordinal()]++;
        long[] zoneBoosts = new long[ZoneType.MAX_NR_ZONES];
        boolean boosted = false;
        for (int i = 0; i <= highestZoneidx; i++) {
            Zone z = pgdat.zones[i];
            if (z.isManaged()) {
                zoneBoosts[i] = z.watermarkBoost;
                boosted |= z.watermarkBoost != 0;
            }
        }
        boolean balanced = pgdatBalanced(pgdat, order, highestZoneidx);
        if (boosted || !balanced) {
            // A pass scans the LRU lists. There are no LRU pages in this model yet, so it reclaims nothing,
            // which balance_pgdat counts as a failure.
            pgdat.kswapdFailures++;
        }
        if (boosted) {
            for (int i = 0; i <= highestZoneidx; i++) {
                Zone z = pgdat.zones[i];
                z.watermarkBoost -= Math.min(z.watermarkBoost, zoneBoosts[i]);
            }
        }
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
