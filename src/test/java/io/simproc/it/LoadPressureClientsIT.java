package io.simproc.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * uptime, top and node_exporter's pressure and loadavg collectors on a machine in the middle of
 * samples/scenarios/thrashing-load.yaml (workers waiting for swap-ins): the load they print is /proc/loadavg's, the
 * task counts by state are those of the PID/stat files, the pressure metrics are /proc/pressure's totals. The
 * machine is frozen (a millionth of real speed) after advancing, so tools and files see the same instant.
 */
class LoadPressureClientsIT {
    private static MountedMachine machine;

    @BeforeAll
    static void mount() throws Exception {
        machine = MountedMachine.start("--seed", "7", "--speed", "0.000001", "--scenario",
                MountedMachine.basedir().resolve("samples/scenarios/thrashing-load.yaml").toString());
        machine.ctl("advance", "44s").assertOk("ctl advance 44s");
    }

    @AfterAll
    static void unmount() throws Exception {
        if (machine != null) {
            machine.close();
        }
    }

    private static String loadavgTriple() throws Exception {
        String[] w = machine.read("loadavg").split(" ");
        return w[0] + ", " + w[1] + ", " + w[2];
    }

    @Test
    void uptimePrintsTheLoadAverage() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/uptime")), "no uptime");
        String out = machine.exec("uptime").assertOk("uptime").out();
        assertTrue(out.contains("load average: " + loadavgTriple()), out + " vs " + machine.read("loadavg"));
        assertTrue(Double.parseDouble(machine.read("loadavg").split(" ")[0]) > 1, machine.read("loadavg"));
    }

    @Test
    void topCountsTasksByTheirStatState() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/top")), "no top");
        String out = machine.exec("top", "-b", "-n1").assertOk("top -b -n1").out();
        assertTrue(out.contains("load average: " + loadavgTriple()), out);
        int total = 0;
        int running = 0;
        int sleeping = 0;
        try (var dirs = Files.list(machine.dir())) {
            for (Path d : dirs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                String stat = Files.readString(d.resolve("stat"));
                char state = stat.charAt(stat.lastIndexOf(')') + 2);
                total++;
                running += state == 'R' ? 1 : 0;
                sleeping += state == 'S' || state == 'D' || state == 'I' ? 1 : 0;
            }
        }
        Matcher m = Pattern.compile("Tasks: +(\\d+) total, +(\\d+) running, +(\\d+) sleeping").matcher(out);
        assertTrue(m.find(), out);
        assertEquals(total, Integer.parseInt(m.group(1)), "total");
        assertEquals(running, Integer.parseInt(m.group(2)), "running");
        assertEquals(sleeping, Integer.parseInt(m.group(3)), "sleeping (top counts D and I as sleeping)");
        Matcher wa = Pattern.compile(" (\\d+\\.\\d) wa,").matcher(out);
        assertTrue(wa.find(), out);
    }

    @Test
    void nodeExporterReportsPressureAndLoad() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/prometheus-node-exporter")), "no node_exporter");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Process exporter = new ProcessBuilder("prometheus-node-exporter", "--path.procfs=" + machine.dir(),
                "--path.sysfs=" + machine.sysDir(), "--web.listen-address=127.0.0.1:" + port,
                "--collector.disable-defaults", "--collector.pressure", "--collector.loadavg")
                .redirectErrorStream(true).start();
        try {
            String metrics = NodeExporterScrape.metrics(port);
            for (String c : List.of("pressure", "loadavg")) {
                assertTrue(metrics.contains("node_scrape_collector_success{collector=\"" + c + "\"} 1"), metrics);
            }
            assertEquals(total("memory", "some"), metric(metrics, "node_pressure_memory_waiting_seconds_total"), 1e-6);
            assertEquals(total("memory", "full"), metric(metrics, "node_pressure_memory_stalled_seconds_total"), 1e-6);
            assertEquals(total("io", "some"), metric(metrics, "node_pressure_io_waiting_seconds_total"), 1e-6);
            assertEquals(total("io", "full"), metric(metrics, "node_pressure_io_stalled_seconds_total"), 1e-6);
            assertEquals(total("cpu", "some"), metric(metrics, "node_pressure_cpu_waiting_seconds_total"), 1e-6);
            assertTrue(total("memory", "some") > 1, "more than a second of memory stall");
            assertEquals(Double.parseDouble(machine.read("loadavg").split(" ")[0]), metric(metrics, "node_load1"));
        } finally {
            exporter.destroy();
            exporter.waitFor();
        }
    }

    /** The total of /proc/pressure/RES's LINE in seconds (it prints microseconds). */
    private static double total(String res, String line) throws Exception {
        for (String l : machine.read("pressure/" + res).split("\n")) {
            if (l.startsWith(line + " ")) {
                return Long.parseLong(l.substring(l.indexOf("total=") + 6).trim()) / 1e6;
            }
        }
        throw new AssertionError("no " + line + " in pressure/" + res);
    }

    private static double metric(String metrics, String name) {
        for (String l : metrics.split("\n")) {
            if (l.startsWith(name + " ")) {
                return Double.parseDouble(l.substring(name.length() + 1).trim());
            }
        }
        throw new AssertionError("no metric " + name);
    }
}
