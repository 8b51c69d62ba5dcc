package io.simproc.mm;

/**
 * The per-cpu page lists of mm/page_alloc.c: allocation from a CPU's list, refilled a batch at a time from the buddy
 * lists (rmqueue_pcplist(), rmqueue_bulk()); frees onto it, drained back to the buddy lists when the list passes
 * its high mark (free_frozen_page_commit(), free_pcppages_bulk()); the auto-tuned high and batch sizes
 * (nr_pcp_alloc(), nr_pcp_high(), nr_pcp_free()); draining every CPU's lists and the vmstat worker's decay of high
 * (drain_all_pages(), decay_pcp_high()). The lists are the {@link PerCpuPages} themselves; a page on one has PG_PCP
 * and its order in page->private.
 */
final class PcpLists {
    private final MemoryManager mm;
    private final MemMap map;
    private final long[] events;
    private final PageAlloc pageAlloc;
    private final Buddy buddy;

    PcpLists(PageAlloc pageAlloc, MemoryManager mm) {
        this.pageAlloc = pageAlloc;
        this.mm = mm;
        this.map = mm.memMap();
        this.events = mm.vmstat().events;
        this.buddy = pageAlloc.buddy;
    }

    /** rmqueue_pcplist() and __rmqueue_pcplist(). */
    int rmqueuePcplist(Zone preferred, Zone zone, int order, int migratetype, int allocFlags, int cpu) {
        PerCpuPages pcp = zone.pcp[cpu];
        pcp.freeCount >>= 1;
        int pindex = PerCpuPages.orderToPindex(migratetype, order);
        if (pcp.listEmpty(pindex)) {
            int batch = nrPcpAlloc(pcp, zone, order);
            int alloced = rmqueueBulk(zone, order, batch, pcp, pindex, migratetype, allocFlags);
            pcp.count += alloced << order;
            if (alloced == 0) {
                return -1;
            }
        }
        int pfn = pcp.firstEntry(pindex);
        pcp.del(pindex, pfn);
        pcp.count -= 1 << order;
        pageAlloc.countAlloc(preferred, zone, order, cpu);
        return pfn;
    }

    /** nr_pcp_alloc(). */
    private int nrPcpAlloc(PerCpuPages pcp, Zone zone, int order) {
        int baseBatch = pcp.batch;
        int highMin = pcp.highMin;
        int highMax = pcp.highMax;
        int high = pcp.high = PageAlloc.clamp(pcp.high, highMin, highMax);
        if (high < baseBatch) {
            return 1;
        }
        int batch = order != 0 ? baseBatch : baseBatch << pcp.allocFactor;
        if (highMin != highMax && (zone.zoneFlags & Zone.ZONE_BELOW_HIGH) == 0) {
            high = pcp.high = Math.min(high + batch, highMax);
        }
        if (order == 0) {
            int maxNrAlloc = Math.max(high - pcp.count - baseBatch, baseBatch);
            if (batch <= maxNrAlloc && pcp.allocFactor < PerCpuPages.PCP_BATCH_SCALE_MAX) {
                pcp.allocFactor++;
            }
            batch = Math.min(batch, maxNrAlloc);
        }
        if (batch > 1) {
            batch = Math.max(batch >> order, 2);
        }
        return batch;
    }

    /** rmqueue_bulk(): refill a per-cpu list from the buddy lists. */
    private int rmqueueBulk(Zone zone, int order, int count, PerCpuPages pcp, int pindex, int migratetype,
                            int allocFlags) {
        int[] mode = {Buddy.RMQUEUE_NORMAL};
        int i = 0;
        for (; i < count; i++) {
            int pfn = buddy.doRmqueue(zone, order, migratetype, allocFlags, mode);
            if (pfn < 0) {
                break;
            }
            pcp.addTail(pindex, pfn, order);
        }
        return i;
    }

    /** free_frozen_page_commit(). */
    void freeFrozenPageCommit(Zone zone, PerCpuPages pcp, int pfn, int mt, int order) {
        pcp.allocFactor >>= 1;
        events[VmEvent.PGFREE.ordinal()] += 1L << order;
        int pindex = PerCpuPages.orderToPindex(mt, order);
        pcp.add(pindex, pfn, order);
        pcp.count += 1 << order;
        int batch = pcp.batch;
        boolean freeHigh = false;
        if (order > 0 && order <= PageAlloc.PAGE_ALLOC_COSTLY_ORDER) {
            freeHigh = pcp.freeCount >= batch + pcp.highMin / 2
                    && (pcp.pcpFlags & PerCpuPages.PCPF_PREV_FREE_HIGH_ORDER) != 0
                    && ((pcp.pcpFlags & PerCpuPages.PCPF_FREE_HIGH_BATCH) == 0 || pcp.count >= batch);
            pcp.pcpFlags |= PerCpuPages.PCPF_PREV_FREE_HIGH_ORDER;
        } else {
            pcp.pcpFlags &= ~PerCpuPages.PCPF_PREV_FREE_HIGH_ORDER;
        }
        if (pcp.freeCount < batch << PerCpuPages.PCP_BATCH_SCALE_MAX) {
            pcp.freeCount += 1 << order;
        }
        int high = nrPcpHigh(pcp, zone, batch, freeHigh);
        if (pcp.count >= high) {
            freePcppagesBulk(zone, nrPcpFree(pcp, batch, high, freeHigh), pcp, pindex);
            if ((zone.zoneFlags & Zone.ZONE_BELOW_HIGH) != 0
                    && pageAlloc.zoneWatermarkOk(zone, 0, zone.highWmarkPages(), ZoneType.MOVABLE.ordinal(), 0,
                    zone.freePages())) {
                zone.zoneFlags &= ~Zone.ZONE_BELOW_HIGH;
            }
        }
    }

