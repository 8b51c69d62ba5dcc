package io.simproc.it;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * numastat (numactl's) through simproc-exec on machines whose processes run under memory policies: each of its
 * numbers is the simulated node's numastat file, the nodes add up to /proc/vmstat's numa_* lines, and what the
 * policies did shows — interleave_hit on both nodes, remote hits of a bound process, and numa_miss/numa_foreign
 * once a preferred node is full.
 */
class NumaToolsIT {
    private static final String[] ROWS = {"numa_hit", "numa_miss", "numa_foreign", "interleave_hit", "local_node",
        "other_node"};
    /** /proc/vmstat's names of the same counters (enum numa_stat_item's vmstat_text). */
    private static final String[] VMSTAT = {"numa_hit", "numa_miss", "numa_foreign", "numa_interleave", "numa_local",
        "numa_other"};

    private static final String POLICIES = """
            name: policies
            timeline:
              - spawn: {name: spread, program: python3.11, args: [python3, /opt/spread.py], mempolicy: interleave}
              - malloc: {process: spread, size: 256M, write: true}
              - spawn: {name: pinned, program: python3.11, args: [python3, /opt/pinned.py], mempolicy: "bind:1"}
              - malloc: {process: pinned, size: 128M, write: true}
            """;

    @Test
    void numastatShowsInterleavedAndBoundPagesOnTheTwoNodeServer() throws Exception {
        String profile = MountedMachine.basedir().resolve("samples/machines/server-2node-64g.yaml").toString();
        Path scenario = Files.createTempFile("simproc-numa-", ".yaml");
        try (MountedMachine m = MountedMachine.start("--machine", profile, "--paused")) {
            Files.writeString(scenario, POLICIES);
            Map<String, long[]> before = numastat(m);
            m.ctl("apply", scenario.toString()).assertOk("ctl apply");
            m.ctl("advance", "2s").assertOk("ctl advance");
            Map<String, long[]> after = numastat(m);
            // The server has THP always: 256 MiB are 128 huge pages, and numastat counts allocations, not pages.
            for (int nid = 0; nid < 2; nid++) {
                long spread = after.get("interleave_hit")[nid] - before.get("interleave_hit")[nid];
                assertTrue(spread >= 64, "half of the 128 huge pages interleaved onto node " + nid + ": " + spread);
            }
            long bound = after.get("numa_hit")[1] - before.get("numa_hit")[1];
            assertTrue(bound >= 64, "pinned's 64 huge pages are node 1 hits: " + bound);
            Map<String, Long> node1 = nodeMeminfo(m, 1);
            assertTrue(node1.get("AnonHugePages") >= 192 << 10, "node 1 holds half of spread and all of pinned"
                    + " (less the unaligned ends of their mappings): " + node1);
            assertEquals(before.get("numa_miss")[0] + before.get("numa_miss")[1],
                    after.get("numa_miss")[0] + after.get("numa_miss")[1], "no node was full: no miss");
        } finally {
            Files.deleteIfExists(scenario);
        }
    }

    @Test
    void numastatShowsTheFallbackOfTheNumaSample() throws Exception {
        String sample = MountedMachine.basedir().resolve("samples/scenarios/numa-fallback.yaml").toString();
        try (MountedMachine m = MountedMachine.start("--scenario", sample, "--paused")) {
            m.ctl("advance", "7s").assertOk("ctl advance");
            String status = m.ctl("status").assertOk("ctl status").out();
            assertTrue(status.contains("expectations: 9 passed, 0 failed"), status);
            Map<String, long[]> t = numastat(m);
            assertTrue(t.get("numa_miss")[1] > 100L * 256, "node 1 served pages meant for node 0");
            assertEquals(t.get("numa_miss")[1], t.get("numa_foreign")[0], "node 0's foreign are node 1's misses");
            assertEquals(0, t.get("numa_miss")[0]);
            assertTrue(t.get("interleave_hit")[1] > 0);
        }
    }

    /**
     * numastat's table, each cell checked against nodeN/numastat, and each row's sum against /proc/vmstat (read
     * while the machine is paused, so nothing moves in between).
     */
    private static Map<String, long[]> numastat(MountedMachine m) throws Exception {
        String out = m.exec("numastat").assertOk("numastat").out();
        Map<String, long[]> table = new LinkedHashMap<>();
        for (String line : out.lines().toList()) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 3 && f[1].matches("[0-9]+")) {
                table.put(f[0], new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])});
            }
        }
        assertEquals(java.util.List.of(ROWS), java.util.List.copyOf(table.keySet()), out);
        Map<String, Long> vmstat = new LinkedHashMap<>();
        for (String line : m.read("vmstat").lines().toList()) {
            String[] f = line.split(" ");
            vmstat.put(f[0], Long.parseLong(f[1]));
        }
        for (int nid = 0; nid < 2; nid++) {
            for (String line : sys(m, "devices/system/node/node" + nid + "/numastat").lines().toList()) {
                String[] f = line.split(" ");
                assertEquals(Long.parseLong(f[1]), table.get(f[0])[nid], "numastat " + f[0] + " of node " + nid);
            }
        }
        for (int i = 0; i < ROWS.length; i++) {
            long[] row = table.get(ROWS[i]);
            assertEquals((long) vmstat.get(VMSTAT[i]), row[0] + row[1], ROWS[i] + " summed over the nodes");
        }
        return table;
    }

    private static Map<String, Long> nodeMeminfo(MountedMachine m, int nid) throws IOException {
        Map<String, Long> out = new LinkedHashMap<>();
        for (String line : sys(m, "devices/system/node/node" + nid + "/meminfo").lines().toList()) {
            String[] f = line.substring(("Node " + nid + " ").length()).trim().split("\\s+");
            out.put(f[0].substring(0, f[0].length() - 1), Long.parseLong(f[1]));
        }
        return out;
    }

    private static String sys(MountedMachine m, String path) throws IOException {
        return MountedMachine.catFile(m.sysDir().resolve(path));
    }
}
