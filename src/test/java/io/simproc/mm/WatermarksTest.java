package io.simproc.mm;

import io.simproc.kernel.Kernel;
import io.simproc.kernel.MachineProfileLoader;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The reserves of mm/page_alloc.c and mm/khugepaged.c: calculate_min_free_kbytes() and
 * set_recommended_min_free_kbytes(), __setup_per_zone_wmarks(), setup_per_zone_lowmem_reserve(),
 * calculate_totalreserve_pages(), zone_batchsize()/zone_highsize() and the vmstat thresholds, checked against the
 * live 6.18 samples (src/test/resources/reference-6.18/zoneinfo*.txt) and, for other inputs, against the
 * formulas written out again below ({@link Reference}) from the zones' managed counts, never from the code under
 * test.
 */
class WatermarksTest {
    private static final long DMA32_START = 4096;

    /**
     * A machine whose zones have exactly the sample's managed pages (DMA 3840, DMA32 772915, Normal as given):
     * RAM as the sample's e820 (pfn 1..0x9e, 1 MiB..3 GiB, 4 GiB up), the first MiB reserved, and 9421 DMA32
     * pages reserved like a kernel image, so DMA32 has the sample's 782336 present and 772915 managed. Two CPUs.
     */
    private static MemoryManager sampleMachine(long normalManaged) {
        TestMachine m = new TestMachine()
                .ram(1, TestMachine.LOW_RAM_END_PFN, 0)
                .ram(TestMachine.ONE_MIB_PFN, 786432, 0)
                .ram(ZoneLayout.MAX_DMA32_PFN, ZoneLayout.MAX_DMA32_PFN + normalManaged, 0)
                .reserve(0, TestMachine.ONE_MIB_PFN)
                .reserve(DMA32_START, DMA32_START + 9421)
                .cpus(0, 0);
        MemoryManager mm = m.boot(new FakeKernelServices());
        assertEquals(List.of(3840L, 772915L, normalManaged, 0L, 0L),
                mm.node(0).zones().stream().map(Zone::managedPages).toList(), "managed pages as in the sample");
        assertEquals(782336, mm.node(0).zone(ZoneType.DMA32).presentPages());
        return mm;
    }

    private static long[] wmarks(Zone z) {
        return new long[] {z.wmarkPages(Zone.WMARK_MIN), z.wmarkPages(Zone.WMARK_LOW), z.wmarkPages(Zone.WMARK_HIGH),
            z.wmarkPages(Zone.WMARK_PROMO)};
    }

    private static long[] protection(Zone z) {
        long[] out = new long[ZoneType.MAX_NR_ZONES];
        for (int j = 0; j < out.length; j++) {
            out[j] = z.lowmemReserve(j);
        }
        return out;
    }

    /** samples/zoneinfo.txt: min_free_kbytes 67584 with managed 3840 / 772915 / 1015808 and two CPUs. */
    @Test
    void liveSampleZoneinfo() {
        MemoryManager mm = sampleMachine(1015808);
        PgData node = mm.node(0);
        assertEquals(67584, mm.tunables().minFreeKbytes(), "THP recommendation for 3 zones");
        assertArrayEquals(new long[] {36, 45, 54, 63}, wmarks(node.zone(ZoneType.DMA)));
        assertArrayEquals(new long[] {7285, 9106, 10927, 12748}, wmarks(node.zone(ZoneType.DMA32)));
        assertArrayEquals(new long[] {9574, 11967, 14360, 16753}, wmarks(node.zone(ZoneType.NORMAL)));
        assertArrayEquals(new long[] {32, 32, 32, 32}, wmarks(node.zone(ZoneType.MOVABLE)));
        assertArrayEquals(new long[] {0, 0, 0, 0}, wmarks(node.zone(ZoneType.DEVICE)));
        assertArrayEquals(new long[] {0, 3019, 6987, 6987, 6987}, protection(node.zone(ZoneType.DMA)));
        assertArrayEquals(new long[] {0, 0, 3968, 3968, 3968}, protection(node.zone(ZoneType.DMA32)));
        assertArrayEquals(new long[] {0, 0, 0, 0, 0}, protection(node.zone(ZoneType.NORMAL)));
        assertEquals(33095, mm.watermarks().totalreservePages());
        // pagesets: batch, high_min, high_max on both CPUs; vm stats threshold.
        int[][] pagesets = {{1, 22, 240}, {63, 4553, 48307}, {63, 5983, 63488}};
        int[] thresholds = {4, 24, 24};
        for (int zi = 0; zi < 3; zi++) {
            Zone z = node.zone(zi);
            for (int cpu = 0; cpu < 2; cpu++) {
                assertArrayEquals(pagesets[zi], new int[] {z.pcp(cpu).batch(), z.pcp(cpu).highMin(),
                    z.pcp(cpu).highMax()}, z + " cpu " + cpu);
            }
            assertEquals(thresholds[zi], z.statThreshold(), z + " vm stats threshold");
        }
        // The reference formulas reproduce the sample too, so they can be trusted for other inputs.
        new Reference(mm, 67584, 10, VmTunables.DEFAULT_LOWMEM_RESERVE_RATIO).assertMatches(mm);
    }

