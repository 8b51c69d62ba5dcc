package io.simproc.cli;

import io.simproc.config.Durations;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code simproc run --record}: the recording holds what the same expressions read in the trees {@code run --out
 * --at} writes at those instants (read here from the written files), a seed reproduces it byte for byte, recording
 * leaves the trees as they are, and bad input is one line before anything runs.
 */
class RecordCliTest {
    private static final String SCENARIO = """
            duration: 3s
            machine:
              memory: 512M
              cpu: 1
              processes:
                - program: systemd
                  args: [/sbin/init]
            timeline:
              - at: 1s
                spawn: {name: app, program: cat}
              - malloc: {process: app, name: heap, size: 200M}
              - touch: {process: app, name: heap, size: 100M, rate: 100M/s}
              - write: {process: app, path: /var/tmp/f, size: 40M, rate: 50M/s}
              - at: 2500ms
                exit: app
            """;
    private static final String TIMES = "0s,500ms,1s,1500ms,2s,2500ms,3s";

    @RegisterExtension
    final StdStreams std = new StdStreams();

    private Path scenario(Path tmp) throws IOException {
        Path s = tmp.resolve("s.yaml");
        Files.writeString(s, SCENARIO);
        return s;
    }

    private int run(String... args) {
        return Main.run(args);
    }

    /** {@code Key:   N kB} (bytes) or {@code key N} of a written file. */
    private static double field(Path file, String key) throws IOException {
        for (String line : Files.readAllLines(file)) {
            String[] w = line.split("[:\\s]+");
            if (w[0].equals(key)) {
                double v = Double.parseDouble(w[1]);
                return w.length > 2 && w[2].equals("kB") ? v * 1024 : v;
            }
        }
        throw new AssertionError(file + " has no " + key);
    }

    /** {@code some avg10=0.00 avg60=... total=N} of a written pressure file. */
    private static double pressure(Path file, String line, String key) throws IOException {
        for (String l : Files.readAllLines(file)) {
            if (l.startsWith(line + " ")) {
                for (String kv : l.split(" ")) {
                    if (kv.startsWith(key + "=")) {
                        return Double.parseDouble(kv.substring(key.length() + 1));
                    }
                }
            }
        }
        throw new AssertionError(file + " has no " + line + " " + key);
    }

    /** The pid of the process called {@code comm} in a written tree, or -1. */
    private static int pid(Path proc, String comm) throws IOException {
        try (Stream<Path> dirs = Files.list(proc)) {
            for (Path d : dirs.toList()) {
                if (d.getFileName().toString().matches("[0-9]+")
                        && Files.readString(d.resolve("comm")).trim().equals(comm)) {
                    return Integer.parseInt(d.getFileName().toString());
                }
            }
        }
        return -1;
    }

    /** The value a series expression has in the tree at {@code proc}, computed from the files here. */
    private static String expected(String series, Path proc, Path previousProc) throws IOException {
        String[] p = series.split("\\.");
        double v;
        if (series.equals("meminfo.SwapTotal - meminfo.SwapFree")) {
            v = field(proc.resolve("meminfo"), "SwapTotal") - field(proc.resolve("meminfo"), "SwapFree");
        } else if (series.startsWith("meminfo.")) {
            v = field(proc.resolve("meminfo"), p[1]);
        } else if (series.startsWith("vmstat.")) {
            v = field(proc.resolve("vmstat"), p[1]);
        } else if (series.startsWith("pressure.")) {
            v = pressure(proc.resolve("pressure/" + p[1]), p[2], p[3]);
        } else if (series.equals("PID(name=app).status.VmRSS")) {
            int pid = pid(proc, "app");
            if (pid < 0) {
                return "";
            }
            v = field(proc.resolve(pid + "/status"), "VmRSS");
        } else if (series.equals("rate(vmstat.pgfault)")) {
            if (previousProc == null) {
                return "";
            }
            v = (field(proc.resolve("vmstat"), "pgfault") - field(previousProc.resolve("vmstat"), "pgfault")) / 0.5;
        } else {
            throw new AssertionError("no reference reading for " + series);
        }
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }

