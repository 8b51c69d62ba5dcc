package io.simproc.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The real disk tools, through simproc-exec on the default machine paused in the middle of a pressure scenario
 * (files read, written back and swapped): vmstat -d and -D, iostat, psutil's disk_io_counters() and
 * Process.io_counters() each show the numbers of /proc/diskstats, /sys/block and /proc/PID/io — the simulated vda,
 * the zram0 the scenario swaps to first and the idle loop0..loop7 every machine of the guest kernel has, never the
 * host's disks. procps and
 * psutil take a diskstats device for a disk when /sys/block has it (libproc2's node_classify(), psutil's
 * is_storage_device()), so they show and sum the idle devices too; iostat leaves out devices that never did I/O.
 * A tool that is not installed is skipped.
 */
class DiskToolsIT {
    private static MountedMachine machine;
    /** name → the 17 counters of its /proc/diskstats line, read while paused. */
    private static final Map<String, long[]> DISKSTATS = new LinkedHashMap<>();
    /** The whole disks, as /sys/block lists them, in diskstats order. */
    private static final List<String> DISKS = List.of("loop0", "loop1", "loop2", "loop3", "loop4", "loop5", "loop6",
            "loop7", "vda", "zram0");

    @BeforeAll
    static void mount() throws Exception {
        machine = MountedMachine.start("--seed", "5", "--scenario",
                MountedMachine.basedir().resolve("src/test/resources/scenarios/pressure-8g.yaml").toString());
        machine.ctl("advance", "10s").assertOk("ctl advance");
        assertEquals("paused", machine.ctl("pause").assertOk("ctl pause").out().trim());
        for (String line : machine.read("diskstats").split("\n")) {
            String[] w = line.trim().split(" +");
            DISKSTATS.put(w[2], Arrays.stream(w, 3, w.length).mapToLong(Long::parseLong).toArray());
        }
        long[] vda = DISKSTATS.get("vda");
        assertTrue(vda[0] > 0 && vda[4] > 0 && DISKSTATS.get("vda2")[4] > 0, "the disk read, wrote and swapped");
        assertEquals(List.of("loop0", "loop1", "loop2", "loop3", "loop4", "loop5", "loop6", "loop7", "vda", "vda1",
                "vda2", "zram0"), List.copyOf(DISKSTATS.keySet()));
        try (var block = Files.list(machine.sysDir().resolve("block"))) {
            assertEquals(DISKS, block.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    /** Counter {@code i} of each whole disk divided by 1000 (as libproc2 reads it), summed. */
    private static long totalThousandths(int i) {
        return DISKS.stream().mapToLong(n -> DISKSTATS.get(n)[i] / 1000).sum();
    }

    /** Counter {@code i} summed over the whole disks. */
    private static long total(int i) {
        return DISKS.stream().mapToLong(n -> DISKSTATS.get(n)[i]).sum();
    }

    @AfterAll
    static void unmount() throws Exception {
        if (machine != null) {
            machine.close();
        }
    }

    private static String exec(String... command) throws Exception {
        return machine.exec(command).assertOk(String.join(" ", command)).out();
    }

    /**
     * A host with udev keeps a database of its disks under /run/udev/data (bMAJOR:MINOR files), which node_exporter's
     * diskstats collector reads to label the devices of diskstats: simproc-exec hides it under an empty tmpfs. Checked
     * on a host that has one, made in a private mount namespace over a private /run (this host's is untouched).
     */
    @Test
    void theHostsUdevDatabaseIsHidden() throws Exception {
        String exec = MountedMachine.basedir().resolve("mount-scripts/simproc-exec").toString();
        String script = "mount -t tmpfs none /run && mkdir -p /run/udev/data && echo E:ID_MODEL=HOSTDISK > "
                + "/run/udev/data/b254:0 && ls -A /run/udev/data && echo --- && \"$0\" \"$1\" -- ls -A /run/udev";
        Exec.Result r = Exec.run(List.of("unshare", "-m", "--propagation", "private", "sh", "-c", script, exec,
                machine.dir().toString()), 60).assertOk("simproc-exec over a host udev database");
        assertEquals("b254:0\n---\n", r.out(), "the host's entry is there outside, nothing inside");
    }

    private static void need(String binary) {
        assumeTrue(Files.isExecutable(Path.of(binary)), binary + " is not installed");
    }

    @Test
    void vmstatDShowsTheDisks() throws Exception {
        need("/usr/bin/vmstat");
        List<String> rows = exec("vmstat", "-d").lines().toList();
        assertEquals(2 + DISKS.size(), rows.size(), "the disks, no partitions:\n" + String.join("\n", rows));
        for (int r = 0; r < DISKS.size(); r++) {
            String[] w = rows.get(2 + r).trim().split(" +");
            assertEquals(DISKS.get(r), w[0], "in diskstats order");
            long[] d = DISKSTATS.get(w[0]);
            for (int i = 0; i < 8; i++) {
                assertEquals(d[i], Long.parseLong(w[1 + i]), w[0] + " vmstat -d column " + (i + 1));
            }
            assertEquals(d[8] / 1000, Long.parseLong(w[9]), "cur: in flight (procps divides it by 1000 too)");
            assertEquals(d[9] / 1000, Long.parseLong(w[10]), "sec: io_ticks");
        }
    }

    @Test
    void vmstatCapitalDSumsTheDisks() throws Exception {
        need("/usr/bin/vmstat");
        Map<String, Long> summary = new LinkedHashMap<>();
        for (String line : exec("vmstat", "-D").lines().toList()) {
            String[] w = line.trim().split(" +", 2);
            summary.put(w[1], Long.parseLong(w[0]));
        }
        assertEquals(DISKS.size(), summary.get("disks"));
        assertEquals(2, summary.get("partitions"));
        assertEquals(total(0), summary.get("total reads"));
        assertEquals(total(1), summary.get("merged reads"));
        assertEquals(total(2), summary.get("read sectors"));
        assertEquals(total(3), summary.get("milli reading"));
        assertEquals(total(4), summary.get("writes"));
        assertEquals(total(5), summary.get("merged writes"));
        assertEquals(total(6), summary.get("written sectors"));
        assertEquals(total(7), summary.get("milli writing"));
        assertEquals(totalThousandths(8), summary.get("inprogress IO"), "procps shows in flight / 1000");
        assertEquals(totalThousandths(9), summary.get("milli spent IO"), "and io_ticks in seconds");
        assertEquals(totalThousandths(10), summary.get("milli weighted IO"));
        assertTrue(total(0) > 0 && total(0) == DISKSTATS.get("vda")[0] + DISKSTATS.get("zram0")[0],
                "vda's and zram0's reads, the loop devices' none");
    }

    @Test
    void iostatReportsTheSectorsInKilobytes() throws Exception {
        need("/usr/bin/iostat");
        String out = exec("iostat", "-d", "-k", "-p", "vda");
        Map<String, String[]> rows = new LinkedHashMap<>();
        for (String line : out.lines().toList()) {
            String[] w = line.trim().split(" +");
            if (w.length >= 8 && DISKSTATS.containsKey(w[0])) {
                rows.put(w[0], w);
            }
        }
        assertEquals(List.of("vda", "vda1", "vda2"), List.copyOf(rows.keySet()), out);
        String all = exec("iostat", "-d", "-k");
        for (String disk : DISKS) {
            long[] d = DISKSTATS.get(disk);
            boolean didIo = d[0] + d[4] > 0;
            assertEquals(didIo, all.lines().anyMatch(l -> l.startsWith(disk + " ")),
                    "sysstat shows " + disk + " only if it did I/O:\n" + all);
        }
        assertTrue(DISKSTATS.get("zram0")[4] > 0 && DISKSTATS.get("loop0")[0] == 0,
                "the scenario swaps to zram0 first; the loop devices stay idle");
        for (Map.Entry<String, String[]> e : rows.entrySet()) {
            long[] d = DISKSTATS.get(e.getKey());
            assertEquals(d[2] / 2, Long.parseLong(e.getValue()[5]), e.getKey() + " kB_read\n" + out);
            assertEquals(d[6] / 2, Long.parseLong(e.getValue()[6]), e.getKey() + " kB_wrtn\n" + out);
        }
    }

    @Test
    void psutilDiskIoCountersAreDiskstats() throws Exception {
        need("/usr/bin/python3");
        String script = """
                import psutil
                for name, c in sorted(psutil.disk_io_counters(perdisk=True).items()):
                    print(name, c.read_count, c.read_merged_count, c.read_bytes, c.read_time, c.write_count,
                          c.write_merged_count, c.write_bytes, c.write_time, c.busy_time)
                t = psutil.disk_io_counters()
                print('total', t.read_count, t.read_bytes, t.write_count, t.write_bytes)
                """;
        List<String> rows = exec("/usr/bin/python3", "-c", script).lines().toList();
        assertEquals(DISKSTATS.size() + 1, rows.size(), String.join("\n", rows));
        for (String row : rows.subList(0, DISKSTATS.size())) {
            String[] w = row.split(" ");
            long[] d = DISKSTATS.get(w[0]);
            long[] expected = {d[0], d[1], d[2] * 512, d[3], d[4], d[5], d[6] * 512, d[7], d[9]};
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], Long.parseLong(w[1 + i]), row + " field " + (i + 1));
            }
        }
        assertEquals("total " + total(0) + " " + total(2) * 512 + " " + total(4) + " " + total(6) * 512,
                rows.get(DISKSTATS.size()), "the machine's total is its disks' (/sys/block's)");
    }

    @Test
    void psutilProcessIoCountersArePidIo() throws Exception {
        need("/usr/bin/python3");
        Map<String, Long> io = new LinkedHashMap<>();
        for (String line : machine.read("1/io").split("\n")) {
            io.put(line.substring(0, line.indexOf(':')), Long.parseLong(line.substring(line.indexOf(' ') + 1)));
        }
        assertTrue(io.get("read_bytes") > 0, "init read from the disk: " + io);
        String script = "import psutil\nc = psutil.Process(1).io_counters()\n"
                + "print(c.read_count, c.write_count, c.read_bytes, c.write_bytes, c.read_chars, c.write_chars)";
        String expected = io.get("syscr") + " " + io.get("syscw") + " " + io.get("read_bytes") + " "
                + io.get("write_bytes") + " " + io.get("rchar") + " " + io.get("wchar") + "\n";
        assertEquals(expected, exec("/usr/bin/python3", "-c", script));
    }
}