    /**
     * samples/zoneinfo_later_after_lazy_init_grew.txt: the same machine once Normal had 5394266 managed pages;
     * on big zones the watermark_scale_factor term (0.1% of the zone) sets the gaps.
     */
    @Test
    void laterLiveSampleWhereTheScaleFactorDominates() {
        MemoryManager mm = sampleMachine(5394266);
        PgData node = mm.node(0);
        assertEquals(67584, mm.tunables().minFreeKbytes());
        assertArrayEquals(new long[] {10, 13, 16, 19}, wmarks(node.zone(ZoneType.DMA)));
        assertArrayEquals(new long[] {2116, 2888, 3660, 4432}, wmarks(node.zone(ZoneType.DMA32)));
        assertArrayEquals(new long[] {14769, 20163, 25557, 30951}, wmarks(node.zone(ZoneType.NORMAL)));
        assertArrayEquals(new long[] {0, 3019, 24090, 24090, 24090}, protection(node.zone(ZoneType.DMA)));
        assertArrayEquals(new long[] {0, 0, 21071, 21071, 21071}, protection(node.zone(ZoneType.DMA32)));
        int[][] pagesets = {{1, 6, 240}, {63, 1444, 48307}, {63, 10081, 337141}};
        for (int zi = 0; zi < 3; zi++) {
            Zone z = node.zone(zi);
            assertArrayEquals(pagesets[zi], new int[] {z.pcp(1).batch(), z.pcp(1).highMin(), z.pcp(1).highMax()},
                    z.toString());
        }
        // DMA min(3840, 16 + 24090) + DMA32 3660 + 21071 + Normal 25557 + 0.
        assertEquals(3840 + 3660 + 21071 + 25557, mm.watermarks().totalreservePages());
    }