    /** The proc tree {@code run --out tmp/trees --at} wrote at {@code millis}. */
    private static Path tree(Path tmp, long millis) {
        return tmp.resolve("trees").resolve(Durations.format(millis)).resolve("proc");
    }

    @Test
    void theCsvHoldsWhatTheTreesAtThoseInstantsShow(@TempDir Path tmp) throws Exception {
        Path s = scenario(tmp);
        assertEquals(0, run("run", s.toString(), "--out", tmp.resolve("trees").toString(), "--at", TIMES, "-q"),
                std.err());
        Path csv = tmp.resolve("r.csv");
        assertEquals(0, run("run", s.toString(), "--record", csv.toString(), "--every", "500ms", "-q",
                "--series", "PID(name=app).status.VmRSS,rate(vmstat.pgfault)"), std.err());
        Path defaults = tmp.resolve("d.csv");
        assertEquals(0, run("run", s.toString(), "--record", defaults.toString(), "--every", "500ms", "-q"));
        String[] times = TIMES.split(",");
        for (Path file : List.of(csv, defaults)) {
            List<String> lines = Files.readAllLines(file);
            assertEquals(times.length + 1, lines.size(), "a header and a sample at each 500ms from 0 to 3s");
            List<String> header = List.of(lines.get(0).split(","));
            assertEquals("time_s", header.get(0));
            for (int i = 0; i < times.length; i++) {
                String[] row = lines.get(i + 1).split(",", -1);
                assertEquals(String.format("%d.%03d", 500 * i / 1000, 500 * i % 1000), row[0]);
                Path proc = tree(tmp, 500L * i);
                Path previous = i == 0 ? null : tree(tmp, 500L * (i - 1));
                for (int c = 1; c < header.size(); c++) {
                    String name = header.get(c).substring(0, header.get(c).lastIndexOf(" ("));
                    String want = expected(name, proc, previous);
                    String got = row[c];
                    if (!want.isEmpty() && !got.isEmpty() && want.contains(".")) {
                        assertEquals(Double.parseDouble(want), Double.parseDouble(got), name + " at " + times[i]);
                    } else {
                        assertEquals(want, got, name + " at " + times[i]);
                    }
                }
            }
        }
        List<String> lines = Files.readAllLines(csv);
        assertEquals("time_s,PID(name=app).status.VmRSS (bytes),rate(vmstat.pgfault) (number/s)", lines.get(0));
        assertTrue(lines.get(4).matches("1\\.500,[0-9]+,[0-9.]+"), "the process and its faults at 1.5s: " + lines);
        assertTrue(lines.get(7).matches("3\\.000,,[0-9.]+"), "no process after its exit: " + lines);
    }

    @Test
    void aSeedGivesTheSameFilesByteForByte(@TempDir Path tmp) throws Exception {
        Path s = scenario(tmp);
        for (String ext : List.of("csv", "om")) {
            byte[] first = null;
            for (int round = 0; round < 2; round++) {
                Path f = tmp.resolve(round + "." + ext);
                assertEquals(0, run("run", s.toString(), "--record", f.toString(), "-q"));
                byte[] bytes = Files.readAllBytes(f);
                if (first == null) {
                    first = bytes;
                } else {
                    assertArrayEquals(first, bytes, ext);
                }
            }
        }
        assertEquals(0, run("run", s.toString(), "--record", tmp.resolve("seed2.csv").toString(), "--seed", "2",
                "-q"));
        assertNotEquals(Files.readString(tmp.resolve("0.csv")), Files.readString(tmp.resolve("seed2.csv")));
    }

    @Test
    void recordingLeavesTheTreesAsTheyAre(@TempDir Path tmp) throws Exception {
        Path s = scenario(tmp);
        assertEquals(0, run("run", s.toString(), "--out", tmp.resolve("plain").toString(), "--at", "1300ms,3s",
                "-q"));
        assertEquals(0, run("run", s.toString(), "--out", tmp.resolve("recorded").toString(), "--at", "1300ms,3s",
                "--record", tmp.resolve("r.om").toString(), "--every", "20ms", "-q"));
        Map<String, byte[]> plain = files(tmp.resolve("plain"));
        Map<String, byte[]> recorded = files(tmp.resolve("recorded"));
        assertEquals(plain.keySet(), recorded.keySet());
        assertTrue(plain.size() > 1000, "whole trees: " + plain.size());
        for (String f : plain.keySet()) {
            assertArrayEquals(plain.get(f), recorded.get(f), f);
        }
        assertTrue(Files.readString(tmp.resolve("r.om")).endsWith("# EOF\n"));
    }

