package io.simproc.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The slab and vmalloc files against real clients on a live mount (a millionth of real speed, so the tools'
 * numbers can be compared with the files): slabtop -o and vmstat -m through simproc-exec, node_exporter's
 * slabinfo collector, and the root-only mode of slabinfo and vmallocinfo for an ordinary user.
 */
class SlabToolsIT {
    private static MountedMachine machine;

    @BeforeAll
    static void mount() throws Exception {
        machine = MountedMachine.start("--seed", "31", "--speed", "0.000001");
    }

    @AfterAll
    static void unmount() throws Exception {
        if (machine != null) {
            machine.close();
        }
    }

    /** name → {active_objs, num_objs, objsize, objperslab, pagesperslab, num_slabs} of /proc/slabinfo. */
    private static Map<String, long[]> slabinfo() throws Exception {
        Map<String, long[]> m = new HashMap<>();
        String[] lines = machine.read("slabinfo").split("\n");
        for (int i = 2; i < lines.length; i++) {
            String[] f = lines[i].split("\\s+");
            m.put(f[0], new long[] {Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]),
                Long.parseLong(f[4]), Long.parseLong(f[5]), Long.parseLong(f[13])});
        }
        return m;
    }

    @Test
    void slabtopPrintsOurCachesAndTotals() throws Exception {
        Map<String, long[]> caches = slabinfo();
        String out = machine.exec("slabtop", "-o", "-s", "c").assertOk("slabtop -o").out();
        long active = 0;
        long total = 0;
        for (long[] c : caches.values()) {
            active += c[0];
            total += c[1];
        }
        assertTrue(out.contains("Active / Total Objects (% used)    : " + active + " / " + total), out);
        for (String name : List.of("dentry", "ext4_inode_cache", "kernfs_node_cache", "task_struct", "kmalloc-64")) {
            String row = rowOf(out, name);
            String[] f = row.trim().split("\\s+");
            assertEquals(caches.get(name)[1], Long.parseLong(f[0]), "OBJS of " + name + ": " + row);
            assertEquals(caches.get(name)[0], Long.parseLong(f[1]), "ACTIVE of " + name + ": " + row);
            assertEquals(caches.get(name)[5], Long.parseLong(f[4]), "SLABS of " + name + ": " + row);
        }
    }

    @Test
    void vmstatMPrintsOurCaches() throws Exception {
        Map<String, long[]> caches = slabinfo();
        String out = machine.exec("vmstat", "-m").assertOk("vmstat -m").out();
        assertTrue(out.startsWith("Cache"), out);
        for (String name : List.of("task_struct", "mm_struct", "vm_area_struct", "dentry", "filp")) {
            String[] f = rowOf(out, name).trim().split("\\s+");
            assertEquals(name, f[0]);
            long[] c = caches.get(name);
            assertEquals(c[0], Long.parseLong(f[1]), name + " Num");
            assertEquals(c[1], Long.parseLong(f[2]), name + " Total");
            assertEquals(c[2], Long.parseLong(f[3]), name + " Size");
            assertEquals(c[3], Long.parseLong(f[4]), name + " Pages (objects per slab)");
        }
    }

    @Test
    void nodeExporterSlabinfoCollectorSucceeds() throws Exception {
        Map<String, long[]> caches = slabinfo();
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Process exporter = new ProcessBuilder("prometheus-node-exporter", "--path.procfs=" + machine.dir(),
                "--web.listen-address=127.0.0.1:" + port, "--collector.disable-defaults", "--collector.slabinfo")
                .redirectErrorStream(true).start();
        try {
            String metrics = NodeExporterScrape.metrics(port);
            assertTrue(metrics.contains("node_scrape_collector_success{collector=\"slabinfo\"} 1"), metrics);
            assertEquals(caches.get("dentry")[1], metric(metrics, "node_slabinfo_objects{slab=\"dentry\"}"));
            assertEquals(caches.get("dentry")[0], metric(metrics, "node_slabinfo_active_objects{slab=\"dentry\"}"));
            assertEquals(caches.get("task_struct")[2], metric(metrics,
                    "node_slabinfo_object_size_bytes{slab=\"task_struct\"}"));
        } finally {
            exporter.destroy();
            exporter.waitFor();
        }
    }

    @Test
    void slabinfoAndVmallocinfoArePermissionDeniedToOrdinaryUsers() throws Exception {
        for (String f : List.of("slabinfo", "vmallocinfo")) {
            Exec.Result r = Exec.run(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "cat",
                    machine.dir().resolve(f).toString()), 10);
            assertEquals(1, r.exit(), f + ": " + r.err());
            assertTrue(r.err().contains("Permission denied"), r.err());
            assertTrue(machine.read(f).length() > 0, "root reads " + f);
        }
    }

    private static String rowOf(String out, String name) {
        for (String line : out.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f[0].equals(name) || f[f.length - 1].equals(name)) {
                return line;
            }
        }
        throw new AssertionError(name + " not in:\n" + out);
    }

    private static long metric(String metrics, String name) {
        for (String line : metrics.split("\n")) {
            if (line.startsWith(name + " ")) {
                return (long) Double.parseDouble(line.substring(name.length() + 1).trim());
            }
        }
        throw new AssertionError(name + " not in metrics");
    }
}
