package io.simproc.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code simproc sweep}: a run per setting and seed, held knobs, a table, byte-identical recordings. */
class SweepCommandTest {
    /** Sets swappiness twice itself: a sweep over it must hold its own value through both steps. */
    private static final String SCENARIO = """
            name: held
            machine:
              memory: 512M
              cpu: 1
              processes:
                - program: systemd
                  args: [/sbin/init]
            duration: 3s
            sysctl: {vm.swappiness: 10}
            timeline:
              - at: 1s
                spawn: {name: app, program: cat}
              - malloc: {process: app, size: 64M, write: true}
              - at: 2s
                sysctl: {vm.swappiness: 100}
              - at: 3s
                expect: sys.vm.swappiness == 100
            """;

    @RegisterExtension
    final StdStreams std = new StdStreams();

    private Path scenario(Path tmp) throws IOException {
        Path s = tmp.resolve("held.yaml");
        Files.writeString(s, SCENARIO);
        return s;
    }

    private int sweep(Path s, Path dir, String... more) {
        List<String> args = new java.util.ArrayList<>(List.of("sweep", s.toString(), "--set", "vm.swappiness=30,60",
                "--seeds", "1..2", "--every", "500ms", "--series", "sys.vm.swappiness,meminfo.AnonPages", "--out",
                dir.toString(), "-q"));
        args.addAll(List.of(more));
        return Main.run(args.toArray(String[]::new));
    }

    @Test
    void holdsEachRunsKnobThroughTheScenariosOwnStepsAndComparesTheSettings(@TempDir Path tmp) throws Exception {
        Path s = scenario(tmp);
        assertEquals(0, sweep(s, tmp.resolve("a"), "--summary", "final(sys.vm.swappiness)", "--summary",
                "peak(meminfo.AnonPages)"), std.err());
        for (String setting : List.of("30", "60")) {
            for (String seed : List.of("1", "2")) {
                List<String> csv = Files.readAllLines(tmp.resolve("a/vm.swappiness=" + setting + "_seed=" + seed
                        + ".csv"));
                assertEquals(8, csv.size(), "a header and samples at 0, 0.5, ... 3 s: " + csv);
                for (String row : csv.subList(1, csv.size())) {
                    assertEquals(setting, row.split(",")[1], "held at " + setting + " in " + row);
                }
            }
        }
        String table = std.out();
        assertEquals(table, Files.readString(tmp.resolve("a/summary.txt")));
        List<String> lines = table.lines().toList();
        assertTrue(lines.get(0).matches(" +vm.swappiness=30 +vm.swappiness=60"), table);
        assertTrue(lines.get(1).matches("sys.vm.swappiness == 100  \\(held.yaml:17:13\\) +0/2 pass +0/2 pass"),
                table);
        assertTrue(lines.get(2).matches("final\\(sys.vm.swappiness\\) +30 +60"), table);
        assertTrue(lines.get(3).startsWith("peak(meminfo.AnonPages) "), table);
        assertEquals(4, lines.size(), table);
    }

    @Test
    void runsInParallelGiveTheRecordingsOfRunsOneAtATime(@TempDir Path tmp) throws Exception {
        Path s = scenario(tmp);
        assertEquals(0, sweep(s, tmp.resolve("par"), "--jobs", "4"), std.err());
        assertEquals(0, sweep(s, tmp.resolve("seq"), "--jobs", "1"), std.err());
        try (Stream<Path> files = Files.list(tmp.resolve("seq"))) {
            List<Path> list = files.sorted().toList();
            assertEquals(5, list.size(), list.toString());
            for (Path f : list) {
                assertArrayEquals(Files.readAllBytes(f), Files.readAllBytes(tmp.resolve("par").resolve(f.getFileName())),
                        f.getFileName().toString());
            }
        }
        assertTrue(!java.util.Arrays.equals(Files.readAllBytes(tmp.resolve("seq/vm.swappiness=30_seed=1.csv")),
                Files.readAllBytes(tmp.resolve("seq/vm.swappiness=30_seed=2.csv"))), "seeds differ");
    }

    @Test
    void eachRunIsTheRunOfRunSetWithItsKnobAndSeed(@TempDir Path tmp) throws Exception {
        Path s = scenario(tmp);
        assertEquals(0, sweep(s, tmp.resolve("sweep")), std.err());
        Path csv = tmp.resolve("one.csv");
        assertEquals(1, Main.run("run", s.toString(), "--set", "vm.swappiness=60", "--seed", "2", "--every", "500ms",
                "--series", "sys.vm.swappiness,meminfo.AnonPages", "--record", csv.toString(), "-q"),
                "the scenario's expectation fails with the knob held");
        assertEquals(Files.readString(tmp.resolve("sweep/vm.swappiness=60_seed=2.csv")), Files.readString(csv));
        assertEquals(1, Main.run("run", s.toString(), "--set", "vm.swappiness=10,20", "--record", csv.toString()));
        assertTrue(std.err().endsWith("simproc: --set vm.swappiness=10,20: run holds a"
                + " knob at one value; simproc sweep runs several\n"), std.err());
    }

    @Test
    void badInputIsOneLineAndRunsNothing(@TempDir Path tmp) throws Exception {
        Path s = scenario(tmp);
        String[][] cases = {
            {"--set", "vm.swapiness=1", "unknown sysctl 'vm.swapiness'"},
            {"--set", "vm.swappiness=300", "--set vm.swappiness=300: sysctl vm.swappiness = 300: Invalid argument"},
            {"--set", "vm.swappiness=abc", "--set vm.swappiness=abc: sysctl vm.swappiness = abc: Invalid argument"},
            {"--series", "meminfo.NoSuchField", "--series: series 'meminfo.NoSuchField'"},
            {"--summary", "max(meminfo.Cached)", "unknown function 'max'"},
            {"--seeds", "5..1", "runs backwards"},
            {"--every", "0", "--every: 0 is less than one jiffy"},
            {"--jobs", "0", "--jobs must be at least 1"},
            {"--plot", "s.gif", "--plot: a chart is written as .svg or .png"},
        };
        for (String[] c : cases) {
            std.reset();
            Path dir = tmp.resolve("bad");
            List<String> args = new java.util.ArrayList<>(List.of("sweep", s.toString(), "--out", dir.toString(), "-q"));
            if (!c[0].equals("--set")) {
                args.addAll(List.of("--set", "vm.swappiness=30"));
            }
            args.addAll(List.of(c[0], c[1]));
            assertEquals(1, Main.run(args.toArray(String[]::new)), String.join(" ", c));
            String e = std.err();
            assertEquals(1, e.lines().count(), e);
            assertTrue(e.startsWith("simproc: ") && e.contains(c[2]), c[2] + " in " + e);
            assertTrue(!Files.exists(dir) || Files.list(dir).findAny().isEmpty(), "nothing written for " + c[1]);
        }
    }
}
