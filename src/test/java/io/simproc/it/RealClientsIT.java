package io.simproc.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real, unmodified clients against a live mount: procps (free, vmstat, vmstat -s, sysctl), Prometheus
 * node_exporter with --path.procfs, and psutil with PROCFS_PATH. The machine runs at a millionth of real speed, so
 * that what a tool prints can be compared exactly with the files read around it.
 */
class RealClientsIT {
    private static MountedMachine machine;
    private static Map<String, Long> meminfo;

    @BeforeAll
    static void mount() throws Exception {
        machine = MountedMachine.start("--seed", "11", "--speed", "0.000001");
        meminfo = ProcText.meminfo(machine.read("meminfo"));
    }

    @AfterAll
    static void unmount() throws Exception {
        if (machine != null) {
            machine.close();
        }
    }

    @Test
    void freeShowsMeminfo() throws Exception {
        // free -k: used = MemTotal - MemAvailable (procps 4), buff/cache = Buffers + Cached + SReclaimable
        String out = machine.exec("free", "-k").assertOk("free -k").out();
        long[] mem = numbers(line(out, "Mem:"));
        assertEquals(meminfo.get("MemTotal"), mem[0], "total");
        assertEquals(meminfo.get("MemTotal") - meminfo.get("MemAvailable"), mem[1], "used");
        assertEquals(meminfo.get("MemFree"), mem[2], "free");
        assertEquals(meminfo.get("Shmem"), mem[3], "shared");
        assertEquals(meminfo.get("Buffers") + meminfo.get("Cached") + meminfo.get("SReclaimable"), mem[4],
                "buff/cache");
        assertEquals(meminfo.get("MemAvailable"), mem[5], "available");
        long[] swap = numbers(line(out, "Swap:"));
        assertEquals(meminfo.get("SwapTotal"), swap[0], "swap total");

        String mb = machine.exec("free", "-m").assertOk("free -m").out();
        long[] memMb = numbers(line(mb, "Mem:"));
        assertEquals(meminfo.get("MemTotal") / 1024, memMb[0], "free -m total");
    }

    @Test
    void vmstatShowsMeminfoAndStat() throws Exception {
        String out = machine.exec("vmstat").assertOk("vmstat").out();
        String[] lines = out.split("\n");
        assertTrue(lines[1].trim().startsWith("r  b"), out);
        long[] v = numbers(lines[2]);
        assertEquals(meminfo.get("SwapTotal") - meminfo.get("SwapFree"), v[2], "swpd");
        assertEquals(meminfo.get("MemFree"), v[3], "free");
        assertEquals(meminfo.get("Buffers"), v[4], "buff");
        assertEquals(meminfo.get("Cached") + meminfo.get("SReclaimable"), v[5], "cache");
        long us = v[12];
        long sy = v[13];
        long id = v[14];
        assertTrue(id >= 90 && us + sy <= 10, "an idle machine: " + lines[2]);
    }

    @Test
    void vmstatSummaryShowsMeminfoAndVmstat() throws Exception {
        String out = machine.exec("vmstat", "-s").assertOk("vmstat -s").out();
        assertEquals(meminfo.get("MemTotal"), first(line(out, "K total memory")));
        assertEquals(meminfo.get("MemFree"), first(line(out, "K free memory")));
        assertEquals(meminfo.get("SwapTotal"), first(line(out, "K total swap")));
        Map<String, Long> vmstat = ProcText.pairs(machine.read("vmstat"));
        assertEquals(vmstat.get("pgpgin"), first(line(out, "K paged in")));
        assertEquals(vmstat.get("pswpout"), first(line(out, "pages swapped out")));
        assertEquals(vmstat.get("pgpgout"), first(line(out, "K paged out")));
    }

    @Test
    void sysctlReadsKnobs() throws Exception {
        String one = machine.exec("sysctl", "vm.min_free_kbytes").assertOk("sysctl").out();
        assertEquals("vm.min_free_kbytes = " + machine.read("sys/vm/min_free_kbytes").trim() + "\n", one);
        Exec.Result all = machine.exec("sysctl", "-a");
        assertEquals(0, all.exit(), all.err());
        assertTrue(all.out().contains("vm.watermark_scale_factor = 10\n"), all.out());
        assertTrue(all.out().contains("vm.lowmem_reserve_ratio = 256\t256\t32\t0\t0\n"), all.out());
        assertTrue(all.out().contains("kernel.osrelease = 6.18.0-simproc\n"), all.out());
    }