    private static Map<String, byte[]> files(Path root) throws IOException {
        Map<String, byte[]> out = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.toList()) {
                if (Files.isSymbolicLink(p)) {
                    out.put(root.relativize(p).toString(), Files.readSymbolicLink(p).toString()
                            .getBytes(StandardCharsets.UTF_8));
                } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) && Files.isReadable(p)) {
                    out.put(root.relativize(p).toString(), Files.readAllBytes(p));
                }
            }
        }
        return out;
    }

    @Test
    void badInputIsOneLineAndRunsNothing(@TempDir Path tmp) throws Exception {
        Path s = scenario(tmp);
        Path file = tmp.resolve("r.csv");
        Map<List<String>, String> cases = new java.util.LinkedHashMap<>();
        cases.put(List.of("--series", "meminfo.MemFre"),
                "simproc: --series: series 'meminfo.MemFre': /proc/meminfo has no field 'MemFre'");
        cases.put(List.of("--series", "meminfo.MemFree,memnfo.Cached"),
                "simproc: --series: series: unknown value 'memnfo' (meminfo.FIELD, vmstat.FIELD, stat.FIELD,"
                        + " loadavg.avg1, pressure.memory.some.avg10, sys.A.B, ksm.FILE, khugepaged.FILE, zram0.mm_stat.FIELD,"
                        + " zoneinfo(zone=Z).FIELD,"
                        + " buddyinfo(zone=Z).orderN, slabinfo(CACHE).FIELD, cgroup(\"PATH\").FILE[.KEY],"
                        + " PID(...).FILE...) at character 1 of 'memnfo.Cached'");
        cases.put(List.of("--series", "meminfo.MemFree +"),
                "simproc: --series: series: expected a value at character 18 of 'meminfo.MemFree +'");
        cases.put(List.of("--series", "PID(process=db).status.VmRSS"),
                "simproc: --series: series: unknown process 'db' (no earlier entry spawns or forks it) at character 13"
                        + " of 'PID(process=db).status.VmRSS'");
        cases.put(List.of("--every", "0"), "simproc: --every: 0 is less than one jiffy (4ms), the clock's resolution");
        cases.put(List.of("--every", "often"),
                "simproc: --every: 'often' is not a duration (use e.g. 500ms, 30s, 5m, 2h)");
        cases.put(List.of("--epoch", "yesterday"),
                "simproc: --epoch: 'yesterday' is not an ISO-8601 instant (e.g. 2026-01-01T00:00:00Z)");
        for (Map.Entry<List<String>, String> c : cases.entrySet()) {
            std.reset();
            std.reset();
            List<String> args = new ArrayList<>(List.of("run", s.toString(), "--record", file.toString(), "-q"));
            args.addAll(c.getKey());
            assertEquals(1, run(args.toArray(String[]::new)), c.getKey().toString());
            assertEquals(c.getValue() + "\n", std.err(), c.getKey().toString());
            assertEquals("", std.out(), "no expectation ran");
            assertFalse(Files.exists(file), "no file written");
        }
        std.reset();
        assertEquals(1, run("run", s.toString(), "--record", tmp.resolve("r.json").toString(), "-q"));
        assertEquals("simproc: --record: " + tmp.resolve("r.json") + ": unknown recording format (name it .csv for"
                + " CSV, .om or .txt for OpenMetrics)\n", std.err());
        try (Stream<Path> left = Files.list(tmp)) {
            assertEquals(List.of(s), left.toList(), "nothing written");
        }
        std.reset();
        assertEquals(1, run("run", s.toString(), "-q"));
        assertEquals("simproc: nothing to write: give --out DIR (trees), --record FILE (a recording) or both\n",
                std.err());
    }
}
