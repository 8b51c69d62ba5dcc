package io.simproc.proc;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * The reserve formulas of mm/page_alloc.c (init_per_zone_wmark_min(), __setup_per_zone_wmarks(),
 * setup_per_zone_lowmem_reserve(), zone_batchsize(), zone_highsize()) and mm/vmstat.c
 * (calculate_normal_threshold()), written out independently of the simulator from what
 * zoneinfo shows (managed pages) and the sysctl values, so tests can check the watermarks, protection arrays, pcp
 * limits and vmstat thresholds a machine prints.
 */
public final class ReserveMath {
    private ReserveMath() {
    }

    /** __setup_per_zone_wmarks(): {min, low, high, promo} without boost, for each zone in zoneinfo order. */
    public static long[][] watermarks(List<ProcText.Zone> zones, long minFreeKbytes, long scaleFactor) {
        long pagesMin = minFreeKbytes >> 2;
        long lowmemPages = zones.stream().filter(z -> !z.name().equals("Movable")).mapToLong(z -> z.get("managed"))
                .sum();
        long[][] out = new long[zones.size()][];
        for (int i = 0; i < zones.size(); i++) {
            ProcText.Zone z = zones.get(i);
            long managed = z.get("managed");
            long tmp = pagesMin * managed / lowmemPages;
            long min = z.name().equals("Movable") ? Math.max(32, Math.min(managed / 1024, 128)) : tmp;
            long delta = Math.max(tmp / 4, managed * scaleFactor / 10000);
            out[i] = new long[] {min, min + delta, min + 2 * delta, min + 3 * delta};
        }
        return out;
    }

    /** setup_per_zone_lowmem_reserve() for the zones of one node, in zone index order. */
    public static long[][] protection(List<ProcText.Zone> nodeZones, long[] ratios) {
        int n = nodeZones.size();
        long[][] out = new long[n][n];
        for (int i = 0; i < n - 1; i++) {
            long managed = 0;
            boolean clear = ratios[i] == 0 || nodeZones.get(i).get("managed") == 0;
            for (int j = i + 1; j < n; j++) {
                managed += nodeZones.get(j).get("managed");
                out[i][j] = clear ? 0 : managed / ratios[i];
            }
        }
        return out;
    }

    /** zone_batchsize(): rounddown_pow_of_two(b + b/2) − 1 with b = max(1, min(managed/1024, 256) / 4). */
    public static long batch(long managed) {
        long b = Math.max(1, Math.min(managed >> 10, 256) / 4);
        return Math.max(1, Long.highestOneBit(b + b / 2) - 1);
    }

    /** zone_highsize(): {high_min, high_max} with percpu_pagelist_high_fraction 0. */
    public static long[] pcpHigh(long low, long managed, long batch, int cpusOfNode) {
        return new long[] {Math.max(low / cpusOfNode, batch * 4), Math.max(managed / 8 / cpusOfNode, batch * 4)};
    }

    /** calculate_normal_threshold(). */
    public static long statThreshold(int onlineCpus, long managed) {
        return Math.min(125, 2L * fls(onlineCpus) * (1 + fls(managed >> 15)));
    }

    /** set_recommended_min_free_kbytes(): 11 pageblocks per populated zone up to Normal, at most 5% of lowmem. */
    public static long recommendedMinFreeKbytes(List<ProcText.Zone> zones) {
        long nrZones = 0;
        long freeBufferPages = 0;
        for (ProcText.Zone z : zones) {
            boolean lowmem = List.of("DMA", "DMA32", "Normal").contains(z.name());
            if (lowmem && z.get("present") > 0) {
                nrZones++;
            }
            if (lowmem) {
                freeBufferPages += Math.max(0, z.get("managed") - (z.get("high") - z.get("boost")));
            }
        }
        long recommended = 512 * nrZones * 2 + 512 * nrZones * 3 * 3;
        return Math.min(recommended, freeBufferPages / 20) * 4;
    }

    /** Asserts zoneinfo's min/low/high/promo (less the boost they include) are __setup_per_zone_wmarks()'s. */
    public static void assertWatermarks(String what, List<ProcText.Zone> zones, long minFreeKbytes, long scale) {
        long[][] expected = ReserveMath.watermarks(zones, minFreeKbytes, scale);
        for (int i = 0; i < zones.size(); i++) {
            ProcText.Zone z = zones.get(i);
            long boost = z.get("boost");
            long[] shown = {z.get("min") - boost, z.get("low") - boost, z.get("high") - boost, z.get("promo") - boost};
            assertArrayEquals(expected[i], shown, what + ": zone " + z.name() + " {min, low, high, promo}");
        }
    }

    /** Asserts zoneinfo's protection arrays are setup_per_zone_lowmem_reserve()'s for these ratios. */
    public static void assertProtection(String what, List<ProcText.Zone> zones, long[] ratios) {
        long[][] expected = protection(zones, ratios);
        for (int i = 0; i < zones.size(); i++) {
            assertArrayEquals(expected[i], zones.get(i).protection(), what + ": zone " + zones.get(i).name());
        }
    }

    static int fls(long x) {
        return 64 - Long.numberOfLeadingZeros(x);
    }
}
