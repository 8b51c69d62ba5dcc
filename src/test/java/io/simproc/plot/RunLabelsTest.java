package io.simproc.plot;

import io.simproc.record.Recording;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RunLabelsTest {
    private static Recording run(String... keyValues) {
        Map<String, String> labels = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            labels.put(keyValues[i], keyValues[i + 1]);
        }
        return new Recording(List.of(new Recording.Series("meminfo.MemFree", "bytes", "memory")), labels);
    }

    @Test
    void aSingleRunNeedsNoName() {
        assertEquals(List.of(""), RunLabels.of(List.of(run("vm.swappiness", "10", "seed", "1"))));
    }

    @Test
    void onlyTheLabelsThatDifferNameTheRuns() {
        assertEquals(List.of("vm.swappiness=0", "vm.swappiness=100"), RunLabels.of(List.of(
                run("vm.swappiness", "0", "vm.vfs_cache_pressure", "100", "seed", "1"),
                run("vm.swappiness", "100", "vm.vfs_cache_pressure", "100", "seed", "1"))));
    }

    @Test
    void everyDifferingLabelInTheOrderTheyFirstAppear() {
        assertEquals(List.of("vm.swappiness=0, seed=1", "vm.swappiness=0, seed=2", "vm.swappiness=60, seed=1"),
                RunLabels.of(List.of(run("vm.swappiness", "0", "seed", "1"), run("vm.swappiness", "0", "seed", "2"),
                        run("vm.swappiness", "60", "seed", "1"))));
    }

    @Test
    void runsNoLabelTellsApartAreNumbered() {
        assertEquals(List.of("run 1", "run 2"),
                RunLabels.of(List.of(run("seed", "1"), run("seed", "1"))));
        assertEquals(List.of("vm.swappiness=10", "run 2"),
                RunLabels.of(List.of(run("vm.swappiness", "10"), run())));
        assertEquals(List.of("seed=1, run 1", "seed=2, run 2", "seed=2, run 3"),
                RunLabels.of(List.of(run("seed", "1"), run("seed", "2"), run("seed", "2"))));
    }
}
