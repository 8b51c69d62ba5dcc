package io.simproc.mm;

/**
 * The reserves of mm/page_alloc.c and mm/khugepaged.c: the default min_free_kbytes
 * ({@code calculate_min_free_kbytes} and the THP recommendation), per-zone watermarks
 * ({@code __setup_per_zone_wmarks}), lowmem_reserve ({@code setup_per_zone_lowmem_reserve}),
 * {@code totalreserve_pages}, per-cpu pageset high/batch ({@code zone_set_pageset_high_and_batch}) and the
 * vmstat thresholds. Every tunable write goes through here so that what depends on it is recomputed.
 */
public final class Watermarks {
    /** MIN_PERCPU_PAGELIST_HIGH_FRACTION. */
    static final int MIN_PERCPU_PAGELIST_HIGH_FRACTION = 8;
    /** SWAP_CLUSTER_MAX, the floor of the Movable zone's min watermark. */
    static final int SWAP_CLUSTER_MAX = 32;

    private final MemoryManager mm;
    private long totalreservePages;

    Watermarks(MemoryManager mm) {
        this.mm = mm;
    }

    public long totalreservePages() {
        return totalreservePages;
    }

    /** init_per_zone_wmark_min() at boot, then the khugepaged adjustment when THP is enabled. */
    void initPerZoneWmarkMin() {
        calculateMinFreeKbytes();
        setupPerZoneWmarks();
        refreshZoneStatThresholds();
        setupPerZoneLowmemReserve();
        if (mm.hugeMemory().flags().hugepagePmdEnabled()) {
            setRecommendedMinFreeKbytes();
        }
    }

    /**
     * nr_free_zone_pages(): Σ over the zones up to {@code highestZoneidx} of every node of (managed − high
     * watermark), what the buffer heuristics call free.
     */
    public long nrFreeZonePages(int highestZoneidx) {
        long sum = 0;
        for (Zone z : mm.zones()) {
            if (z.type().ordinal() > highestZoneidx || !z.isManaged()) {
                continue;
            }
            long size = z.managedPages;
            long high = z.highWmarkPages();
            if (size > high) {
                sum += size - high;
            }
        }
        return sum;
    }

    /** nr_free_buffer_pages(): nr_free_zone_pages(gfp_zone(GFP_USER)). */
    public long nrFreeBufferPages() {
        return nrFreeZonePages(ZoneType.NORMAL.ordinal());
    }

    /** calculate_min_free_kbytes(): int_sqrt(lowmem_kbytes × 16), clamped to 128..262144. */
    void calculateMinFreeKbytes() {
        long lowmemKbytes = nrFreeBufferPages() * (io.simproc.uapi.Page.PAGE_SIZE >> 10);
        long newMin = intSqrt(lowmemKbytes * 16);
        VmTunables t = mm.tunables();
        if (newMin > t.userMinFreeKbytes) {
            t.minFreeKbytes = (int) Math.max(128, Math.min(newMin, 262144));
        } else {
            mm.services().printk(KernelServices.KERN_WARNING, "min_free_kbytes is not updated to " + newMin
                    + " because user defined value " + t.userMinFreeKbytes + " is preferred");
        }
    }

