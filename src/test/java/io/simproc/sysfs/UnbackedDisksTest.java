package io.simproc.sysfs;

import io.simproc.proc.ProcTestSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The devices the guest kernel's built-in loop and zram drivers add at init, on a machine whose disk read, wrote
 * and swapped: loop0..loop7 and zram0 are in /proc/diskstats in the reference machine's order with its lines (all
 * 0, whatever vda did), not in /proc/partitions (no capacity), and in /sys as virtual devices whose files are the
 * reference copies of an unbound loop device and an unconfigured zram0; zram's knobs refuse writes. The disks of
 * drivers initialised after zram's (SCSI, NVMe) follow zram0.
 */
class UnbackedDisksTest {
    private static final List<String> UNBACKED = List.of("loop0", "loop1", "loop2", "loop3", "loop4", "loop5",
            "loop6", "loop7", "zram0");
    private static SysFixture f;

    @BeforeAll
    static void run() {
        f = SysFixture.scenario(DiskFilesTest.BUSY, 7).until(2500);
    }

    private static List<String> names(String text, int column) {
        List<String> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            String[] w = line.trim().split(" +");
            if (w.length > column) {
                out.add(w[column]);
            }
        }
        return out;
    }

    @Test
    void diskstatsListsThemInTheReferenceOrderWithItsLines() {
        String sim = f.proc("/diskstats");
        List<String> ref = names(ProcTestSupport.sample("proc/diskstats"), 2);
        List<String> wholeDisks = new ArrayList<>(names(sim, 2));
        wholeDisks.removeIf(n -> n.matches("vda\\d+"));
        assertEquals(ref, wholeDisks, sim);
        Set<String> refLines = new HashSet<>(List.of(ProcTestSupport.sample("proc/diskstats").split("\n")));
        for (String line : sim.split("\n")) {
            if (UNBACKED.contains(line.trim().split(" +")[2])) {
                assertTrue(refLines.contains(line), "the reference's line: " + line);
            }
        }
        assertTrue(names(sim, 3).stream().anyMatch(v -> !v.equals("0")), "vda did I/O:\n" + sim);
    }

    @Test
    void partitionsLeavesThemOut() {
        String sim = f.proc("/partitions");
        assertEquals(List.of("vda", "vda1", "vda2"), names(sim, 3).subList(1, 4), sim);
        for (String name : UNBACKED) {
            assertFalse(sim.contains(name), sim);
        }
    }

    @Test
    void sysBlockAndTheClassLinkThemToVirtualDevicesWhoseStatIsDiskstats() {
        List<String> block = f.list("/block");
        assertEquals(List.of("loop0", "loop1", "loop2", "loop3", "loop4", "loop5", "loop6", "loop7", "vda", "zram0"),
                block);
        assertEquals(UNBACKED, f.list("/devices/virtual/block"));
        for (String name : UNBACKED) {
            assertEquals("../devices/virtual/block/" + name, f.link("/block/" + name));
            assertEquals("../../devices/virtual/block/" + name, f.link("/class/block/" + name));
            String line = f.proc("/diskstats").lines().filter(l -> l.trim().split(" +")[2].equals(name)).findFirst()
                    .orElseThrow();
            List<String> fields = List.of(line.trim().split(" +"));
            assertEquals(fields.subList(3, fields.size()), List.of(f.sys("/block/" + name + "/stat").trim()
                    .split(" +")), name);
            assertEquals(fields.get(0) + ":" + fields.get(1) + "\n", f.sys("/block/" + name + "/dev"), name);
        }
        assertEquals("../devices/pci0000:00/0000:00:02.0/virtio1/block/vda", f.link("/block/vda"),
                "the first disk with a device keeps the board's slot");
    }

    @Test
    void theirFilesAreTheReferenceCopies() {
        for (String[] dev : new String[][] {{"loop3", "loop0"}, {"zram0", "zram0_unconfigured"}}) {
            String ref = "sys/block/" + dev[1] + "/";
            String dir = "/block/" + dev[0] + "/";
            String real = "/devices/virtual/block/" + dev[0] + "/";
            for (String file : List.of("size", "stat", "inflight", "range", "ext_range", "ro", "removable")) {
                assertEquals(ProcTestSupport.sample(ref + file), f.sys(dir + file), dev[0] + " " + file);
            }
            Set<String> refQueue = Set.of(ProcTestSupport.sample(ref + "queue/listing").split("\n"));
            for (String file : f.list(real + "queue")) {
                assertTrue(refQueue.contains(file), dev[0] + " queue/" + file + " is not in the kernel's");
                if (!file.equals("scheduler")) {
                    assertEquals(ProcTestSupport.sample(ref + "queue/" + file), f.sys(dir + "queue/" + file),
                            dev[0] + " queue/" + file);
                }
            }
            Set<String> refDir = Set.of(ProcTestSupport.sample(ref + "listing").split("\n"));
            for (String file : f.list(real)) {
                assertTrue(refDir.contains(file), dev[0] + "/" + file + " is not in the kernel's");
            }
        }
        assertEquals("7:3\n", f.sys("/block/loop3/dev"));
        assertTrue(f.list("/devices/virtual/block/loop0/queue").contains("nr_requests"), "loop is blk-mq");
        assertFalse(f.list("/devices/virtual/block/zram0/queue").contains("nr_requests"), "zram is bio-based: no requests");
        assertFalse(f.list("/devices/virtual/block/zram0/queue").contains("scheduler"), "nor a scheduler");
        assertFalse(f.list("/devices/virtual/block/loop0").contains("loop"), "loop/ exists only while bound to a file");
    }

    @Test
    void zramIsAnUnconfiguredDevice() {
        String ref = "sys/block/zram0_unconfigured/";
        for (String file : List.of("comp_algorithm", "debug_stat", "disksize", "initstate", "io_stat", "mm_stat")) {
            assertEquals(ProcTestSupport.sample(ref + file), f.sys("/block/zram0/" + file), file);
        }
        for (String file : List.of("algorithm_params", "compact", "idle", "mem_limit", "mem_used_max", "reset")) {
            assertEquals(0200, f.mode("/devices/virtual/block/zram0/" + file) & 0777, file + " is write-only");
        }
        assertFalse(f.list("/devices/virtual/block/zram0").contains("bd_stat"), "no CONFIG_ZRAM_WRITEBACK");
    }

    @Test
    void scsiAndNvmeDisksComeAfterZramAsTheirDriversInitialiseLater() {
        SysFixture m = SysFixture.boot("""
                memory: 1G
                disks:
                  - name: nvme0n1
                    size: 8G
                    partitions:
                      - {mount: /}
                  - name: vda
                    size: 8G
                  - name: sda
                    size: 8G
                """, 1);
        assertEquals(List.of("loop0", "loop1", "loop2", "loop3", "loop4", "loop5", "loop6", "loop7", "vda", "zram0",
                "nvme0n1", "nvme0n1p1", "sda"), names(m.proc("/diskstats"), 2));
        assertEquals("../devices/pci0000:00/0000:00:02.0/virtio1/block/vda", m.link("/block/vda"),
                "the first disk with a device is in the board's disk slot");
        assertEquals(List.of("vda", "nvme0n1", "nvme0n1p1", "sda"), names(m.proc("/partitions"), 3).subList(1, 5));
    }
}
