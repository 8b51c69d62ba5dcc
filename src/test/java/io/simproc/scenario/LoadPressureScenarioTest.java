package io.simproc.scenario;

import io.simproc.kernel.Task;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Task states, the load average and pressure stall information over the sample scenarios that make pressure: what
 * /proc/PID/stat, status, /proc/stat, loadavg and /proc/pressure show agrees at every instant, the totals never go
 * back, and the averages rise while the machine stalls and decay after.
 */
class LoadPressureScenarioTest {
    private static final List<String> PRESSURE = List.of("cpu", "io", "memory");

    /** Every pressure total as read now: "memory some" → µs. */
    private static Map<String, Long> totals(ScenarioFixture f) {
        Map<String, Long> out = new HashMap<>();
        for (String res : PRESSURE) {
            for (String line : f.read("/pressure/" + res).split("\n")) {
                String[] w = line.split(" ");
                out.put(res + " " + w[0], Long.parseLong(w[4].substring("total=".length())));
            }
        }
        return out;
    }

    /** Run to scenario time {@code t}; no pressure total is below its value {@code before}. Returns them now. */
    private static Map<String, Long> advance(ScenarioFixture f, long t, Map<String, Long> before) {
        f.until(t);
        Map<String, Long> now = totals(f);
        for (Map.Entry<String, Long> e : now.entrySet()) {
            assertTrue(e.getValue() >= before.get(e.getKey()), e.getKey() + " went back at " + t + " ms");
        }
        return now;
    }

    private static double avg(ScenarioFixture f, String res, String line, int window) {
        for (String l : f.read("/pressure/" + res).split("\n")) {
            if (l.startsWith(line + " ")) {
                String kv = l.split(" ")[1 + window];
                return Double.parseDouble(kv.substring(kv.indexOf('=') + 1));
            }
        }
        throw new AssertionError("no " + line + " line in pressure/" + res);
    }

    private static long statField(ScenarioFixture f, String key) {
        for (String l : f.read("/stat").split("\n")) {
            if (l.startsWith(key + " ")) {
                return Long.parseLong(l.substring(key.length() + 1).trim());
            }
        }
        throw new AssertionError("no " + key + " in /proc/stat");
    }

    private static double load1(ScenarioFixture f) {
        return Double.parseDouble(f.read("/loadavg").split(" ")[0]);
    }

    /**
     * The states agree: /proc/stat's procs_running is loadavg's running count and the number of tasks whose stat
     * shows R; each task's status State has its stat letter; procs_blocked counts tasks in D. Returns the states
     * of the named tasks.
     */
    private static String statesAgree(ScenarioFixture f, List<String> labels) {
        int r = 0;
        int d = 0;
        for (Task t : f.kernel.tasks().all()) {
            String stat = f.read("/" + t.pid() + "/stat");
            char letter = stat.charAt(stat.lastIndexOf(')') + 2);
            String status = f.read("/" + t.pid() + "/status");
            assertTrue(status.contains("\nState:\t" + letter + " ("), t.pid() + ": " + letter + " vs status");
            r += letter == 'R' ? 1 : 0;
            d += letter == 'D' ? 1 : 0;
        }
        assertEquals(r, statField(f, "procs_running"));
        assertTrue(statField(f, "procs_blocked") <= d, "blocked tasks are in D");
        String[] loadavg = f.read("/loadavg").split(" ");
        assertEquals(r, Integer.parseInt(loadavg[3].split("/")[0]));
        StringBuilder states = new StringBuilder();
        for (String label : labels) {
            Task t = f.run.lastProcess(label);
            String stat = f.read("/" + t.pid() + "/stat");
            states.append(stat.charAt(stat.lastIndexOf(')') + 2));
        }
        return states.toString();
    }

