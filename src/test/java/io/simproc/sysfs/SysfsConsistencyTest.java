package io.simproc.sysfs;

import io.simproc.proc.ProcText;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * /sys agrees with /proc the way it does on Linux, checked from the rendered text over machines of several shapes
 * (one node, two nodes of 32 GiB, three nodes with hyperthreaded cores and a Movable zone, 1 GiB without Normal)
 * and over states in the middle of memory pressure: every field of the nodes' meminfo sums to meminfo's, their
 * vmstat and numastat to vmstat's; the CPUs' topology is cpuinfo's and the nodes' CPU lists follow it; the memory
 * blocks cover exactly the System RAM of iomem, each in the zone zoneinfo puts it in.
 */
class SysfsConsistencyTest {
    private static final String THREE_NODES = """
            memory: 6G
            nodes: 3
            movablecore: 1G
            cpu: {count: 12, cores_per_socket: 2}
            """;

    private static final String PRESSURE = """
            name: two-node-pressure
            machine:
              memory: 2G
              nodes: 2
              cpu: 4
              swap:
                - {path: /dev/vda2, size: 1G}
            timeline:
              - spawn: {name: reader, program: python3.11, args: [python3, /opt/stream.py]}
              - spawn: {name: hog, program: python3.11, args: [python3, /opt/hog.py]}
              - read: {process: reader, path: /srv/data/stream.bin, size: 2G, rate: 300M/s}
              - malloc: {process: hog, size: 2G, name: heap}
              - touch: {process: hog, name: heap, rate: 400M/s}
              - at: 8s
                exit: {process: hog}
            """;

    @Test
    void idleMachinesOfEveryShape() {
        checkAll(SysFixture.boot(Path.of("samples/machines/default.yaml"), 1));
        checkAll(SysFixture.boot(Path.of("samples/machines/server-2node-64g.yaml"), 2));
        checkAll(SysFixture.boot(Path.of("samples/machines/small-1g.yaml"), 3));
        checkAll(SysFixture.boot(THREE_NODES, 4));
    }

    @Test
    void aTwoNodeMachineUnderPressure() {
        SysFixture f = SysFixture.scenario(PRESSURE, 5);
        for (long t = 1000; t <= 9000; t += 2000) {
            f.until(t);
            checkAll(f);
        }
        Map<String, Long> vmstat = ProcText.vmstat(f.proc("/vmstat"));
        assertTrue(vmstat.get("pswpout") > 0, "the states checked were under pressure: " + vmstat.get("pswpout"));
    }

    private static void checkAll(SysFixture f) {
        nodesSumToTheGlobalFiles(f);
        nodesMatchZoneinfo(f);
        cpuTopologyIsCpuinfos(f);
        memoryBlocksCoverSystemRam(f);
    }

    private static int nodes(SysFixture f) {
        return (int) f.list("/devices/system/node").stream().filter(n -> n.matches("node[0-9]+")).count();
    }

