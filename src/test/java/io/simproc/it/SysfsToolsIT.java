package io.simproc.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real tools that read /sys, through simproc-exec on the paused 2-node 64 GiB machine (so that nothing moves
 * between a tool's reading and the test's): cat, lsmem, numactl --hardware, numastat, numastat -m, lscpu and
 * psutil's CPU counts each show what the simulated machine's files say — never the host's single node.
 */
class SysfsToolsIT {
    private static MountedMachine machine;

    @BeforeAll
    static void mount() throws Exception {
        machine = MountedMachine.start("--machine",
                MountedMachine.basedir().resolve("samples/machines/server-2node-64g.yaml").toString(), "--paused");
    }

    @AfterAll
    static void unmount() throws Exception {
        if (machine != null) {
            machine.close();
        }
    }

    private static String sys(String path) throws IOException {
        return MountedMachine.catFile(machine.sysDir().resolve(path));
    }

    private static String exec(String... command) throws Exception {
        return machine.exec(command).assertOk(String.join(" ", command)).out();
    }

    @Test
    void catSeesTheSimulatedSys() throws Exception {
        assertEquals("0-1\n", exec("cat", "/sys/devices/system/node/online"));
        assertEquals(sys("devices/system/node/node1/meminfo"), exec("cat", "/sys/devices/system/node/node1/meminfo"));
        assertEquals(sys("devices/system/cpu/online"), exec("cat", "/sys/devices/system/cpu/online"));
    }

    @Test
    void lsmemListsTheSimulatedMemoryBlocks() throws Exception {
        long size = Long.parseLong(sys("devices/system/memory/block_size_bytes").trim(), 16);
        List<String> rows = exec("lsmem", "-a", "-r", "-b", "-n", "-o", "BLOCK,NODE,ZONES,STATE,SIZE").lines().toList();
        List<String> expected = new ArrayList<>();
        try (var dirs = Files.list(machine.sysDir().resolve("devices/system/memory"))) {
            for (Path d : dirs.filter(p -> p.getFileName().toString().matches("memory[0-9]+"))
                    .sorted((a, b) -> Integer.compare(id(a), id(b))).toList()) {
                String node;
                try (var links = Files.list(d)) {
                    node = links.map(p -> p.getFileName().toString()).filter(n -> n.matches("node[0-9]+")).sorted()
                            .findFirst().orElseThrow().substring(4);
                }
                String zone = MountedMachine.catFile(d.resolve("valid_zones")).trim();
                expected.add(id(d) + " " + node + " " + zone + " " + MountedMachine.catFile(d.resolve("state")).trim()
                        + " " + size);
            }
        }
        assertEquals(expected.size(), rows.size(), String.join("\n", rows));
        for (int i = 0; i < rows.size(); i++) {
            assertEquals(expected.get(i).toLowerCase(Locale.ROOT), rows.get(i).toLowerCase(Locale.ROOT));
        }
        String summary = exec("lsmem", "-b");
        assertTrue(summary.lines().anyMatch(l -> l.startsWith("Memory block size:") && l.endsWith(" " + size)),
                summary);
        assertTrue(summary.lines().anyMatch(l -> l.startsWith("Total online memory:")
                && l.endsWith(" " + size * expected.size())), summary);
    }

    private static int id(Path memoryDir) {
        return Integer.parseInt(memoryDir.getFileName().toString().substring(6));
    }

    @Test
    void numactlShowsTwoNodesWithTheirCpusSizesAndDistances() throws Exception {
        String out = exec("numactl", "--hardware");
        assertTrue(out.startsWith("available: 2 nodes (0-1)\n"), out);
        for (int nid = 0; nid < 2; nid++) {
            Map<String, Long> m = nodeMeminfo(nid);
            String cpus = String.join(" ", expand(sys("devices/system/node/node" + nid + "/cpulist")));
            assertTrue(out.contains("node " + nid + " cpus: " + cpus + "\n"), out);
            assertTrue(out.contains("node " + nid + " size: " + m.get("MemTotal") / 1024 + " MB\n"), out);
            assertTrue(out.contains("node " + nid + " free: " + m.get("MemFree") / 1024 + " MB\n"), out);
        }
        assertTrue(out.contains("  0:  10  20 \n  1:  20  10 \n"), out);
    }

