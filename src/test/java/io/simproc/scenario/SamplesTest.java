package io.simproc.scenario;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every sample of samples/scenarios runs offline with all its expectations passing, twice with the same seed giving
 * byte-identical proc trees at its end; and breaking the behaviour a sample demonstrates makes it fail.
 */
class SamplesTest {
    static final Path SAMPLES = Path.of("samples/scenarios");

    static List<Path> samples() throws IOException {
        try (Stream<Path> s = Files.list(SAMPLES)) {
            return s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
    }

    @TestFactory
    Stream<DynamicTest> everySamplePassesAndIsDeterministic() throws IOException {
        List<Path> samples = samples();
        assertFalse(samples.isEmpty());
        return samples.stream().map(p -> DynamicTest.dynamicTest(p.getFileName().toString(), () -> {
            Scenario s = ScenarioFixture.load(p);
            ScenarioFixture first = ScenarioFixture.start(s, 7).toEnd();
            assertEquals(List.of(), first.problems(), p + " has failing expectations");
            assertTrue(first.engine.passed() > 0, p + " checks nothing");
            Map<String, String> tree = first.tree();
            ScenarioFixture second = ScenarioFixture.start(ScenarioFixture.load(p), 7).toEnd();
            Map<String, String> again = second.tree();
            assertEquals(tree.keySet(), again.keySet(), p + ": the same files");
            for (Map.Entry<String, String> e : tree.entrySet()) {
                assertEquals(e.getValue(), again.get(e.getKey()), p + ": " + e.getKey() + " differs between runs");
            }
        }));
    }

    @Test
    void everySampleSaysWhatToRunWatchAndSee() throws IOException {
        for (Path p : samples()) {
            String text = Files.readString(p);
            String name = p.getFileName().toString();
            assertTrue(text.startsWith("# " + name.replace(".yaml", "") + ": "), name + " starts with its title");
            for (String part : List.of("# Run:    simproc ctl ./mnt apply samples/scenarios/" + name, "# Watch:",
                    "# See:")) {
                assertTrue(text.contains(part), name + " header lacks '" + part + "'");
            }
        }
    }

    @Test
    void heapExpectationFailsWhenTheChunksCrossTheMmapThreshold() throws IOException {
        String text = Files.readString(SAMPLES.resolve("malloc-brk-vs-mmap.yaml"))
                .replace("malloc: {process: small, size: 100M, chunk: 64K", "malloc: {process: small, size: 100M,"
                        + " chunk: 128K");
        ScenarioFixture f = ScenarioFixture.start(ScenarioFixture.parse(text), 7).toEnd();
        List<String> problems = f.problems();
        assertTrue(problems.stream().anyMatch(l -> l.startsWith("FAIL  at 3s     t.yaml:24:9  PID(process=small)"
                + ".smaps(\"[heap]\").Rss >= 100M  (0 >= 100.0M)")), String.join("\n", problems));
    }

    @Test
    void cowExpectationFailsWhenTheChildOnlyReads() throws IOException {
        String text = Files.readString(SAMPLES.resolve("fork-cow-pss.yaml"))
                .replaceFirst("touch: \\{process: child, name: buf, size: 50%}",
                        "touch: {process: child, name: buf, size: 50%, access: read}");
        ScenarioFixture f = ScenarioFixture.start(ScenarioFixture.parse(text), 7).toEnd();
        assertTrue(f.problems().contains("FAIL  at 5s     t.yaml:31:9  PID(process=child).smaps_rollup.Private_Dirty"
                + " >= 100M  (0 >= 100.0M)"), String.join("\n", f.problems()));
    }

    @Test
    void compactionRecoversFullyWithoutTheKmallocChurn() throws IOException {
        String text = Files.readString(SAMPLES.resolve("fragmentation-then-compact.yaml"))
                .replace("kmalloc: {size: 4K, count: 64000, keep: 1%}", "sync:");
        ScenarioFixture f = ScenarioFixture.start(ScenarioFixture.parse(text), 7).toEnd();
        assertTrue(f.problems().contains("FAIL  at 11s    t.yaml:72:9  buddyinfo(zone=DMA32).order9 + 2 *"
                + " buddyinfo(zone=DMA32).order10 < 90  (146 < 90)"), String.join("\n", f.problems()));
    }

    @Test
    void strictOvercommitExpectationFailsInTheHeuristicMode() throws IOException {
        String text = Files.readString(SAMPLES.resolve("overcommit-strict.yaml"))
                .replace("sysctl: {vm.overcommit_memory: 2}", "sysctl: {vm.overcommit_memory: 0}");
        ScenarioFixture f = ScenarioFixture.start(ScenarioFixture.parse(text), 7).toEnd();
        assertTrue(f.problems().contains("FAIL  at 2s     t.yaml:31:5  malloc 600M in app fails with ENOMEM  (it"
                + " succeeded)"), String.join("\n", f.problems()));
    }
}