    /** nr_pcp_high(). */
    private int nrPcpHigh(PerCpuPages pcp, Zone zone, int batch, boolean freeHigh) {
        int highMin = pcp.highMin;
        int highMax = pcp.highMax;
        int high = pcp.high = PageAlloc.clamp(pcp.high, highMin, highMax);
        if (high == 0) {
            return 0;
        }
        if (freeHigh) {
            pcp.high = Math.max(high - (batch << PerCpuPages.PCP_BATCH_SCALE_MAX), highMin);
            return 0;
        }
        if ((zone.zoneFlags & Zone.ZONE_RECLAIM_ACTIVE) != 0) {
            int freeCount = Math.max(pcp.freeCount, batch);
            pcp.high = Math.max(high - freeCount, highMin);
            return Math.min(batch << 2, pcp.high);
        }
        if (highMin == highMax) {
            return high;
        }
        if ((zone.zoneFlags & Zone.ZONE_BELOW_HIGH) != 0) {
            int freeCount = Math.max(pcp.freeCount, batch);
            pcp.high = Math.max(high - freeCount, highMin);
            high = Math.max(pcp.count, highMin);
        } else if (pcp.count >= high) {
            int needHigh = pcp.freeCount + batch;
            if (pcp.high < needHigh) {
                pcp.high = PageAlloc.clamp(needHigh, highMin, highMax);
            }
        }
        return high;
    }

    /** nr_pcp_free(). */
    private static int nrPcpFree(PerCpuPages pcp, int batch, int high, boolean freeHigh) {
        if (freeHigh) {
            return Math.min(pcp.count, batch << PerCpuPages.PCP_BATCH_SCALE_MAX);
        }
        if (high < batch) {
            return 1;
        }
        int minNrFree = batch;
        int maxNrFree = high - batch;
        return PageAlloc.clamp(pcp.freeCount, minNrFree, maxNrFree);
    }

    /** free_pcppages_bulk(): return {@code count} pages to the buddy lists, round-robin over the lists. */
    private void freePcppagesBulk(Zone zone, int count, PerCpuPages pcp, int pindex) {
        count = Math.min(pcp.count, count);
        pindex = pindex - 1;
        while (count > 0) {
            do {
                if (++pindex > PerCpuPages.NR_PCP_LISTS - 1) {
                    pindex = 0;
                }
            } while (pcp.listEmpty(pindex));
            int order = PerCpuPages.pindexToOrder(pindex);
            int nrPages = 1 << order;
            do {
                int pfn = pcp.lastEntry(pindex);
                pcp.del(pindex, pfn);
                count -= nrPages;
                pcp.count -= nrPages;
                buddy.freeOnePageNoCount(zone, pfn, order, map.pageblockMigratetype(pfn), false);
            } while (count > 0 && !pcp.listEmpty(pindex));
        }
    }

    /** drain_pages_zone() for every CPU: empty all per-cpu lists of a zone (or of all zones when null). */
    void drainAllPages(Zone only) {
        for (Zone zone : mm.zones()) {
            if (only != null && zone != only) {
                continue;
            }
            for (PerCpuPages pcp : zone.pcp) {
                if (pcp.count > 0) {
                    freePcppagesBulk(zone, pcp.count, pcp, 0);
                }
            }
        }
    }

    /**
     * decay_pcp_high(), run from the vmstat worker each second: lower {@code high} by an eighth (at most down to
     * high_min) and give back whatever the per-cpu list holds above it.
     */
    void decayPcpHigh() {
        for (Zone zone : mm.zones()) {
            for (PerCpuPages pcp : zone.pcp) {
                int highMin = pcp.highMin;
                int batch = pcp.batch;
                if (pcp.high > highMin) {
                    pcp.high = Math.max(Math.max(pcp.count - (batch << PerCpuPages.PCP_BATCH_SCALE_MAX),
                            pcp.high - (pcp.high >> 3)), highMin);
                }
                int toDrain = pcp.count - pcp.high;
                if (toDrain > 0) {
                    freePcppagesBulk(zone, toDrain, pcp, 0);
                }
            }
        }
    }
}
