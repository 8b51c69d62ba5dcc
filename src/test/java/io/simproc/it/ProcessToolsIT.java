package io.simproc.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Process tools against the default machine's population, mounted at a millionth of real speed so that a tool's
 * numbers can be compared exactly with the files: ps and top (through simproc-exec, in a pid namespace), pmap,
 * smem on a `simproc run` tree, psutil's process APIs, node_exporter's processes collector, and oom_score_adj
 * written through the mount.
 */
class ProcessToolsIT {
    private static MountedMachine machine;

    @BeforeAll
    static void mount() throws Exception {
        machine = MountedMachine.start("--seed", "21", "--speed", "0.000001");
    }

    @AfterAll
    static void unmount() throws Exception {
        if (machine != null) {
            machine.close();
        }
    }

    /** kB values of one /proc/PID/status. */
    private static Map<String, Long> status(String pid) throws Exception {
        Map<String, Long> m = new HashMap<>();
        for (String line : machine.read(pid + "/status").split("\n")) {
            String[] f = line.split(":\\s+");
            if (f.length == 2 && f[1].endsWith(" kB")) {
                m.put(f[0], Long.parseLong(f[1].replace(" kB", "").trim()));
            }
        }
        return m;
    }

    private static List<String> userPids() throws Exception {
        List<String> pids = new ArrayList<>();
        try (var dirs = Files.list(machine.dir())) {
            for (Path p : dirs.toList()) {
                String name = p.getFileName().toString();
                if (name.matches("\\d+") && !machine.read(name + "/cmdline").isEmpty()) {
                    pids.add(name);
                }
            }
        }
        assertTrue(pids.size() > 20, "the default population: " + pids);
        return pids;
    }

