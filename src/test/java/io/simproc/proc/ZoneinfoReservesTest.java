package io.simproc.proc;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static io.simproc.proc.ProcTestSupport.read;
import static io.simproc.proc.ProcTestSupport.sample;
import static io.simproc.proc.ProcTestSupport.shared;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The derived numbers zoneinfo prints on the default machine (mm/vmstat.c: zoneinfo_show_print()) recomputed from its
 * managed pages and the /proc/sys/vm values: watermarks, protection arrays, the default min_free_kbytes (the THP
 * recommendation), pcp batch/high_min/high_max and the vmstat thresholds. Each check also runs on the live 6.18
 * sample, so the formulas of {@link ReserveMath} are the kernel's.
 */
class ZoneinfoReservesTest {
    private static final int CPUS = 4;
    private static final int SAMPLE_CPUS = 2;
    /** min_free_kbytes and watermark_scale_factor of the sampled machine (sys_vm_values.txt). */
    private static final long SAMPLE_MIN_FREE_KBYTES = 67584;
    private static final long SAMPLE_SCALE_FACTOR = 10;

    private static long sysctl(String path) {
        return Long.parseLong(read(shared(), path).trim());
    }

    private static List<ProcText.Zone> ourZones() {
        return ProcText.zoneinfo(read(shared(), "/zoneinfo"));
    }

    private static List<ProcText.Zone> sampleZones() {
        return ProcText.zoneinfo(sample("zoneinfo.txt"));
    }

    @Test
    void watermarksFollowMinFreeKbytesAndWatermarkScaleFactor() {
        ReserveMath.assertWatermarks("sample", sampleZones(), SAMPLE_MIN_FREE_KBYTES, SAMPLE_SCALE_FACTOR);
        ReserveMath.assertWatermarks("ours", ourZones(), sysctl("/sys/vm/min_free_kbytes"),
                sysctl("/sys/vm/watermark_scale_factor"));
    }

    @Test
    void protectionFollowsLowmemReserveRatio() {
        long[] ratios = Arrays.stream(read(shared(), "/sys/vm/lowmem_reserve_ratio").trim().split("\t"))
                .mapToLong(Long::parseLong).toArray();
        assertArrayEquals(new long[] {256, 256, 32, 0, 0}, ratios);
        ReserveMath.assertProtection("sample", sampleZones(), ratios);
        ReserveMath.assertProtection("ours", ourZones(), ratios);
    }

    @Test
    void defaultMinFreeKbytesIsTheThpRecommendation() {
        assertEquals(SAMPLE_MIN_FREE_KBYTES, ReserveMath.recommendedMinFreeKbytes(sampleZones()));
        assertEquals(67584, ReserveMath.recommendedMinFreeKbytes(ourZones()), "three lowmem zones, not capped");
        assertEquals(67584, sysctl("/sys/vm/min_free_kbytes"));
    }

    @Test
    void pagesetLimitsAndThresholdsFollowManagedPagesAndCpus() {
        assertPagesets("sample", sampleZones(), SAMPLE_CPUS);
        assertPagesets("ours", ourZones(), CPUS);
    }

    private static void assertPagesets(String what, List<ProcText.Zone> zones, int cpus) {
        for (ProcText.Zone z : zones) {
            if (z.get("present") == 0) {
                assertEquals(List.of(), z.pagesets(), what + ": unpopulated zone " + z.name() + " has no pagesets");
                continue;
            }
            long managed = z.get("managed");
            long batch = ReserveMath.batch(managed);
            long[] high = ReserveMath.pcpHigh(z.get("low") - z.get("boost"), managed, batch, cpus);
            assertEquals(cpus, z.pagesets().size(), what + ": zone " + z.name());
            for (Map<String, Long> p : z.pagesets()) {
                String at = what + ": zone " + z.name() + " cpu " + p.get("cpu");
                assertEquals(batch, p.get("batch"), at + " batch");
                assertEquals(high[0], p.get("high_min"), at + " high_min");
                assertEquals(high[1], p.get("high_max"), at + " high_max");
                assertEquals(ReserveMath.statThreshold(cpus, managed), p.get("vm stats threshold"), at);
            }
        }
    }
}
