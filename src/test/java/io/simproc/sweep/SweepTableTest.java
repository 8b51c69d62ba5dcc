package io.simproc.sweep;

import io.simproc.record.Recording;
import io.simproc.scenario.KnobValues;
import io.simproc.scenario.Outcome;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SweepTableTest {
    private static Recording recording(double... cached) {
        Recording r = new Recording(List.of(new Recording.Series("meminfo.Cached", "bytes", "memory")), Map.of());
        for (int i = 0; i < cached.length; i++) {
            r.add(1000L * i, new double[] {cached[i]});
        }
        return r;
    }

    private static Outcome expectation(boolean ok) {
        return new Outcome(50_000, "s.yaml:40:9", ok ? Outcome.Verdict.PASS : Outcome.Verdict.FAIL,
                "vmstat.pswpout > 0", "");
    }

    @Test
    void summariesOverOneRecording() {
        Recording r = recording(100, 300, Double.NaN, 200);
        assertEquals(300, Summary.parse("peak(meminfo.Cached)").of(r));
        assertEquals(100, Summary.parse("min(meminfo.Cached)").of(r));
        assertEquals(200, Summary.parse("final(meminfo.Cached)").of(r));
        assertEquals(200, Summary.parse("mean(meminfo.Cached)").of(r));
        assertEquals(1.0, Summary.parse("time_to(meminfo.Cached >= 300)").of(r));
        assertEquals(Double.NaN, Summary.parse("time_to(meminfo.Cached > 1K)").of(r));
        assertEquals("meminfo.Cached", Summary.parse("time_to(meminfo.Cached<=1G)").series());
        assertEquals(200, Summary.parse("final( meminfo.Cached )").of(r), "the series whatever its spaces");
        for (String bad : List.of("peak", "max(meminfo.Cached)", "peak()", "time_to(meminfo.Cached)",
                "time_to(meminfo.Cached < lots)")) {
            assertThrows(IllegalArgumentException.class, () -> Summary.parse(bad), bad);
        }
    }

    @Test
    void oneColumnPerSettingWithVerdictsAndTheSpreadOverSeeds() {
        SweepPlan plan = new SweepPlan(List.of(KnobValues.parse("vm.swappiness=10,100")), List.of(1L, 2L, 3L));
        List<SweepPlan.Point> points = plan.points();
        double[][] cached = {{1 << 20, 2 << 20}, {1 << 20, 3 << 20}, {1 << 20, 4 << 20}, {0, 5}, {0, 6}, {0, 7}};
        List<RunResult> results = new ArrayList<>();
        for (int i = 0; i < points.size(); i++) {
            results.add(new RunResult(points.get(i), recording(cached[i]), List.of(expectation(i != 1)), null));
        }
        String table = new SweepTable(results, List.of(Summary.parse("final(meminfo.Cached)"))).render();
        assertEquals("""
                                                    vm.swappiness=10  vm.swappiness=100
                vmstat.pswpout > 0  (s.yaml:40:9)           2/3 pass           3/3 pass
                final(meminfo.Cached)              3.0M (2.0M..4.0M)           6 (5..7)
                """, table);
    }

    @Test
    void aRunThatFailedIsCountedNotHidden() {
        SweepPlan plan = new SweepPlan(List.of(KnobValues.parse("vm.swappiness=10,100")), List.of(1L));
        List<SweepPlan.Point> points = plan.points();
        List<RunResult> results = List.of(new RunResult(points.get(0), recording(1, 2), List.of(expectation(true)),
                null), RunResult.failed(points.get(1), "sysctl vm.swappiness = 100: Invalid argument"));
        List<List<String>> cells = new SweepTable(results, List.of(Summary.parse("peak(meminfo.Cached)"))).cells();
        assertEquals(List.of("vmstat.pswpout > 0  (s.yaml:40:9)", "pass", "-"), cells.get(1));
        assertEquals(List.of("peak(meminfo.Cached)", "2", "-"), cells.get(2));
        assertEquals(List.of("run errors", "", "1 of 1"), cells.get(3));
    }
}