    @Test
    void numastatShowsTheNodesCounters() throws Exception {
        Map<String, long[]> table = new LinkedHashMap<>();
        for (String line : exec("numastat").lines().toList()) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 3 && f[1].matches("[0-9]+")) {
                table.put(f[0], new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])});
            }
        }
        for (int nid = 0; nid < 2; nid++) {
            for (String line : sys("devices/system/node/node" + nid + "/numastat").lines().toList()) {
                String[] f = line.split(" ");
                assertEquals(Long.parseLong(f[1]), table.get(f[0])[nid], "numastat " + f[0] + " of node " + nid);
            }
        }
        Map<String, double[]> mb = new LinkedHashMap<>();
        for (String line : exec("numastat", "-m").lines().toList()) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 4 && f[1].matches("[0-9]+\\.[0-9]+")) {
                mb.put(f[0], new double[] {Double.parseDouble(f[1]), Double.parseDouble(f[2])});
            }
        }
        assertTrue(mb.containsKey("MemTotal") && mb.containsKey("AnonPages"), mb.keySet().toString());
        for (int nid = 0; nid < 2; nid++) {
            Map<String, Long> m = nodeMeminfo(nid);
            for (Map.Entry<String, double[]> e : mb.entrySet()) {
                if (m.containsKey(e.getKey()) && !e.getKey().startsWith("HugePages_")) {
                    assertEquals(m.get(e.getKey()) / 1024.0, e.getValue()[nid], 0.006,
                            "numastat -m " + e.getKey() + " of node " + nid);
                }
            }
        }
    }

    @Test
    void aHugetlbPoolWrittenThroughTheMountShowsInMeminfoAndNumastat() throws Exception {
        Path nr = machine.sysDir().resolve("kernel/mm/hugepages/hugepages-2048kB/nr_hugepages");
        Files.writeString(nr, "101\n");
        try {
            assertEquals("101\n", MountedMachine.catFile(nr));
            String meminfo = MountedMachine.catFile(machine.dir().resolve("meminfo"));
            assertTrue(meminfo.contains("\nHugePages_Total:     101\n"), meminfo);
            assertTrue(meminfo.contains("\nHugetlb:          206848 kB\n"), meminfo);
            Map<String, double[]> mb = new LinkedHashMap<>();
            for (String line : exec("numastat", "-m").lines().toList()) {
                String[] f = line.trim().split("\\s+");
                if (f.length == 4 && f[0].startsWith("HugePages_")) {
                    mb.put(f[0], new double[] {Double.parseDouble(f[1]), Double.parseDouble(f[2])});
                }
            }
            long total = 0;
            for (int nid = 0; nid < 2; nid++) {
                long n = Long.parseLong(sys("devices/system/node/node" + nid
                        + "/hugepages/hugepages-2048kB/nr_hugepages").trim());
                assertEquals(n, nodeMeminfo(nid).get("HugePages_Total"), "node " + nid);
                assertEquals(n * 2.0, mb.get("HugePages_Total")[nid], 0.006, "numastat -m, node " + nid);
                total += n;
            }
            assertEquals(101, total, "the nodes' shares sum to the pool");
        } finally {
            Files.writeString(nr, "0\n");
        }
    }

    @Test
    void lscpuAndPsutilCountTheSimulatedCpus() throws Exception {
        String lscpu = exec("lscpu");
        assertTrue(lscpu.matches("(?s).*\\nCPU\\(s\\): +16\\n.*"), lscpu);
        assertTrue(lscpu.matches("(?s).*\\nSocket\\(s\\): +2\\n.*"), lscpu);
        assertTrue(lscpu.matches("(?s).*\\nCore\\(s\\) per socket: +8\\n.*"), lscpu);
        assertTrue(lscpu.matches("(?s).*\\nNUMA node1 CPU\\(s\\): +8-15\\n.*"), lscpu);
        String counts = exec("/usr/bin/python3", "-c",
                "import psutil; print(psutil.cpu_count(), psutil.cpu_count(logical=False))");
        assertEquals("16 16\n", counts);
    }

    @Test
    void aWriteThroughTheSysMountIsJournaledForCheckpoints() throws Exception {
        Path defrag = machine.sysDir().resolve("kernel/mm/transparent_hugepage/defrag");
        Files.writeString(defrag, "defer+madvise\n");
        assertEquals("always defer [defer+madvise] madvise never\n", MountedMachine.catFile(defrag));
        Path saved = Files.createTempFile("simproc-sys-", ".simproc");
        try {
            machine.ctl("save", saved.toString()).assertOk("ctl save");
            String path = "b" + java.util.Base64.getEncoder().encodeToString(
                    "/kernel/mm/transparent_hugepage/defrag".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            assertTrue(Files.readString(saved).lines().anyMatch(l -> l.startsWith("write-sys ") && l.contains(path)),
                    Files.readString(saved));
        } finally {
            Files.deleteIfExists(saved);
        }
    }

    private static Map<String, Long> nodeMeminfo(int nid) throws IOException {
        Map<String, Long> out = new LinkedHashMap<>();
        for (String line : sys("devices/system/node/node" + nid + "/meminfo").lines().toList()) {
            String[] f = line.substring(("Node " + nid + " ").length()).trim().split("\\s+");
            out.put(f[0].substring(0, f[0].length() - 1), Long.parseLong(f[1]));
        }
        return out;
    }

    /** "0-7" → ["0", ..., "7"]. */
    private static List<String> expand(String list) {
        List<String> out = new ArrayList<>();
        for (String part : list.trim().split(",")) {
            String[] r = part.split("-");
            for (int c = Integer.parseInt(r[0]); c <= Integer.parseInt(r[r.length - 1]); c++) {
                out.add(Integer.toString(c));
            }
        }
        return out;
    }
}
