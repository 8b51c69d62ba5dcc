package io.simproc.scenario;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The pressure scenario the conformance suite runs in: anonymous memory written faster than the default machine can
 * hold it beside a streamed file. Reclaim must swap, not call the OOM killer while swap is free. With seed 5 the
 * inactive anon list is, at one point, long and entirely referenced while the active list is too short to be
 * deactivated: direct reclaim frees nothing unless it starts over deactivating (do_try_to_free_pages's
 * force_deactivate retry), and without that the task was OOM-killed with 2 GiB of swap free.
 */
class PressureScenarioTest {
    @Test
    void anonPressureSwapsInsteadOfKilling() {
        Scenario s = ScenarioFixture.load(Path.of("src/test/resources/scenarios/pressure-8g.yaml"));
        ScenarioFixture f = ScenarioFixture.start(s, 5).toEnd();
        assertEquals(List.of(), f.problems());
        assertTrue(f.engine.passed() >= 3, "the expectations ran");
    }
}
