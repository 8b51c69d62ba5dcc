package io.simproc.mm;

/**
 * The zoned buddy allocator of mm/page_alloc.c (Linux 6.18 behaviour), entry points and zonelist walk: allocation
 * through the zonelist with watermark checks and lowmem_reserve ({@code get_page_from_freelist}), then the slow
 * path ({@link AllocSlowpath}); per-cpu page lists for small orders ({@link PcpLists}); the free lists themselves,
 * {@code __rmqueue} with the 6.15+ claim/steal fallback between migrate types, {@code expand} on split and
 * {@code __free_one_page} merging on free ({@link Buddy}, {@link MigratetypeFallback}).
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

    static final int MT_MOVABLE = MigrateType.MOVABLE.ordinal();
    static final int MT_RECLAIMABLE = MigrateType.RECLAIMABLE.ordinal();
    static final int MT_UNMOVABLE = MigrateType.UNMOVABLE.ordinal();
    static final int MT_HIGHATOMIC = MigrateType.HIGHATOMIC.ordinal();
    static final int MT_CMA = MigrateType.CMA.ordinal();
    static final int MT_ISOLATE = MigrateType.ISOLATE.ordinal();

    private final MemoryManager mm;
    private final MemMap map;
    private final VmStat vmstat;
    private final long[] events;
    /** page_group_by_mobility_disabled: tiny machines treat everything as one type. */
    private final boolean mobilityDisabled;
    /** The free lists: __rmqueue() and __free_one_page(), with the migrate-type fallbacks. */
    final Buddy buddy;
    /** The per-cpu page lists. */
    final PcpLists pcp;
    private final AllocSlowpath slowpath;
    /**
     * Every node's node_zonelists[ZONELIST_FALLBACK] (the same arrays as {@link PgData#zonelist}), indexed by node
     * then highest zone index: the fast path reaches its zonelist in one load less than through the node.
     */
    private final Zone[][][] fallbackZonelists;

    /** {@code totalRamPages}: the pages memblock_free_all() is about to free (for mobility grouping). */
    PageAlloc(MemoryManager mm, long totalRamPages) {
        this.mm = mm;
        this.map = mm.memMap();
        this.vmstat = mm.vmstat();
        this.events = vmstat.events;
        this.mobilityDisabled = totalRamPages < (long) PAGEBLOCK_NR_PAGES * mm.config().migrateTypes().size();
        this.buddy = new Buddy(mm, mobilityDisabled);
        this.pcp = new PcpLists(this, mm);
        this.slowpath = new AllocSlowpath(this, mm);
        this.fallbackZonelists = mm.nodes().stream().map(n -> n.zonelistFallback).toArray(Zone[][][]::new);
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
        return allocPages(gfp, order, nid, 0, cpu, owner);
    }

    /**
     * __alloc_pages() with a nodemask: as {@link #allocPages(int, int, int, int, PageOwner)}, but only from the
     * zones of the nodes in {@code nodemask} (bit n: node n; 0 is no mask), the preferred zone being the first of
     * node {@code nid}'s zonelist among them (MPOL_BIND).
     */
    public int allocPages(int gfp, int order, int nid, long nodemask, int cpu, PageOwner owner) {
        mm.assertWriter();
        if (order < 0 || order > MAX_PAGE_ORDER) {
            throw new IllegalArgumentException("order " + order);
        }
        if (owner == PageOwner.NONE) {
            throw new IllegalArgumentException("an allocated page needs an owner");
        }
        AllocContext ac = new AllocContext(mm, fallbackZonelists, gfp, nid, nodemask, cpu, mobilityDisabled);
        if (ac.preferredZone == null) {
            return -1;
        }
        int allocFlags = ALLOC_WMARK_LOW | allocFlagsCma(gfp) | allocFlagsNofragment(ac.preferredZone, gfp);
        int pfn = getPageFromFreelist(gfp, order, allocFlags, ac);
        if (pfn < 0) {
            pfn = slowpath.allocPagesSlowpath(gfp, order, ac);
        }
        if (pfn >= 0) {
            prepNewPage(pfn, order, gfp, owner);
        }
        return pfn;
    }

    /**
     * An allocation by a task running with PF_MEMALLOC set (reclaim itself: direct reclaim, kswapd, a driver's
     * writeout such as zram's): past the low watermark __alloc_pages_slowpath() takes ALLOC_NO_WATERMARKS
     * (__gfp_pfmemalloc_flags(): PF_MEMALLOC and no __GFP_NOMEMALLOC), so the request may empty the reserves
     * below the min watermark, and then gives up without reclaiming or compacting ("Avoid recursion of direct
     * reclaim": {@code if (current->flags & PF_MEMALLOC) goto nopage}). With __GFP_NOWARN a failure is silent.
     * Returns the pfn or -1.
     */
    int allocPagesPfmemalloc(int gfp, int order, int nid, int cpu, PageOwner owner) {
        mm.assertWriter();
        AllocContext ac = new AllocContext(mm, fallbackZonelists, gfp, nid, 0, cpu, mobilityDisabled);
        if (ac.preferredZone == null) {
            return -1;
        }
        int cma = allocFlagsCma(gfp);
        int pfn = getPageFromFreelist(gfp, order, ALLOC_WMARK_LOW | cma, ac);
        if (pfn < 0 && (gfp & Gfp.__GFP_NOMEMALLOC) == 0) {
            pfn = getPageFromFreelist(gfp, order, ALLOC_NO_WATERMARKS | cma, ac);
        }
        if (pfn >= 0) {
            prepNewPage(pfn, order, gfp, owner);
        }
        return pfn;
    }

    int allocFlagsCma(int gfp) {
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

    /** get_page_from_freelist(). */
    int getPageFromFreelist(int gfp, int order, int allocFlags, AllocContext ac) {
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
                            && (allocFlags & ALLOC_NO_WATERMARKS) == 0
                            && !nodeReclaimed(zone, gfp, order, mark, allocFlags, ac)) {
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

    /**
     * get_page_from_freelist()'s node reclaim for a zone below its watermark: with zone_reclaim_mode on, reclaim
     * on the zone's node and take the zone if that lifted it over the mark. zone_allows_reclaim() holds for every
     * zone: the simulated machines have no SLIT, every other node is at REMOTE_DISTANCE (20), within
     * node_reclaim_distance (RECLAIM_DISTANCE, 30).
     */
    private boolean nodeReclaimed(Zone zone, int gfp, int order, long mark, int allocFlags, AllocContext ac) {
        NodeReclaim nr = mm.nodeReclaim();
        if (!nr.enabled()) {
            return false;
        }
        int ret = nr.nodeReclaim(zone.node(), gfp, order, ac.cpu);
        if (ret == NodeReclaim.NODE_RECLAIM_NOSCAN || ret == NodeReclaim.NODE_RECLAIM_FULL) {
            return false;
        }
        return zoneWatermarkOk(zone, order, mark, ac.highestZoneidx, allocFlags, zone.freePages());
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
            pfn = pcp.rmqueuePcplist(preferred, zone, order, migratetype, allocFlags, cpu);
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

    void countAlloc(Zone preferred, Zone zone, int order, int cpu) {
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
            pfn = buddy.rmqueueSmallest(zone, order, MT_HIGHATOMIC);
        }
        if (pfn < 0) {
            pfn = buddy.doRmqueue(zone, order, migratetype, allocFlags, new int[] {Buddy.RMQUEUE_NORMAL});
            if (pfn < 0 && (allocFlags & (ALLOC_OOM | ALLOC_NON_BLOCK)) != 0) {
                pfn = buddy.rmqueueSmallest(zone, order, MT_HIGHATOMIC);
            }
        }
        if (pfn >= 0) {
            countAlloc(preferred, zone, order, cpu);
        }
        return pfn;
    }

    /** prep_new_page(): the block now belongs to its owner. */
    private void prepNewPage(int pfn, int order, int gfp, PageOwner owner) {
        int n = 1 << order;
        int ownerBits = owner.ordinal() << PageFlags.OWNER_SHIFT;
        map.initAllocated(pfn, n, ownerBits);
        map.setRefcount(pfn, 1);
        vmstat.accountOwner(owner, n);
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
        buddy.accountFreepages(zone, -(1L << order), mt);
        for (int i = 0; i < 1 << order; i++) {
            map.setFlags(pfn + i, 0);
            map.setPriv(pfn + i, 0);
        }
        return order;
    }

    /**
     * alloc_migration_target() for page migration that must stay in {@code zone}: an order-0 page from the zone's
     * free lists as an allocation of {@code migratetype} with {@code allocFlags} takes it ({@code __rmqueue},
     * counting pgalloc), unless that would leave the zone below its min watermark. The page is left as
     * {@link #isolateFreePage} leaves one: for {@link #prepIsolatedPage} or {@link #releaseIsolatedPage}. Returns
     * its pfn, or -1.
     */
    int allocMigrationTarget(Zone zone, int migratetype, int allocFlags) {
        if (!zoneWatermarkOk(zone, 0, zone.watermark[Zone.WMARK_MIN], 0, allocFlags, zone.freePages())) {
            return -1;
        }
        int pfn = buddy.doRmqueue(zone, 0, migratetype, allocFlags, new int[] {Buddy.RMQUEUE_NORMAL});
        if (pfn >= 0) {
            countAlloc(zone, zone, 0, 0);
        }
        return pfn;
    }

    /** An isolated free page becomes a migration target owned by {@code owner} (post_alloc_hook). */
    void prepIsolatedPage(int pfn, PageOwner owner) {
        prepNewPage(pfn, 0, 0, owner);
    }

    /** release_free_list(): an isolated free page compaction did not use goes back to the buddy lists. */
    void releaseIsolatedPage(int pfn) {
        buddy.freeOnePage(mm.zoneOf(pfn), pfn, 0, false);
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
        vmstat.accountOwner(PageOwner.of((f & PageFlags.OWNER_MASK) >>> PageFlags.OWNER_SHIFT), -n);
        map.resetFreed(pfn, n);
        freeFrozenPages(pfn, order, cpu);
    }

    /** free_frozen_pages(): small orders go to the per-cpu list, larger straight to the buddy lists. */
    private void freeFrozenPages(int pfn, int order, int cpu) {
        Zone zone = mm.zoneOf(pfn);
        if (!pcpAllowedOrder(order)) {
            buddy.freeOnePage(zone, pfn, order, false);
            return;
        }
        int mt = map.pageblockMigratetype(pfn);
        if (mt > MT_RECLAIMABLE) {
            if (mt == MT_ISOLATE) {
                buddy.freeOnePage(zone, pfn, order, false);
                return;
            }
            mt = MT_MOVABLE;
        }
        pcp.freeFrozenPageCommit(zone, zone.pcp[cpu], pfn, mt, order);
    }

    /** drain_pages_zone() for every CPU: empty all per-cpu lists of a zone (or of all zones when null). */
    public void drainAllPages(Zone only) {
        mm.assertWriter();
        pcp.drainAllPages(only);
    }

    /** decay_pcp_high() of every per-cpu pageset, run by the vmstat worker. */
    void decayPcpHigh() {
        pcp.decayPcpHigh();
    }

    /** __free_pages_core() at boot (memblock_free_all, CMA activation). */
    void freeBootPages(int pfn, int order) {
        buddy.freeBootPages(pfn, order);
    }

    static int clamp(int v, int lo, int hi) {
        return Math.max(lo, Math.min(v, hi));
    }

    /** mult_frac(x, n, d) without intermediate overflow. */
    static long multFrac(long x, long n, long d) {
        return (x / d) * n + ((x % d) * n) / d;
    }

    /** struct alloc_context: the zonelist walk of one allocation. */
    static final class AllocContext {
        final Zone[] zonelist;
        final Zone preferredZone;
        final int highestZoneidx;
        final int migratetype;
        final int cpu;

        AllocContext(MemoryManager mm, Zone[][][] fallbackZonelists, int gfp, int nid, long nodemask, int cpu,
                     boolean mobilityDisabled) {
            this.highestZoneidx = Gfp.gfpZone(gfp).ordinal();
            this.migratetype = mobilityDisabled ? MT_UNMOVABLE : Gfp.gfpMigratetype(gfp).ordinal();
            this.cpu = cpu;
            this.zonelist = (gfp & Gfp.__GFP_THISNODE) == 0 && nodemask == 0 ? fallbackZonelists[nid][highestZoneidx]
                    : restrictedZonelist(mm, gfp, nid, nodemask, highestZoneidx);
            this.preferredZone = zonelist.length > 0 ? zonelist[0] : null;
        }

        /**
         * The zonelist of an allocation limited to its own node (__GFP_THISNODE: ZONELIST_NOFALLBACK) or to a
         * nodemask (MPOL_BIND); rare, so out of the common allocation's way.
         */
        private static Zone[] restrictedZonelist(MemoryManager mm, int gfp, int nid, long nodemask,
                                                 int highestZoneidx) {
            Zone[] all = (gfp & Gfp.__GFP_THISNODE) != 0 ? mm.node(nid).zonelistNoFallback(highestZoneidx)
                    : mm.node(nid).zonelist(highestZoneidx);
            return nodemask == 0 ? all : zonesInNodemask(all, nodemask);
        }

        /** for_next_zone_zonelist_nodemask(): the zonelist's zones on nodes of the mask, in zonelist order. */
        private static Zone[] zonesInNodemask(Zone[] all, long nodemask) {
            int n = 0;
            Zone[] out = new Zone[all.length];
            for (Zone z : all) {
                if ((nodemask & (1L << z.node().nodeId())) != 0) {
                    out[n++] = z;
                }
            }
            return java.util.Arrays.copyOf(out, n);
        }
    }
}
