package io.simproc.control;

import io.simproc.kernel.Clock;
import io.simproc.kernel.Kernel;
import io.simproc.kernel.MachineProfileLoader;
import io.simproc.kernel.Simulation;
import io.simproc.proc.ProcFs;
import io.simproc.proc.ProcTree;
import io.simproc.record.Recorder;
import io.simproc.record.RecordingFiles;
import io.simproc.record.SeriesSet;
import io.simproc.scenario.ScenarioEngine;
import io.simproc.sysctl.SysctlTable;
import io.simproc.workload.Machines;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code ctl DIR record}: a paused machine is run through the duration, a running one recorded at its pace. */
class RecordRequestTest {
    private static final String PROFILE = """
            memory: 512M
            cpu: 1
            processes:
              - program: systemd
                args: [/sbin/init]
              - program: bash
                args: [-bash]
            """;
    private static final String SERIES = "meminfo.MemFree,vmstat.pgfault,rate(vmstat.pgfault),"
            + "pressure.memory.some.total";

    @TempDir
    Path mnt;
    @TempDir
    Path tmp;

    private final AtomicLong wall = new AtomicLong();
    private final List<String> out = new ArrayList<>();
    private final List<String> err = new ArrayList<>();
    private Simulation sim;
    private ControlServer server;
    private Thread clock;

    private Machines.Machine machine() {
        return Machines.start(MachineProfileLoader.parse("t", PROFILE), 1);
    }

    private ScenarioEngine engine(Machines.Machine m) {
        return new ScenarioEngine(m.kernel(), m.population(), new ProcFs(m.kernel(),
                ProcTree.create(SysctlTable.create())));
    }

    private Kernel serve() throws Exception {
        Machines.Machine m = machine();
        sim = new Simulation(m.kernel(), wall::get, 1);
        server = ControlServer.start(new Daemon(m.kernel(), sim, engine(m), new Journal(MachineSource.profile("t",
                PROFILE))), ControlRequests.standard(), mnt);
        return m.kernel();
    }

    @AfterEach
    void stop() throws Exception {
        if (clock != null) {
            clock.interrupt();
            clock.join();
        }
        if (server != null) {
            server.close();
        }
        if (sim != null) {
            sim.stop();
        }
    }

    private int send(String request, String... args) {
        return ControlClient.send(mnt, request, List.of(args), new ControlClient.Listener() {
            @Override
            public void out(String line) {
                out.add(line);
            }

            @Override
            public void err(String line) {
                err.add(line);
            }

            @Override
            public void progress(long doneMillis, long totalMillis) {
            }
        });
    }

    /** What an offline Recorder of a fresh machine of the same seed writes from {@code startJiffies} on. */
    private byte[] offline(long startJiffies, long forMillis, long every) throws Exception {
        Machines.Machine m = machine();
        Kernel k = m.kernel();
        k.advanceTo(startJiffies);
        Recorder rec = new Recorder(engine(m).observer("ctl record"), SeriesSet.parse(SeriesSet.split(SERIES), null),
                every, Map.of());
        rec.advanceTo(forMillis);
        Path f = tmp.resolve("offline.om");
        RecordingFiles.write(f, rec.recording(), rec.startEpochMillis(), rec.targetLabels());
        return Files.readAllBytes(f);
    }

    @Test
    void aPausedMachineIsRunThroughTheDurationAndStaysPaused() throws Exception {
        Kernel k = serve();
        assertEquals(0, send("pause"));
        long start = k.read(Kernel::jiffies);
        Path f = tmp.resolve("r.om");
        assertEquals(0, send("record", f.toString(), "--for", "3s", "--every", "500ms", "--series", SERIES),
                err.toString());
        assertEquals("recorded " + f + ": 7 samples of 4 series over 3s of simulated time, 0 events", out.get(1));
        assertEquals(start + 3 * Clock.HZ, k.read(Kernel::jiffies));
        assertTrue(sim.paused());
        assertEquals(new String(offline(start, 3000, 500)), Files.readString(f));
    }

    @Test
    void aChartOfTheRecordingBesideIt() throws Exception {
        serve();
        assertEquals(0, send("pause"));
        Path f = tmp.resolve("r.csv");
        Path chart = tmp.resolve("r.svg");
        assertEquals(0, send("record", f.toString(), "--for", "1s", "--series", SERIES, "--plot", chart.toString()),
                err.toString());
        String svg = Files.readString(chart);
        for (String series : SeriesSet.split(SERIES)) {
            assertTrue(svg.contains("data-series='" + series + "'") || svg.contains("data-series=\"" + series + "\""),
                    series + " drawn");
        }
        Path gif = tmp.resolve("r.gif");
        assertThrows(ControlException.class, () -> send("record", f.toString(), "--for", "1s", "--plot",
                gif.toString()));
        assertFalse(Files.exists(gif));
    }

    @Test
    void aRunningMachineIsRecordedAtItsPaceAtExactInstants() throws Exception {
        Kernel k = serve();
        sim.start();
        clock = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                wall.addAndGet(20_000_000L);
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        clock.start();
        Path f = tmp.resolve("live.om");
        assertEquals(0, send("record", f.toString(), "--for", "2s", "--every", "100ms", "--series", SERIES),
                err.toString());
        assertFalse(sim.paused());
        String text = Files.readString(f);
        String first = text.lines().filter(l -> l.startsWith("node_memory_MemFree_bytes")).findFirst().orElseThrow();
        String[] w = first.split(" ");
        long ts = Math.round(Double.parseDouble(w[w.length - 1]) * 1000);
        long startJiffies = (ts - k.bootEpoch() * 1000) * Clock.HZ / 1000;
        assertEquals(21, text.lines().filter(l -> l.startsWith("node_memory_MemFree_bytes")).count());
        assertEquals(new String(offline(startJiffies, 2000, 100)), text,
                "the same values at the same instants as a machine of the same seed run without pacing");
    }

    @Test
    void badRequestsWriteNothing() throws Exception {
        serve();
        Path f = tmp.resolve("r.csv");
        for (List<String> args : List.of(List.of("--every", "1s"), List.of("--for", "1s", "--every", "0"),
                List.of("--for", "1s", "--colour", "red"))) {
            List<String> all = new ArrayList<>(List.of(f.toString()));
            all.addAll(args);
            ControlException e = assertThrows(ControlException.class, () -> send("record", all.toArray(String[]::new)));
            assertEquals(ControlException.USAGE, e.status(), e.getMessage());
        }
        assertEquals("record: " + tmp.resolve("r.json") + ": unknown recording format (name it .csv for CSV, .om or"
                + " .txt for OpenMetrics)", assertThrows(ControlException.class,
                () -> send("record", tmp.resolve("r.json").toString(), "--for", "1s")).getMessage());
        assertEquals("record: series 'meminfo.MemFre': /proc/meminfo has no field 'MemFre'", assertThrows(
                ControlException.class, () -> send("record", f.toString(), "--for", "1s", "--series", "meminfo.MemFre"))
                .getMessage());
        try (var left = Files.list(tmp)) {
            assertEquals(List.of(), left.toList());
        }
    }
}
