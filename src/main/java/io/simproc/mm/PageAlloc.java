package io.simproc.mm;

/**
 * The zoned buddy allocator of mm/page_alloc.c (Linux 6.18 behaviour): allocation through the zonelist with
 * watermark checks and lowmem_reserve, per-cpu page lists for small orders, {@code __rmqueue} with the 6.15+
 * claim/steal fallback between migrate types, {@code expand} on split and {@code __free_one_page} merging on free.
 *
 * <p>Expected failure is a return value: {@link #allocPages} returns -1 when no page can be had. Programming errors
 * (double free, freeing a free page) throw. Every public mutator must run on the simulation thread.
 */
public final class PageAlloc {
    public static final int MAX_PAGE_ORDER = 10;
    public static final int NR_PAGE_ORDERS = MAX_PAGE_ORDER + 1;
    public static final int PAGEBLOCK_ORDER = 9;
    public static final int PAGEBLOCK_NR_PAGES = 1 << PAGEBLOCK_ORDER;
    public static final int PAGE_ALLOC_COSTLY_ORDER = 3;
    public static final int MAX_ORDER_NR_PAGES = 1 << MAX_PAGE_ORDER;
    /** MAX_RECLAIM_RETRIES. */
    public static final int MAX_RECLAIM_RETRIES = 16;

    static final int ALLOC_WMARK_MIN = Zone.WMARK_MIN;
    static final int ALLOC_WMARK_LOW = Zone.WMARK_LOW;
    static final int ALLOC_WMARK_HIGH = Zone.WMARK_HIGH;
    static final int ALLOC_NO_WATERMARKS = 0x04;
    static final int ALLOC_WMARK_MASK = ALLOC_NO_WATERMARKS - 1;
    static final int ALLOC_OOM = 0x08;
    static final int ALLOC_NON_BLOCK = 0x10;
    static final int ALLOC_MIN_RESERVE = 0x20;
    static final int ALLOC_CPUSET = 0x40;
    static final int ALLOC_CMA = 0x80;
    static final int ALLOC_NOFRAGMENT = 0x100;
    static final int ALLOC_HIGHATOMIC = 0x200;
    static final int ALLOC_KSWAPD = 0x800;
    static final int ALLOC_RESERVES = ALLOC_NON_BLOCK | ALLOC_MIN_RESERVE | ALLOC_HIGHATOMIC | ALLOC_OOM;

    /** fallbacks[]: where each PCP type looks when its own lists are empty. */
    private static final int[][] FALLBACKS = {
        {MigrateType.RECLAIMABLE.ordinal(), MigrateType.MOVABLE.ordinal()},
        {MigrateType.RECLAIMABLE.ordinal(), MigrateType.UNMOVABLE.ordinal()},
        {MigrateType.UNMOVABLE.ordinal(), MigrateType.MOVABLE.ordinal()},
    };

    private static final int MT_MOVABLE = MigrateType.MOVABLE.ordinal();
    private static final int MT_RECLAIMABLE = MigrateType.RECLAIMABLE.ordinal();
    private static final int MT_UNMOVABLE = MigrateType.UNMOVABLE.ordinal();
    private static final int MT_HIGHATOMIC = MigrateType.HIGHATOMIC.ordinal();
    private static final int MT_CMA = MigrateType.CMA.ordinal();
    private static final int MT_ISOLATE = MigrateType.ISOLATE.ordinal();

    /** enum rmqueue_mode: the step of __rmqueue() that last found pages, in order of fragmentation risk. */
    private static final int RMQUEUE_NORMAL = 0;
    private static final int RMQUEUE_CMA = 1;
    private static final int RMQUEUE_CLAIM = 2;
    private static final int RMQUEUE_STEAL = 3;

    private final MemoryManager mm;
    private final MemMap map;
    private final long[] events;
    private final Ratelimit nopageRatelimit = new Ratelimit(Ratelimit.DEFAULT_INTERVAL_SECONDS * KernelServices.HZ,
            Ratelimit.DEFAULT_BURST);
    /** page_group_by_mobility_disabled: tiny machines treat everything as one type. */
    private final boolean mobilityDisabled;

    /** {@code totalRamPages}: the pages memblock_free_all() is about to free (for mobility grouping). */
    PageAlloc(MemoryManager mm, long totalRamPages) {
        this.mm = mm;
        this.map = mm.memMap();
        this.events = mm.vmstat().events;
        this.mobilityDisabled = totalRamPages < (long) PAGEBLOCK_NR_PAGES * mm.config().migrateTypes().size();
    }

