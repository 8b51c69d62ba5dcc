package io.simproc.sweep;

import io.simproc.scenario.KnobValues;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SweepPlanTest {
    @Test
    void everyCombinationFirstKnobSlowestSeedFastest() {
        SweepPlan plan = new SweepPlan(List.of(KnobValues.parse("vm.swappiness=0,100"),
                KnobValues.parse("vm.vfs_cache_pressure=50,100")), SweepPlan.parseSeeds("1..2"));
        List<SweepPlan.Point> p = plan.points();
        assertEquals(8, p.size());
        assertEquals(Map.of("vm.swappiness", "0", "vm.vfs_cache_pressure", "50"), p.get(0).knobs());
        assertEquals(2, p.get(1).seed());
        assertEquals("vm.swappiness=0 vm.vfs_cache_pressure=100", p.get(2).setting());
        assertEquals("vm.swappiness=100 vm.vfs_cache_pressure=100", p.get(7).setting());
        assertEquals("vm.swappiness=100_vm.vfs_cache_pressure=100_seed=2", p.get(7).fileName());
        assertEquals(List.of("vm.swappiness", "vm.vfs_cache_pressure", "seed"), List.copyOf(p.get(7).labels().keySet()));
    }

    @Test
    void seedsAsRangesListsOrBoth() {
        assertEquals(List.of(1L, 2L, 3L, 7L), SweepPlan.parseSeeds("1..3,7"));
        assertEquals(List.of(5L), SweepPlan.parseSeeds("5"));
        for (String bad : List.of("", "a", "3..1", "1,1", "1..", "1..20000")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SweepPlan.parseSeeds(bad));
            assertTrue(e.getMessage().startsWith("--seeds " + bad + ":"), e.getMessage());
        }
    }

    @Test
    void knobsAreCheckedByNameBeforeAnythingRuns() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> KnobValues.parse("vm.swapiness=10"))
                .getMessage().startsWith("unknown sysctl 'vm.swapiness' (writable: "));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> KnobValues.parse("vm.swappiness"))
                .getMessage().contains("expected KNOB=VALUE"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> KnobValues.parse("vm.swappiness=1,,2"))
                .getMessage().contains("an empty value"));
        assertThrows(IllegalArgumentException.class, () -> new SweepPlan(List.of(KnobValues.parse("vm.swappiness=1"),
                KnobValues.parse("vm.swappiness=2")), List.of(1L)));
        assertThrows(IllegalArgumentException.class, () -> new SweepPlan(List.of(), List.of(1L)));
    }
}
