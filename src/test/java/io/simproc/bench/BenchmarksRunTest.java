package io.simproc.bench;

import org.junit.jupiter.api.Test;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

import java.io.IOException;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every JMH benchmark of this package runs once, in this JVM, for a few milliseconds, so that none rots between two
 * runs of mount-scripts/bench: its setup must work and its invocations must pass their own checks ({@link Checks}),
 * or the run fails. This measures nothing; docs/BENCHMARKS.md records the real runs.
 */
class BenchmarksRunTest {
    static {
        // JMH takes a lock in java.io.tmpdir so that two measurements never share a machine; these runs measure
        // nothing, and must not fail because mount-scripts/bench (or another build's JMH) runs on the same host.
        // Read once, when the Runner class is loaded, which no class before this one does.
        System.setProperty("jmh.ignoreLock", "true");
    }

    private static ChainedOptionsBuilder once(String include) {
        return new OptionsBuilder().include(include).forks(0).warmupIterations(0).measurementIterations(1)
                .measurementTime(TimeValue.milliseconds(5)).shouldFailOnError(true).verbosity(VerboseMode.SILENT);
    }

    /** "Class.method" of every @Benchmark method of the package's classes, from the compiled test classes. */
    private static Set<String> benchmarkMethods() throws IOException, URISyntaxException, ClassNotFoundException {
        Path dir = Path.of(BenchmarksRunTest.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .resolve("io/simproc/bench");
        Set<String> out = new TreeSet<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".class") && !p.toString().contains("$")).toList()) {
                String name = f.getFileName().toString().replace(".class", "");
                for (Method m : Class.forName("io.simproc.bench." + name).getDeclaredMethods()) {
                    if (m.isAnnotationPresent(Benchmark.class)) {
                        out.add(name + "." + m.getName());
                    }
                }
            }
        }
        return out;
    }

    @Test
    void everyBenchmarkRunsOnceAndPassesItsChecks() throws Exception {
        Collection<RunResult> results = new Runner(once("io\\.simproc\\.bench\\.").build()).run();
        Set<String> ran = new TreeSet<>();
        for (RunResult r : results) {
            String benchmark = r.getParams().getBenchmark();
            ran.add(benchmark.substring("io.simproc.bench.".length()));
            assertTrue(r.getPrimaryResult().getSampleCount() > 0, benchmark + " has no sample");
        }
        Set<String> expected = benchmarkMethods();
        assertTrue(expected.contains("FaultBenchmark.copyOnWrite"), expected.toString());
        assertEquals(expected, ran);
    }

    /** A benchmark that throws fails the run (here kmalloc refuses a negative size). */
    @Test
    void aBenchmarkThatThrowsFailsTheRun() {
        RunnerException e = assertThrows(RunnerException.class, () -> new Runner(
                once("io\\.simproc\\.bench\\.KmallocBenchmark\\.kmallocKfreeImmediately$")
                        .param("size", "-1").build()).run());
        assertTrue(messages(e).contains("kmalloc of -1 bytes"), messages(e).toString());
    }

    /** What the benchmarks check: a failed allocation, NULL object, failed mmap or system call throws. */
    @Test
    void theChecksThrowOnFailedResults() {
        assertEquals(7, Checks.page(7));
        assertEquals("the page allocation failed",
                assertThrows(IllegalStateException.class, () -> Checks.page(-1)).getMessage());
        assertEquals(0x1000L, Checks.object(0x1000L, 64));
        assertEquals("kmalloc(64) returned NULL",
                assertThrows(IllegalStateException.class, () -> Checks.object(0, 64)).getMessage());
        assertEquals(0x7f0000000000L, Checks.mapped(0x7f0000000000L));
        assertEquals("mmap failed with errno 12",
                assertThrows(IllegalStateException.class, () -> Checks.mapped(-12)).getMessage());
        assertEquals(0, Checks.ok(0, "touch"));
        assertEquals("touch failed with -14",
                assertThrows(IllegalStateException.class, () -> Checks.ok(-14, "touch")).getMessage());
    }

    /** The messages of a throwable, its causes and what they suppressed (JMH keeps a benchmark's exceptions there). */
    private static List<String> messages(Throwable t) {
        List<String> out = new ArrayList<>();
        for (; t != null; t = t.getCause()) {
            out.add(String.valueOf(t.getMessage()));
            for (Throwable s : t.getSuppressed()) {
                out.addAll(messages(s));
            }
        }
        return out;
    }
}