    static void nodesSumToTheGlobalFiles(SysFixture f) {
        Map<String, Long> meminfo = ProcText.meminfo(f.proc("/meminfo"));
        Map<String, Long> vmstat = ProcText.vmstat(f.proc("/vmstat"));
        Map<String, Long> memSum = new TreeMap<>();
        Map<String, Long> vmSum = new TreeMap<>();
        Map<String, Long> numaSum = new TreeMap<>();
        int n = nodes(f);
        for (int node = 0; node < n; node++) {
            int nid = node;
            String dir = "/devices/system/node/node" + nid;
            SysFixture.nodeMeminfo(nid, f.sys(dir + "/meminfo")).forEach((k, v) -> memSum.merge(k, v, Long::sum));
            Map<String, Long> nodeVmstat = SysFixture.pairs(f.sys(dir + "/vmstat"));
            nodeVmstat.forEach((k, v) -> vmSum.merge(k, v, Long::sum));
            Map<String, Long> numastat = SysFixture.pairs(f.sys(dir + "/numastat"));
            numastat.forEach((k, v) -> numaSum.merge(k, v, Long::sum));
            Map<String, String> numaNames = Map.of("numa_hit", "numa_hit", "numa_miss", "numa_miss",
                    "numa_foreign", "numa_foreign", "interleave_hit", "numa_interleave", "local_node", "numa_local",
                    "other_node", "numa_other");
            assertEquals(numaNames.keySet(), numastat.keySet());
            numaNames.forEach((k, v) -> assertEquals(nodeVmstat.get(v), numastat.get(k),
                    "node" + nid + ": numastat " + k + " = vmstat " + v));
        }
        int shared = 0;
        for (Map.Entry<String, Long> e : memSum.entrySet()) {
            if (meminfo.containsKey(e.getKey())) {
                shared++;
                assertEquals(meminfo.get(e.getKey()), e.getValue(), "Σ nodes' " + e.getKey() + " = meminfo's");
            }
        }
        assertEquals(34, shared, "every field but MemUsed and FilePages is in /proc/meminfo too: " + memSum.keySet());
        assertEquals(memSum.get("MemTotal") - memSum.get("MemFree"), memSum.get("MemUsed"));
        for (Map.Entry<String, Long> e : vmSum.entrySet()) {
            assertTrue(vmstat.containsKey(e.getKey()), "vmstat has " + e.getKey());
            assertEquals(vmstat.get(e.getKey()), e.getValue(), "Σ nodes' vmstat " + e.getKey() + " = vmstat's");
        }
        assertTrue(numaSum.get("numa_hit") > 0, "allocations are counted where they are placed");
        assertEquals(vmstat.get("numa_hit"), numaSum.get("numa_hit"));
        assertEquals(vmstat.get("numa_hit") + vmstat.get("numa_miss"),
                vmstat.get("numa_local") + vmstat.get("numa_other"), "every allocation is local or not");
    }

    /** MemTotal and MemFree of a node are its zones' managed and free pages in zoneinfo. */
    static void nodesMatchZoneinfo(SysFixture f) {
        List<ProcText.Zone> zones = ProcText.zoneinfo(f.proc("/zoneinfo"));
        for (int nid = 0; nid < nodes(f); nid++) {
            int node = nid;
            Map<String, Long> m = SysFixture.nodeMeminfo(nid, f.sys("/devices/system/node/node" + nid + "/meminfo"));
            long managed = zones.stream().filter(z -> z.node() == node).mapToLong(z -> z.get("managed")).sum();
            long free = zones.stream().filter(z -> z.node() == node && z.get("present") > 0)
                    .mapToLong(z -> z.get("nr_free_pages")).sum();
            assertEquals(managed * 4, m.get("MemTotal"), "node" + nid + " MemTotal");
            assertEquals(free * 4, m.get("MemFree"), "node" + nid + " MemFree");
        }
    }