    /**
     * vm.min_free_kbytes, vm.watermark_scale_factor and vm.lowmem_reserve_ratio writes recompute the watermarks,
     * totalreserve_pages, the pcp high limits and the protection arrays exactly per formula; the boost is reset.
     */
    @Test
    void tunableWritesRecomputeEverythingThatDependsOnThem() {
        MemoryManager mm = sampleMachine(1015808);
        int[] ratios = VmTunables.DEFAULT_LOWMEM_RESERVE_RATIO.clone();

        mm.watermarks().setMinFreeKbytes(16384);
        assertEquals(16384, mm.tunables().minFreeKbytes());
        new Reference(mm, 16384, 10, ratios).assertMatches(mm);
        // Normal: 4096 × 1015808 / 1792563 = 2321, delta max(580, 1015) = 1015.
        assertArrayEquals(new long[] {2321, 3336, 4351, 5366}, wmarks(mm.node(0).zone(ZoneType.NORMAL)));

        mm.watermarks().setMinFreeKbytes(1 << 20);
        new Reference(mm, 1 << 20, 10, ratios).assertMatches(mm);

        mm.watermarks().setWatermarkScaleFactor(300);
        assertEquals(300, mm.tunables().watermarkScaleFactor());
        new Reference(mm, 1 << 20, 300, ratios).assertMatches(mm);

        mm.watermarks().setMinFreeKbytes(0);
        new Reference(mm, 0, 300, ratios).assertMatches(mm);

        ratios = new int[] {128, 64, 0, 0, 0};
        mm.watermarks().setLowmemReserveRatio(ratios);
        new Reference(mm, 0, 300, ratios).assertMatches(mm);
        // DMA: (772915 / 128, (772915 + 1015808) / 128 ...), DMA32: 1015808 / 64.
        assertArrayEquals(new long[] {0, 6038, 13974, 13974, 13974}, protection(mm.node(0).zone(ZoneType.DMA)));
        assertArrayEquals(new long[] {0, 0, 15872, 15872, 15872}, protection(mm.node(0).zone(ZoneType.DMA32)));

        // A partial vector changes the leading entries only; entries below 1 mean "no reserve".
        mm.watermarks().setLowmemReserveRatio(new int[] {-5});
        ratios = new int[] {0, 64, 0, 0, 0};
        new Reference(mm, 0, 300, ratios).assertMatches(mm);
        assertArrayEquals(new long[] {0, 0, 0, 0, 0}, protection(mm.node(0).zone(ZoneType.DMA)));
    }

    /** The default 8 GiB machine: three populated zones up to Normal, so 512×3×2 + 512×3×9 pages = 67584 kB. */
    @Test
    void defaultMachineGetsTheThpRecommendation() {
        Kernel k = Kernel.boot(MachineProfileLoader.loadDefault(), 1);
        MemoryManager mm = k.mm();
        assertEquals(67584, mm.tunables().minFreeKbytes());
        assertEquals(Reference.defaultMinFreeKbytes(mm, true), mm.tunables().minFreeKbytes());
        new Reference(mm, 67584, 10, VmTunables.DEFAULT_LOWMEM_RESERVE_RATIO).assertMatches(mm);
    }

    /** 1 GiB: only DMA and DMA32 are populated, so (512×2×2 + 512×2×9) × 4 = 45056 kB. */
    @Test
    void oneGigabyteMachineHasTwoZones() {
        MemoryManager mm = Kernel.boot(MachineProfileLoader.parse("test", "memory: 1G\n"), 1).mm();
        assertEquals(45056, mm.tunables().minFreeKbytes());
        assertEquals(Reference.defaultMinFreeKbytes(mm, true), mm.tunables().minFreeKbytes());
    }

    /** Without THP only calculate_min_free_kbytes() runs: int_sqrt(lowmem_kbytes × 16), lowmem with no watermarks. */
    @Test
    void withoutThpTheSquareRootRuleApplies() {
        MemoryManager mm = Kernel.boot(MachineProfileLoader.parse("test", "memory: 1G\nthp: never\n"), 1).mm();
        long lowmemKbytes = 0;
        for (Zone z : mm.zones()) {
            if (z.type().ordinal() <= ZoneType.NORMAL.ordinal()) {
                lowmemKbytes += z.managedPages() * 4;
            }
        }
        long expected = Reference.intSqrt(lowmemKbytes * 16);
        assertEquals(3994, expected, "int_sqrt((3840 + 245513) × 4 × 16): the percpu first chunk came out of memblock");
        assertEquals(expected, mm.tunables().minFreeKbytes());
        new Reference(mm, (int) expected, 10, VmTunables.DEFAULT_LOWMEM_RESERVE_RATIO).assertMatches(mm);
    }

    /** 64 MiB: the recommendation is capped at 5% of lowmem (nr_free_buffer_pages() / 20). */
    @Test
    void smallMachineCapsTheThpRecommendationAtFivePercentOfLowmem() {
        MemoryManager mm = Kernel.boot(MachineProfileLoader.parse("test", "memory: 64M\n"), 1).mm();
        int expected = Reference.defaultMinFreeKbytes(mm, true);
        assertEquals(expected, mm.tunables().minFreeKbytes());
        assertTrue(expected < 45056, "capped below the uncapped 2-zone recommendation: " + expected);
    }