    @Test
    void nodeExporterCollectorsSucceedWithOurNumbers() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Process exporter = new ProcessBuilder("prometheus-node-exporter", "--path.procfs=" + machine.dir(),
                "--web.listen-address=127.0.0.1:" + port, "--collector.disable-defaults", "--collector.meminfo",
                "--collector.vmstat", "--collector.buddyinfo", "--collector.zoneinfo", "--collector.stat",
                "--collector.loadavg", "--collector.vmstat.fields=.*").redirectErrorStream(true).start();
        try {
            String metrics = NodeExporterScrape.metrics(port);
            for (String c : List.of("meminfo", "vmstat", "buddyinfo", "zoneinfo", "stat", "loadavg")) {
                assertTrue(metrics.contains("node_scrape_collector_success{collector=\"" + c + "\"} 1"),
                        c + " collector failed:\n" + grep(metrics, "collector"));
            }
            assertEquals(meminfo.get("MemTotal") * 1024, metric(metrics, "node_memory_MemTotal_bytes"));
            assertEquals(meminfo.get("MemFree") * 1024, metric(metrics, "node_memory_MemFree_bytes"));
            assertEquals(meminfo.get("MemAvailable") * 1024, metric(metrics, "node_memory_MemAvailable_bytes"));
            Map<String, long[]> buddy = ProcText.buddyinfo(machine.read("buddyinfo"));
            for (Map.Entry<String, long[]> e : buddy.entrySet()) {
                String zone = e.getKey().split("/")[1];
                for (int order = 0; order < e.getValue().length; order++) {
                    assertEquals(e.getValue()[order], metric(metrics, "node_buddyinfo_blocks{node=\"0\",size=\""
                            + order + "\",zone=\"" + zone + "\"}"), zone + " order " + order);
                }
            }
            Map<String, Long> vmstat = ProcText.pairs(machine.read("vmstat"));
            assertEquals(vmstat.get("nr_free_pages"), metric(metrics, "node_vmstat_nr_free_pages"));
            assertEquals(vmstat.get("pgalloc_normal"), metric(metrics, "node_vmstat_pgalloc_normal"));
        } finally {
            exporter.destroy();
            exporter.waitFor();
        }
    }

    @Test
    void psutilVirtualMemoryMatches() throws Exception {
        String script = "import psutil\npsutil.PROCFS_PATH = '" + machine.dir() + "'\n"
                + "vm = psutil.virtual_memory()\nsw = psutil.swap_memory()\n"
                + "print(vm.total, vm.available, vm.free, sw.total)\n"
                + "print(int(psutil.boot_time()), len(psutil.cpu_times(percpu=True)))\n";
        String out = Exec.run(List.of("/usr/bin/python3", "-c", script), 60).assertOk("psutil").out();
        String[] lines = out.split("\n");
        long[] v = numbers(lines[0]);
        assertEquals(meminfo.get("MemTotal") * 1024, v[0], "total");
        assertEquals(meminfo.get("MemAvailable") * 1024, v[1], "available");
        assertEquals(meminfo.get("MemFree") * 1024, v[2], "free");
        assertEquals(meminfo.get("SwapTotal") * 1024, v[3], "swap");
        long[] b = numbers(lines[1]);
        assertEquals(ProcText.pairs(machine.read("stat").replaceAll("(?m)^(cpu|intr|softirq).*\n", ""))
                .get("btime"), b[0], "boot time");
        assertEquals(4, b[1], "CPUs");
    }

    private static long metric(String metrics, String name) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + " (\\S+)$").matcher(metrics);
        assertTrue(m.find(), "no metric " + name);
        return (long) Double.parseDouble(m.group(1));
    }

    private static String grep(String text, String what) {
        StringBuilder sb = new StringBuilder();
        for (String l : text.split("\n")) {
            if (l.contains(what) && !l.startsWith("#")) {
                sb.append(l).append('\n');
            }
        }
        return sb.toString();
    }

    static String line(String out, String marker) {
        for (String l : out.split("\n")) {
            if (l.contains(marker)) {
                return l.replace(marker, " ");
            }
        }
        throw new AssertionError("no line with '" + marker + "' in:\n" + out);
    }

    private static long first(String line) {
        return numbers(line)[0];
    }

    static long[] numbers(String line) {
        List<Long> n = new ArrayList<>();
        for (String f : line.trim().split("\\s+")) {
            if (f.matches("-?\\d+")) {
                n.add(Long.parseLong(f));
            }
        }
        return n.stream().mapToLong(Long::longValue).toArray();
    }
}