    static void cpuTopologyIsCpuinfos(SysFixture f) {
        List<Map<String, String>> cpuinfo = cpuinfo(f.proc("/cpuinfo"));
        int n = cpuinfo.size();
        String all = n == 1 ? "0\n" : "0-" + (n - 1) + "\n";
        for (String mask : List.of("online", "possible", "present")) {
            assertEquals(all, f.sys("/devices/system/cpu/" + mask), mask);
        }
        assertEquals("\n", f.sys("/devices/system/cpu/offline"));
        Map<Integer, BitSet> nodeCpus = new HashMap<>();
        for (int cpu = 0; cpu < n; cpu++) {
            Map<String, String> info = cpuinfo.get(cpu);
            String topo = "/devices/system/cpu/cpu" + cpu + "/topology/";
            int pkg = Integer.parseInt(f.sys(topo + "physical_package_id").trim());
            int core = Integer.parseInt(f.sys(topo + "core_id").trim());
            assertEquals(info.get("physical id"), Integer.toString(pkg), "cpu" + cpu + " package");
            assertEquals(info.get("core id"), Integer.toString(core), "cpu" + cpu + " core");
            BitSet pkgCpus = list(f.sys(topo + "package_cpus_list"));
            assertEquals(pkgCpus, mask(f.sys(topo + "package_cpus")));
            assertEquals(pkgCpus, list(f.sys(topo + "core_siblings_list")));
            assertEquals(Integer.parseInt(info.get("siblings")), pkgCpus.cardinality(), "cpu" + cpu + " siblings");
            BitSet threads = list(f.sys(topo + "thread_siblings_list"));
            assertEquals(threads, mask(f.sys(topo + "thread_siblings")));
            assertEquals(threads, list(f.sys(topo + "core_cpus_list")));
            BitSet cores = new BitSet();
            for (int c = pkgCpus.nextSetBit(0); c >= 0; c = pkgCpus.nextSetBit(c + 1)) {
                Map<String, String> other = cpuinfo.get(c);
                assertEquals(Integer.toString(pkg), other.get("physical id"));
                cores.set(Integer.parseInt(other.get("core id")));
                assertEquals(other.get("core id").equals(info.get("core id")), threads.get(c),
                        "cpu" + c + " is a thread sibling of cpu" + cpu + " when it has its core id");
            }
            assertEquals(Integer.parseInt(info.get("cpu cores")), cores.cardinality(), "cpu" + cpu + " cpu cores");
            assertEquals(cpu != 0, f.list("/devices/system/cpu/cpu" + cpu).contains("online"),
                    "x86 has no online file for cpu0");
            List<String> links = f.list("/devices/system/cpu/cpu" + cpu).stream().filter(s -> s.startsWith("node"))
                    .toList();
            assertEquals(1, links.size(), "one node link: " + links);
            int nid = Integer.parseInt(links.get(0).substring(4));
            assertEquals("../../node/node" + nid, f.link("/devices/system/cpu/cpu" + cpu + "/" + links.get(0)));
            nodeCpus.computeIfAbsent(nid, k -> new BitSet()).set(cpu);
        }
        for (int nid = 0; nid < nodes(f); nid++) {
            String dir = "/devices/system/node/node" + nid + "/";
            BitSet expected = nodeCpus.getOrDefault(nid, new BitSet());
            assertEquals(expected, list(f.sys(dir + "cpulist")), "node" + nid + " cpulist");
            assertEquals(expected, mask(f.sys(dir + "cpumap")), "node" + nid + " cpumap");
            assertEquals(String.format("%" + ((n + 3) / 4) + "s", "").length(),
                    f.sys(dir + "cpumap").trim().replace(",", "").length(), "cpumap has nr_cpu_ids bits");
            for (int c = expected.nextSetBit(0); c >= 0; c = expected.nextSetBit(c + 1)) {
                assertEquals("../../cpu/cpu" + c, f.link(dir + "cpu" + c));
            }
        }
    }