    /**
     * Two nodes of 32 GiB: node 0 has DMA, DMA32 and Normal, node 1 Normal only, so four zones count: 90112 kB.
     * The watermarks share pages_min over the zones of both nodes; lowmem_reserve is per node.
     */
    @Test
    void twoNodeMachineCountsTheZonesOfBothNodes() {
        Kernel k = Kernel.boot(MachineProfileLoader.parse("test", "memory: 64G\nnodes: 2\n"), 1);
        MemoryManager mm = k.mm();
        assertEquals(90112, mm.tunables().minFreeKbytes());
        assertEquals(Reference.defaultMinFreeKbytes(mm, true), mm.tunables().minFreeKbytes());
        new Reference(mm, 90112, 10, VmTunables.DEFAULT_LOWMEM_RESERVE_RATIO).assertMatches(mm);
        int[] ratios = {32, 16, 8, 0, 0};
        k.mutate(() -> {
            mm.watermarks().setLowmemReserveRatio(ratios);
            mm.watermarks().setMinFreeKbytes(200000);
            return null;
        });
        new Reference(mm, 200000, 10, ratios).assertMatches(mm);
    }

    /**
     * The kernel's formulas (mm/page_alloc.c: __setup_per_zone_wmarks(), setup_per_zone_lowmem_reserve(),
     * zone_highsize(); mm/vmstat.c: calculate_normal_threshold()), restated for tests: inputs are the zones'
     * managed pages, the CPUs per node and the tunables; nothing is taken from {@link Watermarks}.
     */
    static final class Reference {
        private final List<Zone> zones;
        private final long[][] wmark;
        private final long[][] protection;
        private final long totalreserve;
        private final int[][] pageset;

        Reference(MemoryManager mm, int minFreeKbytes, int scaleFactor, int[] ratios) {
            zones = mm.zones();
            int n = zones.size();
            wmark = new long[n][];
            protection = new long[n][ZoneType.MAX_NR_ZONES];
            pageset = new int[n][];
            long pagesMin = minFreeKbytes / 4;
            long lowmemPages = 0;
            for (Zone z : zones) {
                if (z.type() != ZoneType.MOVABLE) {
                    lowmemPages += z.managedPages();
                }
            }
            for (int i = 0; i < n; i++) {
                wmark[i] = watermarks(zones.get(i), pagesMin, lowmemPages, scaleFactor);
            }
            for (int i = 0; i < n; i++) {
                Zone z = zones.get(i);
                int zi = z.type().ordinal();
                if (zi == ZoneType.MAX_NR_ZONES - 1) {
                    continue;
                }
                long upper = 0;
                for (int j = zi + 1; j < ZoneType.MAX_NR_ZONES; j++) {
                    upper += z.node().zone(j).managedPages();
                    protection[i][j] = ratios[zi] == 0 || z.managedPages() == 0 ? 0 : upper / ratios[zi];
                }
            }
            long reserve = 0;
            for (int i = 0; i < n; i++) {
                long max = 0;
                for (long p : protection[i]) {
                    max = Math.max(max, p);
                }
                reserve += Math.min(zones.get(i).managedPages(), wmark[i][Zone.WMARK_HIGH] + max);
            }
            totalreserve = reserve;
            for (int i = 0; i < n; i++) {
                Zone z = zones.get(i);
                int batch = batch(z.managedPages());
                int cpus = 0;
                for (int cpu = 0; cpu < mm.nrCpus(); cpu++) {
                    cpus += mm.cpuToNode(cpu) == z.node().nodeId() ? 1 : 0;
                }
                if (cpus == 0) {
                    cpus = mm.nrCpus();
                }
                int highMin = (int) Math.max(wmark[i][Zone.WMARK_LOW] / cpus, batch * 4L);
                int highMax = (int) Math.max(z.managedPages() / 8 / cpus, batch * 4L);
                pageset[i] = new int[] {batch, highMin, highMax};
            }
        }