    /**
     * set_recommended_min_free_kbytes() (mm/khugepaged.c): keep enough free pageblocks for THP allocations
     * and fallbacks — two pageblocks plus MIGRATE_PCPTYPES² per zone — capped at 5% of lowmem; with THP disabled,
     * the default of {@link #calculateMinFreeKbytes} again. Either way the watermarks follow.
     */
    void setRecommendedMinFreeKbytes() {
        if (!mm.hugeMemory().flags().hugepagePmdEnabled()) {
            calculateMinFreeKbytes();
            setupPerZoneWmarks();
            return;
        }
        long nrZones = 0;
        for (Zone z : mm.zones()) {
            if (z.isPopulated() && z.type().ordinal() <= ZoneType.NORMAL.ordinal()) {
                nrZones++;
            }
        }
        long recommended = (long) PageAlloc.PAGEBLOCK_NR_PAGES * nrZones * 2;
        recommended += (long) PageAlloc.PAGEBLOCK_NR_PAGES * nrZones * MigrateType.MIGRATE_PCPTYPES
                * MigrateType.MIGRATE_PCPTYPES;
        recommended = Math.min(recommended, nrFreeBufferPages() / 20);
        recommended <<= io.simproc.uapi.Page.PAGE_SHIFT - 10;
        VmTunables t = mm.tunables();
        if (recommended > t.minFreeKbytes) {
            if (t.userMinFreeKbytes >= 0) {
                mm.services().printk(KernelServices.KERN_INFO, "raising min_free_kbytes from " + t.minFreeKbytes
                        + " to " + recommended + " to help transparent hugepage allocations");
            }
            t.minFreeKbytes = (int) recommended;
        }
        setupPerZoneWmarks();
    }

    /** setup_per_zone_wmarks(): watermarks, totalreserve_pages, then the per-cpu limits that follow them. */
    void setupPerZoneWmarks() {
        long pagesMin = mm.tunables().minFreeKbytes >> (io.simproc.uapi.Page.PAGE_SHIFT - 10);
        long lowmemPages = 0;
        for (Zone z : mm.zones()) {
            if (!z.type().isMovable()) {
                lowmemPages += z.managedPages;
            }
        }
        int scale = mm.tunables().watermarkScaleFactor;
        for (Zone z : mm.zones()) {
            long tmp = lowmemPages == 0 ? 0 : pagesMin * z.managedPages / lowmemPages;
            if (z.type().isMovable()) {
                long minPages = z.managedPages / 1024;
                z.watermark[Zone.WMARK_MIN] = Math.max(SWAP_CLUSTER_MAX, Math.min(minPages, 128));
            } else {
                z.watermark[Zone.WMARK_MIN] = tmp;
            }
            tmp = Math.max(tmp >> 2, PageAlloc.multFrac(z.managedPages, scale, 10000));
            z.watermarkBoost = 0;
            z.watermark[Zone.WMARK_LOW] = z.watermark[Zone.WMARK_MIN] + tmp;
            z.watermark[Zone.WMARK_HIGH] = z.watermark[Zone.WMARK_LOW] + tmp;
            z.watermark[Zone.WMARK_PROMO] = z.watermark[Zone.WMARK_HIGH] + tmp;
        }
        calculateTotalreservePages();
        for (Zone z : mm.zones()) {
            zoneSetPagesetHighAndBatch(z);
        }
    }

    /** setup_per_zone_lowmem_reserve(): what a lower zone keeps back from allocations that could use higher ones. */
    void setupPerZoneLowmemReserve() {
        for (PgData pgdat : mm.nodes()) {
            for (int i = 0; i < ZoneType.MAX_NR_ZONES - 1; i++) {
                Zone zone = pgdat.zones[i];
                int ratio = mm.tunables().lowmemReserveRatio[i];
                boolean clear = ratio == 0 || !zone.isManaged();
                long managed = 0;
                for (int j = i + 1; j < ZoneType.MAX_NR_ZONES; j++) {
                    managed += pgdat.zones[j].managedPages;
                    zone.lowmemReserve[j] = clear ? 0 : managed / ratio;
                }
            }
        }
        calculateTotalreservePages();
    }

    /** calculate_totalreserve_pages(): Σ min(managed, high watermark + largest lowmem_reserve). */
    void calculateTotalreservePages() {
        long reserve = 0;
        for (PgData pgdat : mm.nodes()) {
            for (int i = 0; i < ZoneType.MAX_NR_ZONES; i++) {
                Zone zone = pgdat.zones[i];
                long max = 0;
                for (int j = i; j < ZoneType.MAX_NR_ZONES; j++) {
                    max = Math.max(max, zone.lowmemReserve[j]);
                }
                max += zone.highWmarkPages();
                reserve += Math.min(max, zone.managedPages);
            }
        }
        totalreservePages = reserve;
    }

