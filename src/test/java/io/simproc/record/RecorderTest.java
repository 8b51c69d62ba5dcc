package io.simproc.record;

import io.simproc.kernel.Kernel;
import io.simproc.proc.ProcFs;
import io.simproc.proc.ProcTree;
import io.simproc.scenario.Scenario;
import io.simproc.scenario.ScenarioEngine;
import io.simproc.scenario.ScenarioParser;
import io.simproc.scenario.ScenarioRun;
import io.simproc.scenario.StepRegistry;
import io.simproc.sysctl.SysctlTable;
import io.simproc.workload.Machines;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Recorder: samples at multiples of the interval after each instant's steps, rates, events, bad series. */
class RecorderTest {
    private static final String SMALL = """
            machine:
              memory: 1G
              cpu: 2
              processes:
                - program: systemd
                  args: [/sbin/init]
            """;

    private static Scenario parse(String timeline) {
        return new ScenarioParser(StepRegistry.standard()).parse("t.yaml", SMALL + timeline, null);
    }

    private static ScenarioRun start(Scenario s) {
        Machines.Machine m = Machines.start(s.machine(), 1);
        Kernel kernel = m.kernel();
        ProcFs fs = new ProcFs(kernel, ProcTree.create(SysctlTable.create()));
        ScenarioEngine engine = new ScenarioEngine(kernel, m.population(), fs);
        return kernel.mutate(() -> engine.start(s));
    }

    private static int column(Recording r, String name) {
        for (int s = 0; s < r.series().size(); s++) {
            if (r.series().get(s).name().equals(name)) {
                return s;
            }
        }
        throw new AssertionError("no series " + name);
    }

    @Test
    void samplesEveryIntervalAfterTheStepsOfThatInstant() {
        Scenario s = parse("""
                timeline:
                  - at: 1s
                    spawn: {name: app, program: cat}
                  - malloc: {process: app, size: 64M, write: true}
                  - at: 2s
                    exit: app
                """);
        ScenarioRun run = start(s);
        Recorder rec = new Recorder(run, SeriesSet.parse(List.of("meminfo.AnonPages", "PID(process=app).status.VmRSS",
                "rate(meminfo.AnonPages)"), s), 500, Map.of("seed", "1"));
        rec.advanceTo(2500);
        Recording r = rec.recording();
        assertEquals(6, r.samples());
        for (int i = 0; i < 6; i++) {
            assertEquals(500L * i, r.millis(i));
        }
        int anon = column(r, "meminfo.AnonPages");
        int rss = column(r, "PID(process=app).status.VmRSS");
        int rate = column(r, "rate(meminfo.AnonPages)");
        assertTrue(r.value(anon, 2) >= r.value(anon, 1) + (64 << 20), "the malloc at 1s is in the sample at 1s");
        assertTrue(Double.isNaN(r.value(rss, 1)), "no process before its spawn step");
        assertTrue(r.value(rss, 2) >= 64 << 20);
        assertTrue(Double.isNaN(r.value(rss, 4)), "no /proc/PID after its exit at 2s");
        assertTrue(Double.isNaN(r.value(rate, 0)), "a rate has no value at the first sample");
        for (int i = 1; i < 6; i++) {
            assertEquals((r.value(anon, i) - r.value(anon, i - 1)) / 0.5, r.value(rate, i), "rate at " + i);
        }
        assertEquals("bytes", r.series().get(rss).unit());
        assertEquals("bytes/s", r.series().get(rate).unit());
        assertEquals(Map.of("seed", "1"), r.labels());
        assertEquals(run.jiffiesAt(2500), run.kernel().read(Kernel::jiffies));
    }

    @Test
    void oomKillsDropCachesAndCompactionAreEvents() {
        Scenario s = parse("""
                timeline:
                  - at: 1s
                    drop_caches: 3
                  - at: 2s
                    compact_memory:
                  - at: 3s
                    spawn: {name: hog, program: cat, oom_score_adj: -1000}
                  - malloc: {process: hog, size: 500M, write: true}
                  - spawn: {name: leaky, program: cat}
                  - malloc: {process: leaky, size: 900M, name: heap}
                  - touch: {process: leaky, name: heap, rate: 400M/s}
                """);
        ScenarioRun run = start(s);
        Recorder rec = new Recorder(run, SeriesSet.parse(List.of(), s), 1000, Map.of());
        rec.advanceTo(6000);
        List<Recording.Event> events = rec.recording().events();
        assertTrue(events.contains(new Recording.Event(1000, "drop_caches", "drop_pagecache +1, drop_slab +1")),
                events.toString());
        assertTrue(events.stream().anyMatch(e -> e.kind().equals("compaction") && e.millis() == 2000),
                events.toString());
        Recording.Event kill = events.stream().filter(e -> e.kind().equals("oom_kill")).findFirst().orElseThrow();
        assertTrue(kill.detail().endsWith("(leaky)"), kill.toString());
        assertTrue(kill.millis() > 3000 && kill.millis() <= 6000, kill.toString());
        assertEquals(1, events.stream().filter(e -> e.kind().equals("oom_kill")).count(), events.toString());
    }

    @Test
    void aFieldTheMachineLacksIsAnErrorBeforeAnythingRuns() {
        Scenario s = parse("""
                timeline:
                  - at: 1s
                    spawn: {name: app, program: cat}
                """);
        ScenarioRun run = start(s);
        long before = run.kernel().read(Kernel::jiffies);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Recorder(run,
                SeriesSet.parse(List.of("meminfo.MemFree", "meminfo.MemFre"), s), 100, Map.of()));
        assertEquals("series 'meminfo.MemFre': /proc/meminfo has no field 'MemFre'", e.getMessage());
        assertEquals(before, run.kernel().read(Kernel::jiffies));
        assertTrue(run.outcomes().isEmpty());
        new Recorder(run, SeriesSet.parse(List.of("PID(process=app).status.VmRSS",
                "meminfo.Dirty / meminfo.Writeback"), s), 100, Map.of());
    }

    @Test
    void anIntervalShorterThanAJiffyIsRefused() {
        Scenario s = parse("duration: 1s\n");
        ScenarioRun run = start(s);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Recorder(run, SeriesSet.parse(List.of(), s), 0, Map.of()));
        assertEquals("every: 0ms is less than one jiffy (4ms)", e.getMessage());
    }

    @Test
    void recordingTwiceWithTheSameSeedGivesTheSameValues() {
        Scenario s = parse("""
                timeline:
                  - at: 500ms
                    spawn: {name: app, program: cat}
                  - malloc: {process: app, name: heap, size: 300M}
                  - touch: {process: app, name: heap, rate: 100M/s}
                """);
        double[][] first = null;
        for (int round = 0; round < 2; round++) {
            Recorder rec = new Recorder(start(s), SeriesSet.parse(List.of(), s), 250, Map.of());
            rec.advanceTo(2000);
            Recording r = rec.recording();
            double[][] values = new double[r.series().size()][r.samples()];
            for (int c = 0; c < values.length; c++) {
                for (int i = 0; i < r.samples(); i++) {
                    values[c][i] = r.value(c, i);
                }
            }
            if (first == null) {
                first = values;
            } else {
                assertTrue(java.util.Arrays.deepEquals(first, values));
            }
        }
        assertFalse(first[0][0] == first[0][first[0].length - 1], "MemFree changed during the run");
    }
}