    @Test
    void thrashingWorkersLoadTheMachineAndStallOnMemoryThenItDecays() {
        Scenario s = ScenarioFixture.load(Path.of("samples/scenarios/thrashing-load.yaml"));
        ScenarioFixture f = ScenarioFixture.start(s, 7);
        Map<String, Long> before = totals(f.until(0));
        StringBuilder seen = new StringBuilder();
        double load44 = 0;
        double peak = 0;
        for (long t = 2000; t <= 66000; t += 2000) {
            before = advance(f, t, before);
            seen.append(statesAgree(f, List.of("w1", "w2", "w3", "w4")));
            peak = Math.max(peak, avg(f, "memory", "some", 0));
            if (t == 44000) {
                load44 = load1(f);
                assertTrue(load44 > 1, "load " + load44);
                assertTrue(avg(f, "memory", "some", 0) > 10, f.read("/pressure/memory"));
                assertTrue(avg(f, "memory", "full", 0) > 10, f.read("/pressure/memory"));
                assertTrue(statField(f, "ctxt") > 0);
            }
        }
        assertTrue(seen.indexOf("D") >= 0 && seen.indexOf("R") >= 0, "workers seen waiting and running: " + seen);
        assertTrue(peak > 20, "peak avg10 " + peak);
        assertTrue(avg(f, "memory", "some", 0) < peak / 4, "avg10 decays from " + peak + ": "
                + f.read("/pressure/memory"));
        assertTrue(avg(f, "memory", "some", 2) > 1, "avg300 remembers");
        assertTrue(load1(f) < load44, "the load average falls");
        assertEquals(List.of(), f.problems());
    }

    private static long vmstat(ScenarioFixture f, String key) {
        for (String l : f.read("/vmstat").split("\n")) {
            if (l.startsWith(key + " ")) {
                return Long.parseLong(l.substring(key.length() + 1));
            }
        }
        throw new AssertionError("no " + key + " in /proc/vmstat");
    }

    /**
     * The swappiness sample's first phase, the reader reading the index again while reclaim evicts it. At first
     * the index's pages were never on the active list, so the workingset restores hardly any of its refaults
     * (workingset_restore_file near 0): the reader waits for the disk in iowait only, not in a memory stall
     * (folio_wait_bit_common() stalls only on PG_workingset folios). Once refaulted pages were activated and
     * deactivated again (PG_workingset) before being evicted, their refaults are restores, and the reader's waits
     * for them are memory stalls.
     */
    @Test
    void theSwappinessScenariosCacheThrashingIsMemoryPressureOnceTheWorkingsetRestoresIt() {
        Scenario s = ScenarioFixture.load(Path.of("samples/scenarios/swappiness-10-vs-100.yaml"));
        ScenarioFixture f = ScenarioFixture.start(s, 7);
        Map<String, Long> before = totals(f.until(0));
        StringBuilder reader = new StringBuilder();
        Map<String, Long> at14 = null;
        for (long t = 1000; t <= 24000; t += 1000) {
            before = advance(f, t, before);
            reader.append(statesAgree(f, List.of("reader")));
            if (t == 14000) {
                at14 = before;
                long refaults = vmstat(f, "workingset_refault_file");
                assertTrue(refaults > 10_000, "the index refaults");
                assertTrue(vmstat(f, "workingset_restore_file") * 100 < refaults, "hardly any of it restored yet");
                assertTrue(before.get("memory some") * 20 < before.get("io some"),
                        "the refault reads are iowait, not memory stalls: " + before);
            }
        }
        assertTrue(vmstat(f, "workingset_restore_file") > 10_000, "the workingset restores the index");
        long stalled = before.get("memory some") - at14.get("memory some");
        long waited = before.get("io some") - at14.get("io some");
        assertTrue(stalled > 250_000 && stalled <= waited, "restored refaults are memory stalls within the io"
                + " waits: " + stalled + " of " + waited + " µs");
        assertTrue(avg(f, "memory", "some", 0) > 2, f.read("/pressure/memory"));
        assertTrue(avg(f, "io", "some", 0) >= avg(f, "memory", "some", 0), f.read("/pressure/io"));
        assertTrue(reader.indexOf("R") >= 0, "the reader was seen running: " + reader);
    }

