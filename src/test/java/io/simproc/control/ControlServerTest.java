package io.simproc.control;

import io.simproc.kernel.Kernel;
import io.simproc.kernel.MachineProfileLoader;
import io.simproc.kernel.Simulation;
import io.simproc.proc.ProcFs;
import io.simproc.proc.ProcTree;
import io.simproc.scenario.ScenarioEngine;
import io.simproc.sysctl.SysctlTable;
import io.simproc.workload.Machines;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The control socket and its requests, against a small machine without FUSE; the wall clock is a test clock. */
class ControlServerTest {
    @TempDir
    Path mnt;

    private final AtomicLong wall = new AtomicLong();
    private Kernel kernel;
    private ProcFs fs;
    private Simulation sim;
    private ControlServer server;
    private final List<String> out = new ArrayList<>();
    private final List<String> err = new ArrayList<>();
    private final List<Long> progress = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        String profile = """
                memory: 512M
                cpu: 1
                processes:
                  - program: systemd
                    args: [/sbin/init]
                """;
        Machines.Machine m = Machines.start(MachineProfileLoader.parse("t", profile), 1);
        kernel = m.kernel();
        fs = new ProcFs(kernel, ProcTree.create(SysctlTable.create()));
        sim = new Simulation(kernel, wall::get, 1);
        server = ControlServer.start(new Daemon(kernel, sim, new ScenarioEngine(kernel, m.population(), fs), 
                new Journal(MachineSource.profile("t", profile))),
                ControlRequests.standard(), mnt);
    }

    @AfterEach
    void stop() {
        server.close();
        sim.stop();
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
                progress.add(doneMillis);
            }
        });
    }

    @Test
    void theSocketIsReachableOnlyByItsOwner() throws Exception {
        Path dir = server.path().getParent();
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        assertTrue(Files.exists(server.path()));
        server.close();
        assertFalse(Files.exists(server.path()), "closing removes the socket");
        ControlException e = assertThrows(ControlException.class, () -> send("status"));
        assertTrue(e.getMessage().startsWith("no simproc daemon serves " + mnt), e.getMessage());
    }

    @Test
    void advanceRunsTheClockAndStatusShowsIt() {
        double before = kernel.read(k -> k.clock().nanos() / 1e9);
        assertEquals(0, send("advance", "90s"));
        assertTrue(out.get(0).startsWith("advanced 90s in "), out.toString());
        assertEquals(before + 90, kernel.read(k -> k.clock().nanos() / 1e9), 1e-9);
        assertFalse(progress.isEmpty());
        out.clear();
        assertEquals(0, send("pause"));
        assertEquals(0, send("speed", "2.5"));
        assertEquals(0, send("pause"));
        assertEquals(List.of("paused", "speed 2.5x (paused)", "already paused"), out);
        out.clear();
        assertEquals(0, send("status"));
        assertTrue(out.get(1).endsWith("since boot, speed 2.5x, paused"), out.toString());
        assertEquals("scenarios:    none", out.get(3));
    }

    @Test
    void applySpawnKillAndTheirErrors(@TempDir Path tmp) throws Exception {
        Path s = tmp.resolve("s.yaml");
        Files.writeString(s, """
                machine: {memory: 1G}
                timeline:
                  - spawn: {name: app, program: cat}
                  - malloc: {process: app, size: 8M, write: true}
                  - expect: PID(process=app).status.VmRSS > 8M
                  - at: 2s
                    expect: meminfo.MemTotal > 0
                """);
        assertEquals(0, send("apply", s.toString()));
        assertEquals(List.of("warning: " + s + " names a machine; the mounted machine keeps running as it is"), err);
        assertTrue(out.get(0).startsWith("PASS  at 0s     " + s + ":5:13  PID(process=app).status.VmRSS > 8M"),
                out.toString());
        assertTrue(out.get(1).startsWith("applied s: 4 steps over 2s of simulated time, from "), out.toString());

        Files.writeString(s, "timeline:\n  - at: 1s\n    mallok: {}\n");
        ControlException bad = assertThrows(ControlException.class, () -> send("apply", s.toString()));
        assertEquals(1, bad.status());
        assertTrue(bad.getMessage().startsWith(s + ":3:5: unknown key 'mallok'"), bad.getMessage());

        out.clear();
        assertEquals(0, send("spawn", "worker", "--program", "python3.11", "--rss", "16M"));
        assertTrue(out.get(0).startsWith("spawned worker (python3.11), pid "), out.toString());
        String pid = out.get(0).replaceAll(".*pid ", "");
        assertEquals(0, send("kill", pid, "TERM"));
        boolean gone = kernel.read(k -> k.tasks().get(Integer.parseInt(pid)) == null);
        assertTrue(gone, "pid " + pid + " is gone");
        ControlException again = assertThrows(ControlException.class, () -> send("kill", pid));
        assertEquals("kill: kill " + pid + ": No such process", again.getMessage());
        ControlException usage = assertThrows(ControlException.class, () -> send("spawn", "app", "--program",
                "nosuchprogram"));
        assertEquals(2, usage.status());
        assertTrue(usage.getMessage().startsWith("spawn: 'nosuchprogram' is not a program of the catalog"),
                usage.getMessage());
        assertEquals(2, assertThrows(ControlException.class, () -> send("advance")).status());
        assertEquals("unknown request 'frob' (requests: status, apply, advance, pause, resume, speed, spawn, kill,"
                + " dmesg, save, record, pageblocks, cgroup)",
                assertThrows(ControlException.class, () -> send("frob")).getMessage());
    }

    @Test
    void cgroupRequestsMakeWriteMoveAndRemoveAndSpawnGoesIntoOne() {
        assertEquals(0, send("cgroup", "mkdir", "/demo.slice"));
        assertEquals("made /demo.slice", out.get(out.size() - 1));
        assertEquals(0, send("cgroup", "write", "/demo.slice", "cgroup.max.depth", "1"));
        assertEquals(1, (int) kernel.read(k -> k.cgroups().lookup("/demo.slice").maxDepth()));
        assertEquals(0, send("spawn", "app", "--program", "sleep", "--cgroup", "/demo.slice"));
        String pid = out.get(out.size() - 1).replaceAll(".*pid ", "");
        assertEquals("/demo.slice", kernel.read(k -> k.tasks().get(Integer.parseInt(pid)).cgroup().path()));
        ControlException busy = assertThrows(ControlException.class, () -> send("cgroup", "rmdir", "/demo.slice"));
        assertEquals("cgroup rmdir: cgroup_rmdir /demo.slice: Device or resource busy", busy.getMessage());
        assertEquals(0, send("cgroup", "move", pid, "/"));
        assertEquals(0, send("cgroup", "rmdir", "/demo.slice"));
        ControlException missing = assertThrows(ControlException.class, () -> send("cgroup", "mkdir", "/a/b"));
        assertEquals("cgroup mkdir: cgroup_mkdir /a/b: No such file or directory", missing.getMessage());
        assertEquals(2, assertThrows(ControlException.class, () -> send("cgroup", "frob", "/x")).status());
        assertEquals(2, assertThrows(ControlException.class, () -> send("cgroup", "mkdir", "relative")).status());
    }

    @Test
    void dmesgPrintsTheKernelLog() {
        assertEquals(0, send("dmesg"));
        assertTrue(out.get(0).startsWith("[    0.000000] Linux version 6.18.0-simproc"), out.get(0));
        assertTrue(out.stream().allMatch(l -> l.matches("\\[ *\\d+\\.\\d{6}\\] .*")));
    }

    @Test
    void spawnBeyondCommitLimitInStrictModeFailsAndCommitsNothing(@TempDir Path tmp) throws Exception {
        Path s = tmp.resolve("strict.yaml");
        Files.writeString(s, "sysctl: {vm.overcommit_memory: 2}\n");
        assertEquals(0, send("apply", s.toString()));
        ControlException refused = assertThrows(ControlException.class, () -> send("spawn", "x", "--program",
                "python3.11", "--rss", "600M"));
        assertEquals(1, refused.status());
        assertTrue(refused.getMessage().matches("spawn: malloc 600M in x: malloc\\(629145600\\) returned NULL after 0 of 1"
                + " calls: Cannot allocate memory \\(x, pid \\d+, exited with status 1\\)"), refused.getMessage());
        long[] commit = kernel.read(k -> {
            long[] v = new long[2];
            for (String l : new String(fs.render((io.simproc.proc.ProcFile) fs.lookup("/meminfo",
                    io.simproc.uapi.Credentials.ROOT), io.simproc.uapi.Credentials.ROOT)).split("\n")) {
                if (l.startsWith("CommitLimit:")) {
                    v[0] = Long.parseLong(l.replaceAll("\\D", ""));
                } else if (l.startsWith("Committed_AS:")) {
                    v[1] = Long.parseLong(l.replaceAll("\\D", ""));
                }
            }
            return v;
        });
        assertTrue(commit[0] > 0 && commit[1] <= commit[0], "Committed_AS " + commit[1] + " kB > CommitLimit "
                + commit[0] + " kB");
        boolean gone = kernel.read(k -> k.tasks().all().stream().noneMatch(t -> t.comm().equals("x")
                && t.state() != io.simproc.kernel.Task.State.ZOMBIE));
        assertTrue(gone, "x exited");
        out.clear();
        assertEquals(0, send("spawn", "y", "--program", "python3.11", "--rss", "16M"), "within the limit");
        assertTrue(out.get(0).startsWith("spawned y (python3.11), pid "), out.toString());
    }

    private String read(String path) {
        return new String(fs.render((io.simproc.proc.ProcFile) fs.lookup(path, io.simproc.uapi.Credentials.ROOT),
                io.simproc.uapi.Credentials.ROOT), java.nio.charset.StandardCharsets.UTF_8);
    }

    /**
     * {@code --exe PATH} (simproc-exec's stand-in for a real command): the catalog program whose executable is PATH,
     * so that /proc/PID/exe names the command's file; a file the catalog lacks gets the generic program.
     */
    @Test
    void spawnByExecutablePathPicksTheCatalogProgramOfThatFile() {
        assertEquals(0, send("spawn", "java", "--exe", "/usr/lib/jvm/java-17-openjdk-amd64/bin/java"));
        assertTrue(out.get(0).startsWith("spawned java (java), pid "), out.toString());
        int pid = Integer.parseInt(out.get(0).replaceAll(".*pid ", ""));
        assertEquals("/usr/lib/jvm/java-17-openjdk-amd64/bin/java", kernel.read(k -> k.tasks().get(pid).exe()));
        out.clear();
        assertEquals(0, send("spawn", "cat", "--exe", "/opt/elsewhere/bin/cat"));
        assertTrue(out.get(0).startsWith("spawned cat (a generic program), pid "), out.toString());
        int other = Integer.parseInt(out.get(0).replaceAll(".*pid ", ""));
        assertEquals("/usr/bin/" + SpawnRequest.GENERIC_PROGRAM, kernel.read(k -> k.tasks().get(other).exe()));
    }

    /** Any NAME: a generic program (argv [NAME]) whose comm is NAME cut to 15 characters (TASK_COMM_LEN − 1). */
    @Test
    void spawnAnyNameRunsAGenericProgramWithThatComm() {
        assertEquals(0, send("spawn", "my-batch-job.worker", "--rss", "40M"));
        assertTrue(out.get(0).startsWith("spawned my-batch-job.worker (a generic program), pid "), out.toString());
        int pid = Integer.parseInt(out.get(0).replaceAll(".*pid ", ""));
        assertEquals("my-batch-job.wo\n", read("/" + pid + "/comm"));
        assertEquals("my-batch-job.worker\0", read("/" + pid + "/cmdline"));
        String exe = kernel.read(k -> k.tasks().get(pid).exe());
        assertEquals("/usr/bin/" + SpawnRequest.GENERIC_PROGRAM, exe);
        long rss = Long.parseLong(read("/" + pid + "/status").lines().filter(l -> l.startsWith("VmRSS:"))
                .findFirst().orElseThrow().replaceAll("\\D", ""));
        assertTrue(rss > 40 * 1024, "VmRSS " + rss + " kB");
        out.clear();
        assertEquals(0, send("spawn", "idle"));
        assertTrue(out.get(0).startsWith("spawned idle (a generic program), pid "), out.toString());
        ControlException bad = assertThrows(ControlException.class, () -> send("spawn", "two words"));
        assertEquals(2, bad.status());
        assertTrue(bad.getMessage().contains("'two words' is not a usable name"), bad.getMessage());
    }

    /**
     * A spawn the OOM killer takes while it writes its memory dies of SIGKILL: the request says so, and the wait
     * status its parent reaped is "killed by signal 9", not an exit.
     */
    @Test
    void anOomKilledSpawnDiesOfSigkill(@TempDir Path tmp) throws Exception {
        Path s = tmp.resolve("db.yaml");
        Files.writeString(s, """
                timeline:
                  - spawn: {name: db, program: postgres, oom_score_adj: -1000}
                  - malloc: {process: db, size: 300M, write: true}
                """);
        assertEquals(0, send("apply", s.toString()));
        ControlException killed = assertThrows(ControlException.class, () -> send("spawn", "leaky", "--rss",
                "400M"));
        assertEquals(1, killed.status());
        assertTrue(killed.getMessage().matches("spawn: leaky \\(pid \\d+\\) was killed by the OOM killer while"
                + " writing its memory \\(killed by signal 9, SIGKILL\\)"), killed.getMessage());
        int pid = Integer.parseInt(killed.getMessage().replaceAll(".*pid (\\d+).*", "$1"));
        boolean reaped = kernel.read(k -> k.tasks().get(pid) == null);
        assertTrue(reaped, "reaped by init");
        boolean logged = kernel.read(k -> k.log().records().stream().anyMatch(r -> r.text().startsWith(
                "Out of memory: Killed process " + pid + " (leaky)")));
        assertTrue(logged, "the kernel log names it");
    }
}