    /** zone_batchsize(). */
    static int zoneBatchsize(long managedPages) {
        long batch = Math.min(managedPages >> 10, (1 << 20) / io.simproc.uapi.Page.PAGE_SIZE);
        batch /= 4;
        if (batch < 1) {
            batch = 1;
        }
        batch = Long.highestOneBit(batch + batch / 2) - 1;
        return (int) Math.max(1, batch);
    }

    /** zone_highsize(). */
    private int zoneHighsize(Zone zone, int batch, int highFraction) {
        long totalPages = highFraction == 0 ? zone.lowWmarkPages() : zone.managedPages / highFraction;
        int nrSplitCpus = nrCpusOfNode(zone.node().nodeId());
        if (nrSplitCpus == 0) {
            nrSplitCpus = mm.nrCpus();
        }
        long high = totalPages / nrSplitCpus;
        return (int) Math.max(high, (long) batch << 2);
    }

    /** zone_set_pageset_high_and_batch(). */
    void zoneSetPagesetHighAndBatch(Zone zone) {
        int batch = zoneBatchsize(zone.managedPages);
        int fraction = mm.tunables().percpuPagelistHighFraction;
        int highMin;
        int highMax;
        if (fraction != 0) {
            highMin = zoneHighsize(zone, batch, fraction);
            highMax = highMin;
        } else {
            highMin = zoneHighsize(zone, batch, 0);
            highMax = zoneHighsize(zone, batch, MIN_PERCPU_PAGELIST_HIGH_FRACTION);
        }
        for (PerCpuPages pcp : zone.pcp) {
            pcp.highMin = highMin;
            pcp.highMax = highMax;
            pcp.batch = batch;
        }
    }

    /** calculate_normal_threshold() for every populated zone. */
    void refreshZoneStatThresholds() {
        int cpus = mm.nrCpus();
        for (Zone z : mm.zones()) {
            if (!z.isPopulated()) {
                continue;
            }
            long mem = z.managedPages >> (27 - io.simproc.uapi.Page.PAGE_SHIFT);
            int threshold = 2 * fls(cpus) * (1 + fls(mem));
            z.statThreshold = Math.min(125, threshold);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Tunable writes (the sysctl handlers' side effects)

    /** min_free_kbytes_sysctl_handler(): the value becomes user-chosen and the watermarks follow. */
    public void setMinFreeKbytes(int kbytes) {
        mm.assertWriter();
        mm.tunables().minFreeKbytes = kbytes;
        mm.tunables().userMinFreeKbytes = kbytes;
        setupPerZoneWmarks();
    }

    /** watermark_scale_factor_sysctl_handler(). */
    public void setWatermarkScaleFactor(int factor) {
        mm.assertWriter();
        mm.tunables().watermarkScaleFactor = factor;
        setupPerZoneWmarks();
    }

    /** lowmem_reserve_ratio_sysctl_handler(): entries below 1 mean no reserve. */
    public void setLowmemReserveRatio(int[] ratios) {
        mm.assertWriter();
        int[] target = mm.tunables().lowmemReserveRatio;
        for (int i = 0; i < ratios.length && i < target.length; i++) {
            target[i] = Math.max(0, ratios[i]);
        }
        setupPerZoneLowmemReserve();
    }

    /** fls(): index of the highest set bit, 1-based; fls(0) = 0. */
    static int fls(long x) {
        return 64 - Long.numberOfLeadingZeros(x);
    }

    /** int_sqrt(): floor of the square root. */
    static long intSqrt(long x) {
        long r = (long) Math.sqrt((double) x);
        while (r * r > x) {
            r--;
        }
        while ((r + 1) * (r + 1) <= x) {
            r++;
        }
        return r;
    }

    private int nrCpusOfNode(int nid) {
        int n = 0;
        for (int cpu = 0; cpu < mm.nrCpus(); cpu++) {
            if (mm.cpuToNode(cpu) == nid) {
                n++;
            }
        }
        return n;
    }
}