    /** /proc/stat's iowait of all CPUs in milliseconds (USER_HZ ticks of 10 ms). */
    private static long iowaitMillis(ScenarioFixture f) {
        String[] cpu = f.read("/stat").split("\n")[0].trim().split(" +");
        return Long.parseLong(cpu[5]) * 10;
    }

    /** io_ticks of the whole disk {@code disk} in /proc/diskstats, ms the device was busy. */
    private static long ioTicks(ScenarioFixture f, String disk) {
        for (String l : f.read("/diskstats").split("\n")) {
            String[] w = l.trim().split(" +");
            if (w[2].equals(disk)) {
                return Long.parseLong(w[12]);
            }
        }
        throw new AssertionError("no " + disk + " in /proc/diskstats");
    }

    /**
     * The swappiness sample, with a quiet tail of 30 s after its last phase: the stall totals never go back; while
     * the reader alone reads the evicted index (10 s-24 s) the time it waits — /proc/stat's iowait — is the time
     * the disk was busy serving it (diskstats' io_ticks), as the block layer's service time gives it; it is in D
     * (procs_blocked) right after each batch of reads; the memory averages rise while it thrashes and decay in the
     * tail.
     */
    @Test
    void theSwappinessScenariosStallsAreTheDisksTimeAndDecayInAQuietTail() throws IOException {
        Path file = Path.of("samples/scenarios/swappiness-10-vs-100.yaml");
        String sample = Files.readString(file);
        String text = sample.replace("\nduration: 67s\n", "\nduration: 97s\n");
        assertNotEquals(sample, text, "the sample's duration line");
        Scenario s = new ScenarioParser(StepRegistry.standard()).parse(file.toString(), text,
                file.toAbsolutePath().getParent());
        ScenarioFixture f = ScenarioFixture.start(s, 7);
        Map<String, Long> before = totals(f.until(0));
        for (long t = 1000; t <= 10000; t += 1000) {
            before = advance(f, t, before);
        }
        long iowait10 = iowaitMillis(f);
        long busy10 = ioTicks(f, "vda");
        int blocked = 0;
        for (long t = 10004; t <= 10100; t += 4) {
            f.until(t);
            blocked += statField(f, "procs_blocked") > 0 ? 1 : 0;
        }
        assertTrue(blocked > 0, "the reader is seen waiting for the disk");
        double peak = 0;
        double ioPeak = 0;
        for (long t = 11000; t <= 67000; t += 1000) {
            before = advance(f, t, before);
            peak = Math.max(peak, avg(f, "memory", "some", 0));
            ioPeak = Math.max(ioPeak, avg(f, "io", "some", 0));
            if (t == 24000) {
                long waited = iowaitMillis(f) - iowait10;
                long busy = ioTicks(f, "vda") - busy10;
                assertTrue(busy > 1000, "the disk served the reader: " + busy + " ms");
                assertEquals(busy, waited, busy * 0.02, "iowait " + waited + " ms, disk busy " + busy + " ms");
            }
        }
        assertTrue(peak > 2, "memory some avg10 peaked at " + peak);
        assertTrue(ioPeak >= peak, "refault waits are waits for I/O: io " + ioPeak + ", memory " + peak);
        for (long t = 68000; t <= 97000; t += 1000) {
            before = advance(f, t, before);
        }
        assertTrue(avg(f, "memory", "some", 0) < peak / 4, "avg10 decays from " + peak + ": "
                + f.read("/pressure/memory"));
        assertTrue(avg(f, "memory", "some", 2) > avg(f, "memory", "some", 0), "the 300 s average remembers: "
                + f.read("/pressure/memory"));
        assertEquals(List.of(), f.problems());
    }
}