        /** __setup_per_zone_wmarks() for one zone: {min, low, high, promo}. */
        private static long[] watermarks(Zone z, long pagesMin, long lowmemPages, int scaleFactor) {
            long managed = z.managedPages();
            long share = pagesMin * managed / lowmemPages;
            long min = z.type() == ZoneType.MOVABLE ? Math.min(Math.max(managed / 1024, 32), 128) : share;
            long delta = Math.max(share / 4, managed * scaleFactor / 10000);
            return new long[] {min, min + delta, min + 2 * delta, min + 3 * delta};
        }

        /** zone_batchsize() with the max(1, ...) of zone_set_pageset_high_and_batch(). */
        private static int batch(long managed) {
            long b = Math.min(managed >> 10, (1 << 20) / 4096) / 4;
            if (b < 1) {
                b = 1;
            }
            b = Long.highestOneBit(b + b / 2) - 1;
            return (int) Math.max(1, b);
        }

        static long intSqrt(long x) {
            return BigInteger.valueOf(x).sqrt().longValueExact();
        }

        /**
         * The boot value: calculate_min_free_kbytes() while the watermarks are still 0, then (THP enabled)
         * set_recommended_min_free_kbytes() with nr_free_buffer_pages() taken under the watermarks the first
         * value produced.
         */
        static int defaultMinFreeKbytes(MemoryManager mm, boolean thp) {
            long lowmem = 0;
            long lowmemPages = 0;
            int populated = 0;
            for (Zone z : mm.zones()) {
                if (z.type() != ZoneType.MOVABLE) {
                    lowmemPages += z.managedPages();
                }
                if (z.type().ordinal() <= ZoneType.NORMAL.ordinal()) {
                    lowmem += z.managedPages();
                    populated += z.presentPages() > 0 ? 1 : 0;
                }
            }
            long sqrtRule = Math.max(128, Math.min(intSqrt(lowmem * 4 * 16), 262144));
            if (!thp) {
                return (int) sqrtRule;
            }
            long freeBuffer = 0;
            for (Zone z : mm.zones()) {
                if (z.type().ordinal() <= ZoneType.NORMAL.ordinal()) {
                    long high = watermarks(z, sqrtRule / 4, lowmemPages, 10)[Zone.WMARK_HIGH];
                    freeBuffer += Math.max(0, z.managedPages() - high);
                }
            }
            long recommended = 512L * populated * 2 + 512L * populated * 3 * 3;
            recommended = Math.min(recommended, freeBuffer / 20) * 4;
            return (int) Math.max(sqrtRule, recommended);
        }

        /** Watermarks (without boost), protection, totalreserve_pages and pagesets of every zone. */
        void assertMatches(MemoryManager mm) {
            for (int i = 0; i < zones.size(); i++) {
                Zone z = zones.get(i);
                long boost = z.watermarkBoost();
                long[] got = {z.wmarkPages(Zone.WMARK_MIN) - boost, z.wmarkPages(Zone.WMARK_LOW) - boost,
                    z.wmarkPages(Zone.WMARK_HIGH) - boost, z.wmarkPages(Zone.WMARK_PROMO) - boost};
                assertArrayEquals(wmark[i], got, z + " min/low/high/promo");
                assertArrayEquals(protection[i], protection(z), z + " protection");
                if (z.isPopulated()) {
                    for (int cpu = 0; cpu < z.nrCpus(); cpu++) {
                        PerCpuPages pcp = z.pcp(cpu);
                        assertArrayEquals(pageset[i], new int[] {pcp.batch(), pcp.highMin(), pcp.highMax()},
                                z + " cpu " + cpu + " batch/high_min/high_max");
                    }
                }
            }
            assertEquals(totalreserve, mm.watermarks().totalreservePages(), "totalreserve_pages");
        }
    }
}
