package io.simproc.record;

import io.simproc.scenario.Scenario;
import io.simproc.scenario.ScenarioParser;
import io.simproc.scenario.StepRegistry;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Series expressions as given on a command line: defaults, rate(), one-line errors naming series and character. */
class SeriesSetTest {
    private static final Scenario SCENARIO = new ScenarioParser(StepRegistry.standard()).parse("t.yaml", """
            timeline:
              - spawn: {name: app, program: cat}
            """, null);

    private static String error(String... exprs) {
        return assertThrows(IllegalArgumentException.class, () -> SeriesSet.parse(List.of(exprs), SCENARIO))
                .getMessage();
    }

    @Test
    void noSeriesMeansTheDefaultsEachWithUnitAndGroup() {
        SeriesSet d = SeriesSet.parse(List.of(), SCENARIO);
        assertEquals(SeriesSet.defaultNames(), d.names());
        assertEquals(22, d.size());
        SeriesDef swap = d.defs().get(d.names().indexOf("meminfo.SwapTotal - meminfo.SwapFree"));
        assertEquals("bytes", swap.unitFor(true));
        assertEquals("swap", swap.group());
        SeriesDef psi = d.defs().get(d.names().indexOf("pressure.memory.some.avg10"));
        assertEquals("percent", psi.unitFor(false));
    }

    @Test
    void aDefaultNamedExplicitlyKeepsItsUnitAndARateAddsPerSecond() {
        SeriesSet s = SeriesSet.parse(List.of("rate( vmstat.pswpout )", "PID(process=app).status.VmRSS"), SCENARIO);
        assertEquals(List.of("rate(vmstat.pswpout)", "PID(process=app).status.VmRSS"), s.names());
        assertEquals("pages/s", s.defs().get(0).unitFor(false));
        assertEquals("swap", s.defs().get(0).group());
        assertEquals("bytes", s.defs().get(1).unitFor(true));
        assertEquals("PID", s.defs().get(1).group());
    }

    @Test
    void mistakesAreOneLineNamingTheCharacter() {
        assertEquals("series: unknown value 'memnfo' (meminfo.FIELD, vmstat.FIELD, stat.FIELD, loadavg.avg1,"
                + " pressure.memory.some.avg10, sys.A.B, ksm.FILE, khugepaged.FILE, zram0.mm_stat.FIELD,"
                + " zoneinfo(zone=Z).FIELD, buddyinfo(zone=Z).orderN,"
                + " slabinfo(CACHE).FIELD, cgroup(\"PATH\").FILE[.KEY], PID(...).FILE...) at character 1 of"
                + " 'memnfo.MemFree'", error("memnfo.MemFree"));
        assertEquals("series: expected a name at character 9 of 'meminfo.'", error("meminfo."));
        assertEquals("series: unknown process 'nope' (no earlier entry spawns or forks it) at character 13 of"
                + " 'PID(process=nope).status.VmRSS'", error("PID(process=nope).status.VmRSS"));
        assertEquals("series: unexpected '>' after the value (a series is a value, not a comparison) at character 17"
                + " of 'meminfo.MemFree > 0'", error("meminfo.MemFree > 0"));
        assertEquals("series: expected ')' at character 21 of 'rate(meminfo.MemFree'", error("rate(meminfo.MemFree"));
        assertEquals("series: 'meminfo.MemFree' is named twice", error("meminfo.MemFree", " meminfo.MemFree"));
        assertEquals("series: empty expression at character 1 of ''", error(""));
        for (String bad : List.of("memnfo.MemFree", "meminfo.", "rate(meminfo.MemFree")) {
            assertEquals(-1, error(bad).indexOf('\n'));
        }
    }

    @Test
    void aListSplitsAtCommasOutsideParenthesesAndQuotes() {
        assertEquals(List.of("zoneinfo(node=0, zone=Normal).free", "meminfo.MemFree", "cgroup(\"/a,b\").memory.current"),
                SeriesSet.split("zoneinfo(node=0, zone=Normal).free,meminfo.MemFree,cgroup(\"/a,b\").memory.current"));
    }
}