    public boolean mobilityGroupingDisabled() {
        return mobilityDisabled;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Allocation

    /**
     * alloc_pages_node(): allocate 2^order pages for {@code owner} on behalf of a task running on {@code cpu},
     * preferring node {@code nid}. Returns the first pfn, or -1 when the allocation fails.
     */
    public int allocPages(int gfp, int order, int nid, int cpu, PageOwner owner) {
        mm.assertWriter();
        if (order < 0 || order > MAX_PAGE_ORDER) {
            throw new IllegalArgumentException("order " + order);
        }
        if (owner == PageOwner.NONE) {
            throw new IllegalArgumentException("an allocated page needs an owner");
        }
        AllocContext ac = new AllocContext(mm, gfp, order, nid, cpu, mobilityDisabled);
        if (ac.preferredZone == null) {
            return -1;
        }
        int allocFlags = ALLOC_WMARK_LOW | allocFlagsCma(gfp) | allocFlagsNofragment(ac.preferredZone, gfp);
        int pfn = getPageFromFreelist(gfp, order, allocFlags, ac);
        if (pfn < 0) {
            pfn = allocPagesSlowpath(gfp, order, ac);
        }
        if (pfn >= 0) {
            prepNewPage(pfn, order, gfp, owner);
        }
        return pfn;
    }

    private int allocFlagsCma(int gfp) {
        return mm.config().cma() && Gfp.gfpMigratetype(gfp) == MigrateType.MOVABLE ? ALLOC_CMA : 0;
    }

    /** alloc_flags_nofragment(). */
    private int allocFlagsNofragment(Zone preferred, int gfp) {
        int allocFlags = gfp & Gfp.__GFP_KSWAPD_RECLAIM;
        if (preferred.type() != ZoneType.NORMAL) {
            return allocFlags;
        }
        if (!preferred.node().zone(ZoneType.DMA32).isPopulated()) {
            return allocFlags;
        }
        return allocFlags | ALLOC_NOFRAGMENT;
    }

    /** gfp_to_alloc_flags(): the slow path's flags. */
    private int gfpToAllocFlags(int gfp, int order) {
        int allocFlags = ALLOC_WMARK_MIN | ALLOC_CPUSET;
        allocFlags |= gfp & (Gfp.__GFP_HIGH | Gfp.__GFP_KSWAPD_RECLAIM);
        if ((gfp & Gfp.__GFP_DIRECT_RECLAIM) == 0) {
            if ((gfp & Gfp.__GFP_NOMEMALLOC) == 0) {
                allocFlags |= ALLOC_NON_BLOCK;
                if (order > 0 && (allocFlags & ALLOC_MIN_RESERVE) != 0) {
                    allocFlags |= ALLOC_HIGHATOMIC;
                }
            }
            if ((allocFlags & ALLOC_MIN_RESERVE) != 0) {
                allocFlags &= ~ALLOC_CPUSET;
            }
        }
        return allocFlags | allocFlagsCma(gfp);
    }

    /**
     * __alloc_pages_slowpath(): wake kswapd, retry against the min watermark (with the reserves GFP allows, and
     * ALLOC_OOM for an OOM victim); for requests that may block, direct reclaim (draining the per-cpu lists once
     * when it was not enough) and a retry, repeated while {@link #shouldReclaimRetry} sees a chance; then
     * {@link #allocPagesMayOom}, retried as long as the OOM killer makes progress; a failure is reported the way
     * warn_alloc() does.
     */
    private int allocPagesSlowpath(int gfp, int order, AllocContext ac) {
        int allocFlags = gfpToAllocFlags(gfp, order);
        boolean costlyOrder = order > PAGE_ALLOC_COSTLY_ORDER;
        int[] noProgressLoops = {0};
        int futileOomLoops = 0;
        boolean drained = false;
        while (true) {
            if ((allocFlags & ALLOC_KSWAPD) != 0) {
                wakeAllKswapds(order, gfp, ac);
            }
            boolean oomVictim = mm.services().currentIsOomVictim() && (gfp & Gfp.__GFP_NOMEMALLOC) == 0;
            int flags = oomVictim ? ALLOC_OOM | allocFlagsCma(gfp) | (allocFlags & ALLOC_KSWAPD) : allocFlags;
            int pfn = getPageFromFreelist(gfp, order, flags, ac);
            if (pfn >= 0) {
                return pfn;
            }
            if ((gfp & Gfp.__GFP_DIRECT_RECLAIM) == 0) {
                break;
            }
            if (order > 0 && (costlyOrder || ac.migratetype != MT_MOVABLE)) {
                pfn = allocPagesDirectCompact(gfp, order, flags, ac);
                if (pfn >= 0) {
                    return pfn;
                }
            }
            long progress = allocPagesDirectReclaim(gfp, order, ac);
            pfn = getPageFromFreelist(gfp, order, flags, ac);
            if (pfn < 0 && !drained) {
                drainAllPages(null);
                drained = true;
                pfn = getPageFromFreelist(gfp, order, flags, ac);
            }
            if (pfn >= 0) {
                return pfn;
            }
            if ((gfp & Gfp.__GFP_NORETRY) != 0 || costlyOrder && (gfp & Gfp.__GFP_RETRY_MAYFAIL) == 0) {
                break;
            }
            if (shouldReclaimRetry(order, ac, flags, progress > 0, noProgressLoops)) {
                continue;
            }
            boolean[] oomProgress = new boolean[1];
            long freeBefore = mm.vmstat().globalZoneState(ZoneStatItem.NR_FREE_PAGES);
            pfn = allocPagesMayOom(gfp, order, ac, oomProgress);
            if (pfn >= 0) {
                return pfn;
            }
            if (oomVictim || !oomProgress[0]) {
                break;
            }
            // Progress that freed nothing (an OOM killer that may not act for this request) may not loop forever:
            // at most MAX_RECLAIM_RETRIES such rounds in a row.
            futileOomLoops = mm.vmstat().globalZoneState(ZoneStatItem.NR_FREE_PAGES) > freeBefore ? 0 : futileOomLoops + 1;
            if (futileOomLoops > MAX_RECLAIM_RETRIES) {
                break;
            }
            noProgressLoops[0] = 0;
        }
        if ((gfp & Gfp.__GFP_NOWARN) == 0) {
            warnAlloc(gfp, order);
        }
        return -1;
    }

    /**
     * __alloc_pages_direct_reclaim()'s reclaim half: try_to_free_pages() on behalf of the allocating task. Returns
     * the pages reclaimed (did_some_progress).
     */
    private long allocPagesDirectReclaim(int gfp, int order, AllocContext ac) {
        return mm.vmscan().tryToFreePages(gfp, order, ac.preferredZone.node().nodeId(), ac.highestZoneidx);
    }

    /**
     * should_reclaim_retry(): progress resets the no-progress count (for orders up to costly); after
     * MAX_RECLAIM_RETRIES fruitless rounds give up; otherwise retry if some zone would pass its min watermark with
     * its free pages plus its reclaimable pages, discounted by the rounds already lost.
     */
    private boolean shouldReclaimRetry(int order, AllocContext ac, int allocFlags, boolean progress, int[] noProgressLoops) {
        if (progress && order <= PAGE_ALLOC_COSTLY_ORDER) {
            noProgressLoops[0] = 0;
        } else {
            noProgressLoops[0]++;
        }
        if (noProgressLoops[0] > MAX_RECLAIM_RETRIES) {
            return false;
        }
        for (Zone z : ac.zonelist) {
            if (!z.isManaged()) {
                continue;
            }
            long available = mm.vmscan().zoneReclaimablePages(z) + z.freePages();
            available -= (noProgressLoops[0] * available + MAX_RECLAIM_RETRIES - 1) / MAX_RECLAIM_RETRIES;
            if (zoneWatermarkOk(z, order, z.minWmarkPages(), ac.highestZoneidx, allocFlags, available)) {
                return true;
            }
        }
        return false;
    }

    /**
     * __alloc_pages_direct_compact(): compact the zonelist for this order (zones whose compaction is deferred are
     * skipped), then try the free lists again; unless every zone was skipped as unsuitable this counts compact_stall
     * and then compact_success (resetting the deferral of the page's zone) or compact_fail.
     */
    private int allocPagesDirectCompact(int gfp, int order, int allocFlags, AllocContext ac) {
        if (!mm.compaction().tryToCompactPages(ac.zonelist, order, ac.highestZoneidx, ac.migratetype, allocFlags)) {
            return -1;
        }
        int pfn = getPageFromFreelist(gfp, order, allocFlags, ac);
        mm.compaction().countResult(pfn, order);
        return pfn;
    }

    /**
     * __alloc_pages_may_oom(): one last attempt against the high watermark (memory a concurrent kill freed), then
     * the OOM killer — not for costly orders, __GFP_RETRY_MAYFAIL or __GFP_THISNODE requests, nor for requests
     * limited to zones below Normal. {@code progress[0]} tells the slow path to retry.
     */
    private int allocPagesMayOom(int gfp, int order, AllocContext ac, boolean[] progress) {
        int pfn = getPageFromFreelist((gfp | Gfp.__GFP_HARDWALL) & ~Gfp.__GFP_DIRECT_RECLAIM, order,
                ALLOC_WMARK_HIGH | ALLOC_CPUSET, ac);
        if (pfn >= 0 || order > PAGE_ALLOC_COSTLY_ORDER
                || (gfp & (Gfp.__GFP_RETRY_MAYFAIL | Gfp.__GFP_THISNODE)) != 0
                || ac.highestZoneidx < ZoneType.NORMAL.ordinal()) {
            return pfn;
        }
        if (mm.services().outOfMemory(new OomControl(gfp, order)) || (gfp & Gfp.__GFP_NOFAIL) != 0) {
            progress[0] = true;
            if ((gfp & Gfp.__GFP_NOFAIL) != 0) {
                pfn = getPageFromFreelist(gfp, order, ALLOC_NO_WATERMARKS, ac);
            }
        }
        return pfn;
    }

    /** warn_alloc(), rate limited to 10 lines per 5 s as the kernel's nopage_rs. */
    private void warnAlloc(int gfp, int order) {
        int[] suppressed = new int[1];
        boolean allowed = nopageRatelimit.allow(mm.services().jiffies(), suppressed);
        if (suppressed[0] > 0) {
            mm.services().printk(KernelServices.KERN_WARNING, "warn_alloc: " + suppressed[0]
                    + " callbacks suppressed");
        }
        if (allowed) {
            mm.services().printk(KernelServices.KERN_WARNING, String.format(
                    "%s: page allocation failure: order:%d, mode:%#x(%s), nodemask=(null)",
                    mm.services().currentComm(), order, gfp, Gfp.describe(gfp)));
        }
    }

    private void wakeAllKswapds(int order, int gfp, AllocContext ac) {
        PgData last = null;
        for (Zone z : ac.zonelist) {
            if (z.node() != last) {
                last = z.node();
                mm.kswapd().wakeupKswapd(z, gfp, order, ac.highestZoneidx);
            }
        }
    }

    /** get_page_from_freelist(). */
    private int getPageFromFreelist(int gfp, int order, int allocFlags, AllocContext ac) {
        while (true) {
            boolean noFallback = (allocFlags & ALLOC_NOFRAGMENT) != 0;
            boolean retry = false;
            for (Zone zone : ac.zonelist) {
                if (noFallback && mm.nrNodes() > 1 && zone != ac.preferredZone
                        && zone.node() != ac.preferredZone.node()) {
                    allocFlags &= ~ALLOC_NOFRAGMENT;
                    retry = true;
                    break;
                }
                boolean tryThisZone = false;
                if ((zone.zoneFlags & Zone.ZONE_BELOW_HIGH) == 0) {
                    if (zoneWatermarkFast(zone, order, zone.highWmarkPages(), ac.highestZoneidx, allocFlags)) {
                        tryThisZone = true;
                    } else {
                        zone.zoneFlags |= Zone.ZONE_BELOW_HIGH;
                    }
                }
                if (!tryThisZone) {
                    long mark = zone.wmarkPages(allocFlags & ALLOC_WMARK_MASK);
                    if (!zoneWatermarkFast(zone, order, mark, ac.highestZoneidx, allocFlags)
                            && (allocFlags & ALLOC_NO_WATERMARKS) == 0) {
                        continue;
                    }
                }
                int pfn = rmqueue(ac.preferredZone, zone, order, allocFlags, ac.migratetype, ac.cpu);
                if (pfn >= 0) {
                    return pfn;
                }
            }
            if (retry) {
                continue;
            }
            if (noFallback) {
                allocFlags &= ~ALLOC_NOFRAGMENT;
                continue;
            }
            return -1;
        }
    }

    /** __zone_watermark_unusable_free(). */
    private long zoneWatermarkUnusableFree(Zone z, int order, int allocFlags) {
        long unusable = (1L << order) - 1;
        if ((allocFlags & ALLOC_RESERVES) == 0) {
            unusable += z.nrFreeHighatomic;
        }
        if ((allocFlags & ALLOC_CMA) == 0) {
            unusable += z.state(ZoneStatItem.NR_FREE_CMA_PAGES);
        }
        return unusable;
    }

    /** zone_watermark_fast(). */
    boolean zoneWatermarkFast(Zone z, int order, long mark, int highestZoneidx, int allocFlags) {
        long freePages = z.freePages();
        if (order == 0) {
            long usable = freePages - Math.min(freePages, zoneWatermarkUnusableFree(z, 0, allocFlags));
            if (usable > mark + z.lowmemReserve[highestZoneidx]) {
                return true;
            }
        }
        if (zoneWatermarkOk(z, order, mark, highestZoneidx, allocFlags, freePages)) {
            return true;
        }
        if (order == 0 && (allocFlags & ALLOC_MIN_RESERVE) != 0 && z.watermarkBoost != 0
                && (allocFlags & ALLOC_WMARK_MASK) == ALLOC_WMARK_MIN) {
            return zoneWatermarkOk(z, order, z.watermark[Zone.WMARK_MIN], highestZoneidx, allocFlags, freePages);
        }
        return false;
    }

    /** __zone_watermark_ok(). */
    boolean zoneWatermarkOk(Zone z, int order, long mark, int highestZoneidx, int allocFlags, long freePages) {
        long min = mark;
        freePages -= zoneWatermarkUnusableFree(z, order, allocFlags);
        if ((allocFlags & ALLOC_RESERVES) != 0) {
            if ((allocFlags & ALLOC_MIN_RESERVE) != 0) {
                min -= min / 2;
                if ((allocFlags & ALLOC_NON_BLOCK) != 0) {
                    min -= min / 4;
                }
            }
            if ((allocFlags & ALLOC_OOM) != 0) {
                min -= min / 2;
            }
        }
        if (freePages <= min + z.lowmemReserve[highestZoneidx]) {
            return false;
        }
        if (order == 0) {
            return true;
        }
        FreeArea area = z.freeArea;
        for (int o = order; o < NR_PAGE_ORDERS; o++) {
            if (area.nrFree(o) == 0) {
                continue;
            }
            for (int mt = 0; mt < MigrateType.MIGRATE_PCPTYPES; mt++) {
                if (!area.isEmpty(o, mt)) {
                    return true;
                }
            }
            if ((allocFlags & ALLOC_CMA) != 0 && !area.isEmpty(o, MT_CMA)) {
                return true;
            }
            if ((allocFlags & (ALLOC_HIGHATOMIC | ALLOC_OOM)) != 0 && !area.isEmpty(o, MT_HIGHATOMIC)) {
                return true;
            }
        }
        return false;
    }

    /** zone_watermark_ok() for callers outside the allocator (kswapd's balance check, compaction). */
    public boolean zoneWatermarkOk(Zone z, int order, long mark, int highestZoneidx) {
        return zoneWatermarkOk(z, order, mark, highestZoneidx, 0, z.freePages());
    }

    /** pcp_allowed_order(). */
    static boolean pcpAllowedOrder(int order) {
        return order <= PAGE_ALLOC_COSTLY_ORDER || order == PAGEBLOCK_ORDER;
    }

    /** rmqueue(). */
    private int rmqueue(Zone preferred, Zone zone, int order, int allocFlags, int migratetype, int cpu) {
        int pfn = -1;
        if (pcpAllowedOrder(order)) {
            pfn = rmqueuePcplist(preferred, zone, order, migratetype, allocFlags, cpu);
        }
        if (pfn < 0) {
            pfn = rmqueueBuddy(preferred, zone, order, allocFlags, migratetype, cpu);
        }
        if ((allocFlags & ALLOC_KSWAPD) != 0 && (zone.zoneFlags & Zone.ZONE_BOOSTED_WATERMARK) != 0) {
            zone.zoneFlags &= ~Zone.ZONE_BOOSTED_WATERMARK;
            mm.kswapd().wakeupKswapd(zone, 0, 0, zone.type().ordinal());
        }
        return pfn;
    }

    private void countAlloc(Zone preferred, Zone zone, int order, int cpu) {
        events[VmEvent.forZone(VmEvent.PGALLOC_DMA, zone.type()).ordinal()] += 1L << order;
        zoneStatistics(preferred, zone, cpu);
    }

    /**
     * zone_statistics(): NUMA placement events, one per allocation. Hit/miss compare with the preferred zone's
     * node; local/other with the node of the CPU doing the allocation (numa_node_id()).
     */
    private void zoneStatistics(Zone preferred, Zone z, int cpu) {
        if (z.node() == preferred.node()) {
            z.numaEvents[NumaStatItem.NUMA_HIT.ordinal()]++;
        } else {
            z.numaEvents[NumaStatItem.NUMA_MISS.ordinal()]++;
            preferred.numaEvents[NumaStatItem.NUMA_FOREIGN.ordinal()]++;
        }
        boolean local = z.node().nodeId() == mm.cpuToNode(cpu);
        z.numaEvents[(local ? NumaStatItem.NUMA_LOCAL : NumaStatItem.NUMA_OTHER).ordinal()]++;
    }

    /** rmqueue_buddy(). */
    private int rmqueueBuddy(Zone preferred, Zone zone, int order, int allocFlags, int migratetype, int cpu) {
        int pfn = -1;
        if ((allocFlags & ALLOC_HIGHATOMIC) != 0) {
            pfn = rmqueueSmallest(zone, order, MT_HIGHATOMIC);
        }
        if (pfn < 0) {
            pfn = doRmqueue(zone, order, migratetype, allocFlags, new int[] {RMQUEUE_NORMAL});
            if (pfn < 0 && (allocFlags & (ALLOC_OOM | ALLOC_NON_BLOCK)) != 0) {
                pfn = rmqueueSmallest(zone, order, MT_HIGHATOMIC);
            }
        }
        if (pfn >= 0) {
            countAlloc(preferred, zone, order, cpu);
        }
        return pfn;
    }

    /** rmqueue_pcplist() and __rmqueue_pcplist(). */
    private int rmqueuePcplist(Zone preferred, Zone zone, int order, int migratetype, int allocFlags, int cpu) {
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
        int pfn = pcp.lists.firstEntry(pindex);
        pcpListDel(pcp, pindex, pfn);
        pcp.count -= 1 << order;
        countAlloc(preferred, zone, order, cpu);
        return pfn;
    }

    /** nr_pcp_alloc(). */
    private int nrPcpAlloc(PerCpuPages pcp, Zone zone, int order) {
        int baseBatch = pcp.batch;
        int highMin = pcp.highMin;
        int highMax = pcp.highMax;
        int high = pcp.high = clamp(pcp.high, highMin, highMax);
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
        int[] mode = {RMQUEUE_NORMAL};
        int i = 0;
        for (; i < count; i++) {
            int pfn = doRmqueue(zone, order, migratetype, allocFlags, mode);
            if (pfn < 0) {
                break;
            }
            pcpListAddTail(pcp, pindex, pfn, order);
        }
        return i;
    }

    /**
     * __rmqueue(): normal, CMA, claim, steal, in order of increasing fragmentation risk. {@code mode} (enum
     * rmqueue_mode, one element) remembers across the calls of one rmqueue_bulk() which step found pages, so that
     * the rest of the batch skips the steps that already failed: after a steal the batch keeps stealing.
     */
    private int doRmqueue(Zone zone, int order, int migratetype, int allocFlags, int[] mode) {
        if ((allocFlags & ALLOC_CMA) != 0
                && zone.state(ZoneStatItem.NR_FREE_CMA_PAGES) > zone.freePages() / 2) {
            int pfn = rmqueueSmallest(zone, order, MT_CMA);
            if (pfn >= 0) {
                return pfn;
            }
        }
        int pfn;
        if (mode[0] <= RMQUEUE_NORMAL) {
            pfn = rmqueueSmallest(zone, order, migratetype);
            if (pfn >= 0) {
                return pfn;
            }
        }
        if (mode[0] <= RMQUEUE_CMA && (allocFlags & ALLOC_CMA) != 0) {
            pfn = rmqueueSmallest(zone, order, MT_CMA);
            if (pfn >= 0) {
                mode[0] = RMQUEUE_CMA;
                return pfn;
            }
        }
        if (mode[0] <= RMQUEUE_CLAIM) {
            pfn = rmqueueClaim(zone, order, migratetype, allocFlags);
            if (pfn >= 0) {
                mode[0] = RMQUEUE_NORMAL;
                return pfn;
            }
        }
        if ((allocFlags & ALLOC_NOFRAGMENT) == 0) {
            pfn = rmqueueSteal(zone, order, migratetype);
            if (pfn >= 0) {
                mode[0] = RMQUEUE_STEAL;
                return pfn;
            }
        }
        return -1;
    }

    /** __rmqueue_smallest(): the head block of the smallest order that has one on this type's list. */
    int rmqueueSmallest(Zone zone, int order, int migratetype) {
        FreeArea area = zone.freeArea;
        for (int current = order; current < NR_PAGE_ORDERS; current++) {
            int pfn = area.first(current, migratetype);
            if (pfn == MemMap.NIL) {
                continue;
            }
            pageDelAndExpand(zone, pfn, order, current, migratetype);
            return pfn;
        }
        return -1;
    }

    /** should_try_claim_block(). */
    private boolean shouldTryClaimBlock(int order, int startMt) {
        if (order >= PAGEBLOCK_ORDER) {
            return true;
        }
        return order >= PAGEBLOCK_ORDER / 2 || startMt == MT_RECLAIMABLE || startMt == MT_UNMOVABLE
                || mobilityDisabled;
    }

    /** find_suitable_fallback(): -1 none at this order, -2 too small to claim. */
    private int findSuitableFallback(FreeArea area, int order, int migratetype, boolean claimable) {
        if (claimable && !shouldTryClaimBlock(order, migratetype)) {
            return -2;
        }
        if (area.nrFree(order) == 0) {
            return -1;
        }
        for (int fallback : FALLBACKS[migratetype]) {
            if (!area.isEmpty(order, fallback)) {
                return fallback;
            }
        }
        return -1;
    }

    /** __rmqueue_claim(): take over a whole pageblock of another type, largest blocks first. */
    private int rmqueueClaim(Zone zone, int order, int startMt, int allocFlags) {
        if (startMt >= MigrateType.MIGRATE_PCPTYPES) {
            return -1;
        }
        int minOrder = order < PAGEBLOCK_ORDER && (allocFlags & ALLOC_NOFRAGMENT) != 0 ? PAGEBLOCK_ORDER : order;
        FreeArea area = zone.freeArea;
        for (int current = MAX_PAGE_ORDER; current >= minOrder; current--) {
            int fallbackMt = findSuitableFallback(area, current, startMt, true);
            if (fallbackMt == -1) {
                continue;
            }
            if (fallbackMt == -2) {
                break;
            }
            int pfn = area.first(current, fallbackMt);
            pfn = tryToClaimBlock(zone, pfn, current, order, startMt, fallbackMt, allocFlags);
            if (pfn >= 0) {
                return pfn;
            }
        }
        return -1;
    }

    /** __rmqueue_steal(): take one block of a foreign type without relabelling its pageblock. */
    private int rmqueueSteal(Zone zone, int order, int startMt) {
        if (startMt >= MigrateType.MIGRATE_PCPTYPES) {
            return -1;
        }
        FreeArea area = zone.freeArea;
        for (int current = order; current < NR_PAGE_ORDERS; current++) {
            int fallbackMt = findSuitableFallback(area, current, startMt, false);
            if (fallbackMt == -1) {
                continue;
            }
            int pfn = area.first(current, fallbackMt);
            pageDelAndExpand(zone, pfn, order, current, fallbackMt);
            return pfn;
        }
        return -1;
    }

    /** try_to_claim_block(). */
    private int tryToClaimBlock(Zone zone, int pfn, int currentOrder, int order, int startType, int blockType,
                                int allocFlags) {
        if (currentOrder >= PAGEBLOCK_ORDER) {
            zone.freeArea.del(pfn, currentOrder, blockType);
            accountFreepages(zone, -(1L << currentOrder), blockType);
            changePageblockRange(pfn, currentOrder, startType);
            long added = expand(zone, pfn, order, currentOrder, startType);
            accountFreepages(zone, added, startType);
            return pfn;
        }
        if (boostWatermark(zone) && (allocFlags & ALLOC_KSWAPD) != 0) {
            zone.zoneFlags |= Zone.ZONE_BOOSTED_WATERMARK;
        }
        int startPfn = pfn & ~(PAGEBLOCK_NR_PAGES - 1);
        if (!zone.contains(startPfn) || !zone.contains(startPfn + PAGEBLOCK_NR_PAGES - 1L)) {
            return -1;
        }
        long[] freeAndMovable = countFreeAndMovable(startPfn);
        long freePages = freeAndMovable[0];
        long movablePages = freeAndMovable[1];
        long alikePages;
        if (startType == MT_MOVABLE) {
            alikePages = movablePages;
        } else if (blockType == MT_MOVABLE) {
            alikePages = PAGEBLOCK_NR_PAGES - (freePages + movablePages);
        } else {
            alikePages = 0;
        }
        if (freePages + alikePages >= (1 << (PAGEBLOCK_ORDER - 1)) || mobilityDisabled) {
            moveFreepagesBlock(zone, startPfn, blockType, startType);
            map.setPageblockMigratetype(startPfn, startType);
            return rmqueueSmallest(zone, order, startType);
        }
        return -1;
    }

    /** prep_move_freepages_block()'s counts: free pages and movable (LRU) pages in a pageblock. */
    private long[] countFreeAndMovable(int startPfn) {
        long free = 0;
        long movable = 0;
        int end = startPfn + PAGEBLOCK_NR_PAGES;
        for (int pfn = startPfn; pfn < end; ) {
            int f = map.flags(pfn);
            if ((f & PageFlags.PG_BUDDY) != 0) {
                int n = 1 << map.buddyOrder(pfn);
                free += n;
                pfn += n;
                continue;
            }
            if ((f & PageFlags.PG_LRU) != 0) {
                movable++;
            }
            pfn++;
        }
        return new long[] {free, movable};
    }

    /** __move_freepages_block(): move every free block of a pageblock to another type's lists. */
    long moveFreepagesBlock(Zone zone, int startPfn, int oldMt, int newMt) {
        long moved = 0;
        int end = startPfn + PAGEBLOCK_NR_PAGES;
        for (int pfn = startPfn; pfn < end; ) {
            if (!map.isBuddy(pfn)) {
                pfn++;
                continue;
            }
            int order = map.buddyOrder(pfn);
            int n = 1 << order;
            zone.freeArea.del(pfn, order, oldMt);
            zone.freeArea.add(pfn, order, newMt, true);
            accountFreepages(zone, -n, oldMt);
            accountFreepages(zone, n, newMt);
            pfn += n;
            moved += n;
        }
        return moved;
    }

    /** change_pageblock_range(). */
    private void changePageblockRange(int pfn, int order, int mt) {
        int nrBlocks = 1 << Math.max(0, order - PAGEBLOCK_ORDER);
        for (int i = 0; i < nrBlocks; i++) {
            map.setPageblockMigratetype(pfn + i * PAGEBLOCK_NR_PAGES, mt);
        }
    }

    /** boost_watermark(). */
    private boolean boostWatermark(Zone zone) {
        int factor = mm.tunables().watermarkBoostFactor;
        if (factor == 0) {
            return false;
        }
        if ((long) PAGEBLOCK_NR_PAGES * 4 > zone.managedPages) {
            return false;
        }
        long maxBoost = multFrac(zone.watermark[Zone.WMARK_HIGH], factor, 10000);
        if (maxBoost == 0) {
            // The high watermark is not set up yet: reclaim could not pay a boost back.
            return false;
        }
        maxBoost = Math.max(PAGEBLOCK_NR_PAGES, maxBoost);
        zone.watermarkBoost = Math.min(zone.watermarkBoost + PAGEBLOCK_NR_PAGES, maxBoost);
        return true;
    }

    /** page_del_and_expand(). */
    private void pageDelAndExpand(Zone zone, int pfn, int low, int high, int mt) {
        zone.freeArea.del(pfn, high, mt);
        long nrPages = (1L << high) - expand(zone, pfn, low, high, mt);
        accountFreepages(zone, -nrPages, mt);
    }

    /** expand(): return the lowest 2^low pages and free the upper halves at each order, head of the list. */
    private long expand(Zone zone, int pfn, int low, int high, int mt) {
        long added = 0;
        int size = 1 << high;
        while (high > low) {
            high--;
            size >>= 1;
            zone.freeArea.add(pfn + size, high, mt, false);
            added += size;
        }
        return added;
    }

    /** account_freepages(). */
    private void accountFreepages(Zone zone, long nrPages, int mt) {
        if (mt == MT_ISOLATE) {
            return;
        }
        zone.vmStat[ZoneStatItem.NR_FREE_PAGES.ordinal()] += nrPages;
        if (mt == MT_CMA) {
            zone.vmStat[ZoneStatItem.NR_FREE_CMA_PAGES.ordinal()] += nrPages;
        } else if (mt == MT_HIGHATOMIC) {
            zone.nrFreeHighatomic += nrPages;
        }
    }


    /** prep_new_page(): the block now belongs to its owner. */
    private void prepNewPage(int pfn, int order, int gfp, PageOwner owner) {
        int n = 1 << order;
        int ownerBits = owner.ordinal() << PageFlags.OWNER_SHIFT;
        for (int i = 0; i < n; i++) {
            map.setFlags(pfn + i, ownerBits);
            map.setRefcount(pfn + i, 0);
            map.setMapcount(pfn + i, 0);
            map.setMapping(pfn + i, 0);
            map.setIndex(pfn + i, 0);
        }
        map.setRefcount(pfn, 1);
        mm.vmstat().accountOwner(owner, n);
        if (order > 0 && (gfp & Gfp.__GFP_COMP) != 0) {
            map.addFlags(pfn, PageFlags.PG_HEAD);
        }
        map.setPriv(pfn, order);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Compaction's free pages

    /**
     * __isolate_free_page() + split_page() for the compaction free scanner: take the free block at {@code pfn} off
     * the buddy lists, unless that would leave the zone below its min watermark; its 2^order pages become isolated
     * order-0 pages with no owner, to be used by {@link #prepIsolatedPage} or given back with
     * {@link #releaseIsolatedPage} in the same step. Returns the block's order, or -1.
     */
    int isolateFreePage(int pfn) {
        Zone zone = mm.zoneOf(pfn);
        int order = map.buddyOrder(pfn);
        int mt = map.pageblockMigratetype(pfn);
        if (mt != MT_ISOLATE) {
            long watermark = zone.watermark[Zone.WMARK_MIN] + (1L << order);
            if (!zoneWatermarkOk(zone, 0, watermark, 0, ALLOC_CMA, zone.freePages())) {
                return -1;
            }
        }
        zone.freeArea.del(pfn, order, mt);
        accountFreepages(zone, -(1L << order), mt);
        for (int i = 0; i < 1 << order; i++) {
            map.setFlags(pfn + i, 0);
            map.setPriv(pfn + i, 0);
        }
        return order;
    }

    /** An isolated free page becomes a migration target owned by {@code owner} (post_alloc_hook). */
    void prepIsolatedPage(int pfn, PageOwner owner) {
        prepNewPage(pfn, 0, 0, owner);
    }

    /** release_free_list(): an isolated free page compaction did not use goes back to the buddy lists. */
    void releaseIsolatedPage(int pfn) {
        freeOnePage(mm.zoneOf(pfn), pfn, 0, false);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Freeing

    /**
     * __free_pages(): give back a block obtained from {@link #allocPages} with the same order, freed on
     * {@code cpu}. Throws if the block is not an allocated block.
     */
    public void freePages(int pfn, int order, int cpu) {
        mm.assertWriter();
        int f = map.flags(pfn);
        if ((f & (PageFlags.PG_BUDDY | PageFlags.PG_PCP | PageFlags.PG_RESERVED)) != 0
                || (f & PageFlags.OWNER_MASK) == 0) {
            throw new IllegalStateException("freeing pfn " + pfn + " order " + order + " that is not allocated"
                    + " (flags 0x" + Integer.toHexString(f) + ")");
        }
        int n = 1 << order;
        mm.vmstat().accountOwner(PageOwner.of((f & PageFlags.OWNER_MASK) >>> PageFlags.OWNER_SHIFT), -n);
        for (int i = 0; i < n; i++) {
            map.setFlags(pfn + i, 0);
            map.setRefcount(pfn + i, 0);
            map.setMapcount(pfn + i, 0);
            map.setMapping(pfn + i, 0);
        }
        freeFrozenPages(pfn, order, cpu);
    }

    /** free_frozen_pages(): small orders go to the per-cpu list, larger straight to the buddy lists. */
    private void freeFrozenPages(int pfn, int order, int cpu) {
        Zone zone = mm.zoneOf(pfn);
        if (!pcpAllowedOrder(order)) {
            freeOnePage(zone, pfn, order, false);
            return;
        }
        int mt = map.pageblockMigratetype(pfn);
        if (mt > MT_RECLAIMABLE) {
            if (mt == MT_ISOLATE) {
                freeOnePage(zone, pfn, order, false);
                return;
            }
            mt = MT_MOVABLE;
        }
        freeFrozenPageCommit(zone, zone.pcp[cpu], pfn, mt, order);
    }

    /** free_frozen_page_commit(). */
    private void freeFrozenPageCommit(Zone zone, PerCpuPages pcp, int pfn, int mt, int order) {
        pcp.allocFactor >>= 1;
        events[VmEvent.PGFREE.ordinal()] += 1L << order;
        int pindex = PerCpuPages.orderToPindex(mt, order);
        pcpListAdd(pcp, pindex, pfn, order);
        pcp.count += 1 << order;
        int batch = pcp.batch;
        boolean freeHigh = false;
        if (order > 0 && order <= PAGE_ALLOC_COSTLY_ORDER) {
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
                    && zoneWatermarkOk(zone, 0, zone.highWmarkPages(), ZoneType.MOVABLE.ordinal(), 0,
                    zone.freePages())) {
                zone.zoneFlags &= ~Zone.ZONE_BELOW_HIGH;
            }
        }
    }

    /** nr_pcp_high(). */
    private int nrPcpHigh(PerCpuPages pcp, Zone zone, int batch, boolean freeHigh) {
        int highMin = pcp.highMin;
        int highMax = pcp.highMax;
        int high = pcp.high = clamp(pcp.high, highMin, highMax);
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
                pcp.high = clamp(needHigh, highMin, highMax);
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
        return clamp(pcp.freeCount, minNrFree, maxNrFree);
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
                int pfn = pcp.lists.lastEntry(pindex);
                pcpListDel(pcp, pindex, pfn);
                count -= nrPages;
                pcp.count -= nrPages;
                freeOnePageNoCount(zone, pfn, order, map.pageblockMigratetype(pfn), false);
            } while (count > 0 && !pcp.listEmpty(pindex));
        }
    }