    @Test
    void psShowsStatusVszAndRss() throws Exception {
        String out = machine.exec("ps", "-eo", "pid=,vsz=,rss=").assertOk("ps").out();
        int checked = 0;
        for (String line : out.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f[2].equals("0")) {
                continue;
            }
            Map<String, Long> st = status(f[0]);
            assertEquals(st.get("VmSize"), Long.parseLong(f[1]), "VSZ of " + f[0]);
            assertEquals(st.get("VmRSS"), Long.parseLong(f[2]), "RSS of " + f[0]);
            checked++;
        }
        assertTrue(checked > 20, out);
        String aux = machine.exec("ps", "aux").assertOk("ps aux").out();
        assertTrue(aux.contains("nginx: worker process") && aux.contains("[kthreadd]"), aux);
    }

    @Test
    void topShowsStatmResidentAndVirtual() throws Exception {
        String out = machine.exec("top", "-bn1", "-w", "200").assertOk("top").out();
        assertTrue(out.contains("Tasks:"), out);
        int checked = 0;
        for (String line : out.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 12 || !f[0].matches("\\d+") || f[5].equals("0")) {
                continue;
            }
            String[] statm = machine.read(f[0] + "/statm").trim().split(" ");
            assertEquals(Long.parseLong(statm[0]) * 4, Long.parseLong(f[4]), "VIRT of " + f[0]);
            assertEquals(Long.parseLong(statm[1]) * 4, Long.parseLong(f[5]), "RES of " + f[0]);
            assertEquals(Long.parseLong(statm[2]) * 4, Long.parseLong(f[6]), "SHR of " + f[0]);
            checked++;
        }
        assertTrue(checked > 20, out);
    }

    @Test
    void pmapTotalsEqualSmaps() throws Exception {
        for (String pid : userPids().subList(0, 6)) {
            String out = machine.exec("pmap", "-x", pid).assertOk("pmap").out();
            String total = out.lines().filter(l -> l.startsWith("total kB")).findFirst().orElseThrow();
            String[] f = total.trim().split("\\s+");
            long rss = 0;
            long size = 0;
            long dirty = 0;
            for (String line : machine.read(pid + "/smaps").split("\n")) {
                if (line.startsWith("Size:")) {
                    size += kb(line);
                } else if (line.startsWith("Rss:")) {
                    rss += kb(line);
                } else if (line.startsWith("Private_Dirty:") || line.startsWith("Shared_Dirty:")) {
                    dirty += kb(line);
                }
            }
            assertEquals(size, Long.parseLong(f[2]), "pmap Kbytes of " + pid + "\n" + out);
            assertEquals(rss, Long.parseLong(f[3]), "pmap RSS of " + pid);
            assertEquals(dirty, Long.parseLong(f[4]), "pmap Dirty of " + pid);
        }
    }

    private static long kb(String line) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
    }

    @Test
    void smemOnAStaticTreeEqualsSmaps() throws Exception {
        Path out = Files.createTempDirectory("simproc-smem-");
        try {
            Exec.run(List.of("java", "-jar", MountedMachine.jar().toString(), "run", "--seed", "21", "--quiet",
                    "--out", out.toString()), 120).assertOk("simproc run");
            String table = Exec.run(List.of("smem", "-S", out.toString(), "-c", "pid uss pss rss", "-H"), 60)
                    .assertOk("smem").out();
            int checked = 0;
            for (String line : table.split("\n")) {
                String[] f = line.trim().split("\\s+");
                Path smaps = out.resolve("proc").resolve(f[0]).resolve("smaps");
                long pss = 0;
                long rss = 0;
                long uss = 0;
                for (String s : Files.readAllLines(smaps)) {
                    if (s.startsWith("Pss:")) {
                        pss += kb(s);
                    } else if (s.startsWith("Rss:")) {
                        rss += kb(s);
                    } else if (s.startsWith("Private_Clean:") || s.startsWith("Private_Dirty:")) {
                        uss += kb(s);
                    }
                }
                assertEquals(uss, Long.parseLong(f[1]), "USS of " + f[0]);
                assertEquals(pss, Long.parseLong(f[2]), "PSS of " + f[0]);
                assertEquals(rss, Long.parseLong(f[3]), "RSS of " + f[0]);
                checked++;
            }
            assertTrue(checked > 20, table);
        } finally {
            Exec.run(List.of("rm", "-rf", out.toString()), 60);
        }
    }

    @Test
    void psutilProcessMemoryAgreesWithTheFiles() throws Exception {
        String pid = machine.exec("pgrep", "-xo", "postgres").assertOk("pgrep").out().trim();
        String script = "import psutil\npsutil.PROCFS_PATH = '" + machine.dir() + "'\n"
                + "p = psutil.Process(" + pid + ")\nmi = p.memory_info()\nfi = p.memory_full_info()\n"
                + "maps = p.memory_maps()\n"
                + "print(mi.rss, mi.vms, fi.uss, fi.pss, sum(m.rss for m in maps), sum(m.pss for m in maps))\n";
        String[] v = Exec.run(List.of("/usr/bin/python3", "-c", script), 60).assertOk("psutil").out().trim()
                .split(" ");
        String[] statm = machine.read(pid + "/statm").trim().split(" ");
        assertEquals(Long.parseLong(statm[1]) * 4096, Long.parseLong(v[0]), "rss from statm");
        assertEquals(Long.parseLong(statm[0]) * 4096, Long.parseLong(v[1]), "vms from statm");
        Map<String, Long> rollup = new HashMap<>();
        for (String line : machine.read(pid + "/smaps_rollup").split("\n")) {
            if (line.contains(" kB")) {
                rollup.put(line.substring(0, line.indexOf(':')), kb(line));
            }
        }
        assertEquals(rollup.get("Private_Clean") + rollup.get("Private_Dirty"), Long.parseLong(v[2]) / 1024, "uss");
        assertEquals(rollup.get("Pss"), Long.parseLong(v[3]) / 1024, "pss");
        assertEquals(rollup.get("Rss") * 1024, Long.parseLong(v[4]), "memory_maps rss adds up to Rss");
    }

    @Test
    void nodeExporterProcessesCollectorSucceeds() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Process exporter = new ProcessBuilder("prometheus-node-exporter", "--path.procfs=" + machine.dir(),
                "--web.listen-address=127.0.0.1:" + port, "--collector.disable-defaults", "--collector.processes")
                .redirectErrorStream(true).start();
        try {
            String metrics = "";
            for (int i = 0; i < 50 && !metrics.contains("node_processes_pids"); i++) {
                Thread.sleep(200);
                metrics = Exec.run(List.of("curl", "-s", "http://127.0.0.1:" + port + "/metrics"), 10).out();
            }
            assertTrue(metrics.contains("node_scrape_collector_success{collector=\"processes\"} 1"), metrics);
            String loadavg = machine.read("loadavg");
            long threads = Long.parseLong(loadavg.split(" ")[3].split("/")[1]);
            assertTrue(metrics.contains("node_processes_threads " + threads), "threads = loadavg's total: "
                    + loadavg);
        } finally {
            exporter.destroy();
            exporter.waitFor();
        }
    }

    @Test
    void oomScoreAdjThroughTheMount() throws Exception {
        String pid = machine.exec("pgrep", "-xo", "nginx").assertOk("pgrep").out().trim();
        Path adj = machine.dir().resolve(pid + "/oom_score_adj");
        Exec.bash("echo -1000 > " + adj, 10).assertOk("write -1000");
        assertEquals("-1000\n", machine.read(pid + "/oom_score_adj"));
        assertEquals("0\n", machine.read(pid + "/oom_score"), "immune to the OOM killer");
        Exec.Result bad = Exec.bash("echo 1001 > " + adj, 10);
        assertTrue(bad.err().contains("Invalid argument"), bad.err());
        assertEquals("-1000\n", machine.read(pid + "/oom_score_adj"));
        String out = machine.exec("choom", "-p", pid).assertOk("choom").out();
        assertTrue(out.contains("current OOM score: 0") && out.contains("OOM score adjust value: -1000"), out);
        Exec.bash("echo 0 > " + adj, 10).assertOk("restore");
    }
}
