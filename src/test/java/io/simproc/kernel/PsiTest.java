package io.simproc.kernel;

import io.simproc.kernel.TaskActivity.Kind;
import io.simproc.kernel.TaskActivity.Stretch;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** kernel/sched/psi.c as Psi models it: test_state() per CPU, record_times(), the weighting, the averages, psi_show(). */
class PsiTest {
    private static final long MS = 1_000_000L;
    private static final long PERIOD = Psi.PSI_FREQ * Clock.NSEC_PER_JIFFY;

    private static int mask(Stretch... running) {
        Psi.Counts c = new Psi.Counts();
        for (int i = 0; i < running.length; i++) {
            c.change(running[i], 1, i);
        }
        return c.stateMask();
    }

    private static Stretch s(long start, Kind k) {
        return new Stretch(start, start + 100, k);
    }

    private static boolean has(int mask, int state) {
        return (mask & (1 << state)) != 0;
    }

    @Test
    void oneRunningTaskIsNonIdleAndNothingElse() {
        assertEquals(1 << Psi.NONIDLE, mask(s(0, Kind.RUNNING)));
    }

    @Test
    void aTaskWaitingForTheDiskAloneIsIoFull() {
        int m = mask(s(0, Kind.IOWAIT));
        assertTrue(has(m, Psi.IO_SOME) && has(m, Psi.IO_FULL) && !has(m, Psi.MEM_SOME));
    }

    @Test
    void aRefaultWaitBesideARunningTaskIsSomeNotFull() {
        int m = mask(s(0, Kind.RUNNING), s(5, Kind.THRASHING));
        assertTrue(has(m, Psi.IO_SOME) && has(m, Psi.MEM_SOME));
        assertTrue(!has(m, Psi.IO_FULL) && !has(m, Psi.MEM_FULL));
    }

    @Test
    void reclaimersOnlyAreMemoryFull() {
        int m = mask(s(0, Kind.RECLAIM));
        assertTrue(has(m, Psi.MEM_SOME) && has(m, Psi.MEM_FULL) && !has(m, Psi.CPU_SOME));
    }

    @Test
    void theCurrentTaskReclaimingMakesTheCpuMemoryFullEvenWithOthersRunnable() {
        int reclaimerCurrent = mask(s(0, Kind.RECLAIM), s(5, Kind.RUNNING));
        assertTrue(has(reclaimerCurrent, Psi.MEM_FULL) && has(reclaimerCurrent, Psi.CPU_SOME));
        int runnerCurrent = mask(s(0, Kind.RUNNING), s(5, Kind.RECLAIM));
        assertTrue(has(runnerCurrent, Psi.MEM_SOME) && !has(runnerCurrent, Psi.MEM_FULL));
        assertTrue(has(runnerCurrent, Psi.CPU_SOME) && !has(runnerCurrent, Psi.CPU_FULL));
    }

    /** Stretches on CPU 0 only: {@code stalled} ms of THRASHING then {@code running} ms of RUNNING every period. */
    private static List<List<Stretch>> pattern(long from, int periods, long stalledMs, long runningMs) {
        List<Stretch> cpu0 = new ArrayList<>();
        for (int p = 0; p < periods; p++) {
            long at = from + p * PERIOD;
            cpu0.add(new Stretch(at, at + stalledMs * MS, Kind.THRASHING));
            cpu0.add(new Stretch(at + stalledMs * MS, at + (stalledMs + runningMs) * MS, Kind.RUNNING));
        }
        return List.of(cpu0, new ArrayList<>());
    }

    @Test
    void aCpuStalledHalfOfEveryPeriodAveragesToFiftyPercentAndTotalsTheTime() {
        Psi psi = new Psi(2, 0);
        List<List<Stretch>> byCpu = pattern(0, 200, PERIOD / MS / 2, 0);
        long now = 0;
        long delay = psi.firstWorkDelayJiffies(0);
        for (int i = 0; i < 150; i++) {
            now += delay * Clock.NSEC_PER_JIFFY;
            delay = psi.avgsWork(now, byCpu);
        }
        assertEquals(Psi.PSI_FREQ, delay, "after the first run the work runs every PSI_FREQ");
        // stalled 1002 ms of every 2004 ms on the only non-idle CPU: the other, idle, weighs nothing
        // the work runs a tick after each period's end: whole periods plus that tick of the next one's stall
        long expected = 1002 * MS * ((now - Clock.NSEC_PER_JIFFY) / PERIOD) + Clock.NSEC_PER_JIFFY;
        assertEquals(expected, psi.total(Psi.MEM_SOME));
        assertEquals(psi.total(Psi.MEM_SOME), psi.total(Psi.MEM_FULL), "nothing else runs: full");
        long avg10 = psi.avg(Psi.MEM_SOME, 0);
        assertTrue(Math.abs((avg10 >> LoadAvg.FSHIFT) - 50) <= 1, "avg10 ~50%: " + (avg10 >> LoadAvg.FSHIFT));
    }

    @Test
    void aBusyCpuWithoutStallsDilutesTheOthersStallByItsNonIdleTime() {
        Psi psi = new Psi(2, 0);
        List<Stretch> cpu1 = new ArrayList<>();
        cpu1.add(new Stretch(0, 10 * PERIOD, Kind.RUNNING));
        List<List<Stretch>> byCpu = List.of(pattern(0, 10, PERIOD / MS / 2, PERIOD / MS / 2).get(0), cpu1);
        psi.avgsWork(PERIOD, byCpu);
        long total = psi.total(Psi.MEM_SOME);
        // cpu0: some 1002 ms, non-idle 501 jiffies; cpu1: some 0, non-idle 501 jiffies -> 501 ms
        assertEquals(PERIOD / 4, total);
        assertEquals(total, psi.total(Psi.MEM_FULL), "FULL is per CPU: nothing else runs on cpu0 while it waits");
    }

    @Test
    void oneFullyStalledPeriodGivesTheKernelsFirstSample() {
        long[] avg = new long[3];
        Psi.calcAvgs(avg, 0, PERIOD, PERIOD);
        // calc_load(0, 1677, 100 * 2048): (204800 * 371 + 2047) / 2048 = 37100 -> 18.11 %
        assertEquals(37100, avg[0]);
        Psi psi = new Psi(1, 0);
        assertTrue(psi.show(Psi.PSI_MEM).startsWith("some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"));
    }

    @Test
    void showPrintsSomeAndFullAndCpuFullAsZero() {
        Psi psi = new Psi(1, 0);
        List<Stretch> cpu0 = List.of(new Stretch(0, PERIOD, Kind.RUNNING), new Stretch(0, PERIOD, Kind.RUNNING));
        psi.avgsWork(PERIOD, List.of(cpu0));
        String cpu = psi.show(Psi.PSI_CPU);
        assertEquals("some avg10=18.11 avg60=3.27 avg300=0.68 total=" + PERIOD / 1000 + "\n"
                + "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n", cpu);
    }
}