    /** drain_pages_zone() for every CPU: empty all per-cpu lists of a zone (or of all zones when null). */
    public void drainAllPages(Zone only) {
        mm.assertWriter();
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

    /** free_one_page(): straight to the buddy lists, counting pgfree. */
    private void freeOnePage(Zone zone, int pfn, int order, boolean toTail) {
        events[VmEvent.PGFREE.ordinal()] += 1L << order;
        freeOnePageNoCount(zone, pfn, order, map.pageblockMigratetype(pfn), toTail);
    }

    /**
     * __free_pages_core() at boot (memblock_free_all): the pages join the zone's managed pages and go to the tail
     * of the free lists.
     */
    void freeBootPages(int pfn, int order) {
        Zone zone = mm.zoneOf(pfn);
        int n = 1 << order;
        for (int i = 0; i < n; i++) {
            map.setFlags(pfn + i, 0);
            map.setRefcount(pfn + i, 0);
        }
        zone.managedPages += n;
        freeOnePage(zone, pfn, order, true);
    }

    /** __free_one_page(): merge with free buddies as far as possible and put the block on its list. */
    private void freeOnePageNoCount(Zone zone, int pfn, int order, int migratetype, boolean fpiToTail) {
        accountFreepages(zone, 1L << order, migratetype);
        int zoneId = zone.id();
        int buddyPfn = pfn ^ (1 << order);
        while (order < MAX_PAGE_ORDER) {
            buddyPfn = pfn ^ (1 << order);
            if (!pageIsBuddy(buddyPfn, order, zoneId)) {
                break;
            }
            int buddyMt = migratetype;
            if (order >= PAGEBLOCK_ORDER) {
                buddyMt = map.pageblockMigratetype(buddyPfn);
                if (migratetype != buddyMt
                        && (!MigrateType.isMergeable(migratetype) || !MigrateType.isMergeable(buddyMt))) {
                    break;
                }
            }
            zone.freeArea.del(buddyPfn, order, buddyMt);
            if (buddyMt != migratetype) {
                map.setPageblockMigratetype(buddyPfn, migratetype);
            }
            pfn = pfn & buddyPfn;
            order++;
        }
        boolean toTail = fpiToTail || buddyMergeLikely(pfn, buddyPfn, order, zoneId);
        zone.freeArea.add(pfn, order, migratetype, toTail);
    }

    /** page_is_buddy(): a free block of exactly this order in the same zone. */
    private boolean pageIsBuddy(int buddyPfn, int order, int zoneId) {
        if (buddyPfn < 0 || buddyPfn >= map.nrPfns()) {
            return false;
        }
        return map.isBuddy(buddyPfn) && map.buddyOrder(buddyPfn) == order && map.zoneId(buddyPfn) == zoneId;
    }

    /** buddy_merge_likely(): is the buddy of the next order up free, so that this block may soon merge? */
    private boolean buddyMergeLikely(int pfn, int buddyPfn, int order, int zoneId) {
        if (order >= MAX_PAGE_ORDER - 1) {
            return false;
        }
        int higherPagePfn = buddyPfn & pfn;
        int higherBuddy = higherPagePfn ^ (1 << (order + 1));
        return pageIsBuddy(higherBuddy, order + 1, zoneId);
    }

    // ---------------------------------------------------------------------------------------------------------
    // per-cpu lists (struct page::pcp_list; the order kept in page->private)

    private void pcpListAdd(PerCpuPages pcp, int pindex, int pfn, int order) {
        map.addFlags(pfn, PageFlags.PG_PCP);
        map.setPriv(pfn, order);
        pcp.lists.listAdd(pindex, pfn);
    }

    private void pcpListAddTail(PerCpuPages pcp, int pindex, int pfn, int order) {
        map.addFlags(pfn, PageFlags.PG_PCP);
        map.setPriv(pfn, order);
        pcp.lists.listAddTail(pindex, pfn);
    }

    private void pcpListDel(PerCpuPages pcp, int pindex, int pfn) {
        pcp.lists.listDel(pindex, pfn);
        map.clearFlags(pfn, PageFlags.PG_PCP);
    }

    static int clamp(int v, int lo, int hi) {
        return Math.max(lo, Math.min(v, hi));
    }

    /** mult_frac(x, n, d) without intermediate overflow. */
    static long multFrac(long x, long n, long d) {
        return (x / d) * n + ((x % d) * n) / d;
    }

    /** struct alloc_context: the zonelist walk of one allocation. */
    private static final class AllocContext {
        final Zone[] zonelist;
        final Zone preferredZone;
        final int highestZoneidx;
        final int migratetype;
        final int cpu;

        AllocContext(MemoryManager mm, int gfp, int order, int nid, int cpu, boolean mobilityDisabled) {
            this.highestZoneidx = Gfp.gfpZone(gfp).ordinal();
            this.migratetype = mobilityDisabled ? MT_UNMOVABLE : Gfp.gfpMigratetype(gfp).ordinal();
            this.cpu = cpu;
            this.zonelist = mm.zonelist(nid, highestZoneidx);
            this.preferredZone = zonelist.length > 0 ? zonelist[0] : null;
        }
    }
}