    static void memoryBlocksCoverSystemRam(SysFixture f) {
        long size = Long.parseLong(f.sys("/devices/system/memory/block_size_bytes").trim(), 16);
        List<Long> ids = new ArrayList<>();
        for (String name : f.list("/devices/system/memory")) {
            if (name.matches("memory[0-9]+")) {
                ids.add(Long.parseLong(name.substring(6)));
            }
        }
        List<long[]> ram = new ArrayList<>();
        for (ProcText.IomemLine l : ProcText.iomem(f.proc("/iomem"))) {
            if (l.depth() == 0 && l.name().equals("System RAM")) {
                ram.add(new long[] {l.start(), l.end() + 1});
            }
        }
        for (long[] r : ram) {
            for (long a = r[0]; a < r[1]; a = (a / size + 1) * size) {
                assertTrue(ids.contains(a / size), "System RAM at " + Long.toHexString(a) + " lies in a block");
            }
        }
        List<ProcText.Zone> zones = ProcText.zoneinfo(f.proc("/zoneinfo"));
        for (long id : ids) {
            long start = id * size;
            assertTrue(ram.stream().anyMatch(r -> r[0] < start + size && start < r[1]),
                    "memory" + id + " holds System RAM");
            String dir = "/devices/system/memory/memory" + id + "/";
            assertEquals(String.format("%08x\n", id), f.sys(dir + "phys_index"));
            assertEquals("online\n", f.sys(dir + "state"));
            List<Integer> nodes = f.list(dir).stream().filter(s -> s.startsWith("node"))
                    .map(s -> Integer.parseInt(s.substring(4))).toList();
            assertFalse(nodes.isEmpty(), "memory" + id + " belongs to a node");
            for (int nid : nodes) {
                assertEquals("../../memory/memory" + id, f.link("/devices/system/node/node" + nid + "/memory" + id));
            }
            List<String> met = new ArrayList<>();
            for (ProcText.Zone z : zones) {
                if (!nodes.contains(z.node()) || z.get("present") == 0) {
                    continue;
                }
                long zs = z.get("start_pfn") * 4096;
                long ze = zs + z.get("spanned") * 4096;
                if (zs < start + size && start < ze) {
                    met.add(z.name());
                }
            }
            String zone = nodes.size() == 1 && met.size() == 1 ? met.get(0) : "none";
            assertEquals(zone + "\n", f.sys(dir + "valid_zones"), "memory" + id + " meets " + met);
        }
        for (int nid = 0; nid < nodes(f); nid++) {
            for (String name : f.list("/devices/system/node/node" + nid)) {
                if (name.matches("memory[0-9]+")) {
                    assertTrue(f.list("/devices/system/memory/" + name).contains("node" + nid));
                }
            }
        }
    }

    @Test
    void theMemoryBlockSizeFollowsTheEndOfMemory() {
        // Below 64 GiB of address space: MIN_MEMORY_BLOCK_SIZE, 128 MiB.
        assertEquals("8000000\n", SysFixture.boot("memory: 8G\n", 1).sys("/devices/system/memory/block_size_bytes"));
        // 64 GiB of RAM with the PCI hole ends at 65 GiB; a guest (the CPU flag "hypervisor") takes the largest
        // size up to 2 GiB that 65 GiB is a multiple of: 1 GiB.
        SysFixture server = SysFixture.boot(Path.of("samples/machines/server-2node-64g.yaml"), 1);
        assertEquals("40000000\n", server.sys("/devices/system/memory/block_size_bytes"));
    }

    /** /proc/cpuinfo: one map of "name" → value per processor. */
    private static List<Map<String, String>> cpuinfo(String text) {
        List<Map<String, String>> out = new ArrayList<>();
        for (String block : text.split("\n\n")) {
            Map<String, String> m = new HashMap<>();
            for (String line : block.split("\n")) {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    m.put(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
                }
            }
            out.add(m);
        }
        return out;
    }

    /** A "%*pbl" list. */
    static BitSet list(String text) {
        BitSet b = new BitSet();
        String t = text.trim();
        if (t.isEmpty()) {
            return b;
        }
        for (String part : t.split(",")) {
            String[] r = part.split("-");
            int from = Integer.parseInt(r[0]);
            int to = r.length == 2 ? Integer.parseInt(r[1]) : from;
            b.set(from, to + 1);
        }
        return b;
    }

    /** A "%*pb" mask: 32-bit hex groups, most significant first. */
    static BitSet mask(String text) {
        BitSet b = new BitSet();
        String[] groups = text.trim().split(",");
        for (int g = 0; g < groups.length; g++) {
            long v = Long.parseLong(groups[g], 16);
            int base = (groups.length - 1 - g) * 32;
            for (int bit = 0; bit < 32; bit++) {
                if ((v >> bit & 1) != 0) {
                    b.set(base + bit);
                }
            }
        }
        return b;
    }
}
