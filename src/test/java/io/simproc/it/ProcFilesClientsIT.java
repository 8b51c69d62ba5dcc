package io.simproc.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Real clients of the interrupt, file, network and user files on a live mount: procinfo (through simproc-exec),
 * node_exporter's default collectors that read them (filefd, netclass, netdev, netstat, sockstat, softnet, stat,
 * udp_queues; netdev and netclass told to read the files rather than ask the host over netlink),
 * and ps aux naming the simulated users from the machine's generated /etc/passwd. The machine runs at a millionth
 * of real speed, so what a tool prints can be compared with the files read around it.
 */
class ProcFilesClientsIT {
    private static MountedMachine machine;

    @BeforeAll
    static void mount() throws Exception {
        machine = MountedMachine.start("--seed", "13", "--speed", "0.000001");
    }

    @AfterAll
    static void unmount() throws Exception {
        if (machine != null) {
            machine.close();
        }
    }

    private static boolean installed(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    @Test
    void procinfoRunsOnTheMachine() throws Exception {
        assumeTrue(installed("procinfo"), "procinfo is not installed");
        Exec.Result r = machine.exec("procinfo").assertOk("procinfo");
        assertTrue(r.out().contains("Memory:"), r.out());
        assertTrue(r.out().contains("virtio1-re"), "procinfo lists the interrupts: " + r.out());
    }

    @Test
    void psNamesTheSimulatedUsers() throws Exception {
        String aux = machine.exec("ps", "aux").assertOk("ps aux").out();
        for (String user : List.of("root", "www-data", "postgres", "admin", "orders")) {
            assertTrue(aux.lines().anyMatch(l -> l.startsWith(user + " ")), user + " in:\n" + aux);
        }
        String bus = machine.exec("ps", "-o", "user:12=", "-C", "dbus-daemon").assertOk("ps -C").out().trim();
        assertEquals("messagebus", bus);
    }

    @Test
    void nodeExporterCollectorsOfTheseFilesSucceed() throws Exception {
        assumeTrue(installed("prometheus-node-exporter"), "prometheus-node-exporter is not installed");
        String fileNr = machine.read("sys/fs/file-nr");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Process exporter = new ProcessBuilder("prometheus-node-exporter", "--path.procfs=" + machine.dir(),
                "--path.sysfs=" + machine.sysDir(), "--web.listen-address=127.0.0.1:" + port,
                // Over netlink these two collectors would ask the host's kernel, not the files.
                "--no-collector.netdev.netlink", "--no-collector.netclass.netlink")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            String metrics = NodeExporterScrape.metrics(port);
            for (String c : List.of("entropy", "filefd", "netclass", "netdev", "netstat", "sockstat",
                    "softnet", "stat", "udp_queues")) {
                assertTrue(metrics.contains("node_scrape_collector_success{collector=\"" + c + "\"} 1"),
                        c + " failed:\n" + grep(metrics, "node_scrape_collector_success"));
            }
            String[] nr = fileNr.trim().split("\t");
            assertEquals(Double.parseDouble(nr[0]), metric(metrics, "node_filefd_allocated"));
            assertEquals(Double.parseDouble(nr[2]), metric(metrics, "node_filefd_maximum"));
            assertEquals(0.0, metric(metrics, "node_network_receive_bytes_total{device=\"eth0\"}"));
            assertEquals(0.0, metric(metrics, "node_network_transmit_bytes_total{device=\"eth0\"}"));
            assertEquals(1500.0, metric(metrics, "node_network_mtu_bytes{device=\"eth0\"}"));
            assertEquals(256.0, metric(metrics, "node_entropy_available_bits"));
            for (String line : grep(metrics, "node_network_receive_bytes_total{").split("\n")) {
                assertTrue(line.contains("device=\"eth0\"") || line.contains("device=\"lo\""),
                        "only the machine's devices, never the host's: " + line);
            }
            String stat = machine.read("stat");
            long intr = Long.parseLong(stat.lines().filter(l -> l.startsWith("intr ")).findFirst().orElseThrow()
                    .split(" ")[1]);
            assertEquals((double) intr, metric(metrics, "node_intr_total"));
            assertEquals(0.0, metric(metrics, "node_sockstat_TCP6_inuse"),
                    "IPv6 is built into the guest kernel (sockstat6), and no socket is simulated");
        } finally {
            exporter.destroy();
            exporter.waitFor();
        }
    }

    private static String grep(String text, String prefix) {
        StringBuilder b = new StringBuilder();
        text.lines().filter(l -> l.startsWith(prefix)).forEach(l -> b.append(l).append('\n'));
        return b.toString();
    }

    private static double metric(String metrics, String name) {
        for (String line : metrics.split("\n")) {
            if (line.startsWith(name + " ")) {
                return Double.parseDouble(line.substring(name.length() + 1).trim());
            }
        }
        throw new AssertionError("no metric " + name);
    }

}
