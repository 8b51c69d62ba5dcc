package io.simproc.sysfs;

import io.simproc.proc.ProcTestSupport;
import io.simproc.proc.ProcText;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The disks as /proc and /sys show them, on a machine that read, wrote back and swapped: /proc/diskstats has the
 * sample's shape and each of its lines is the device's /sys/class/block/NAME/stat; the disks' sectors are twice
 * pgpgin and pgpgout; /proc/partitions is the sample's shape with the sizes of /sys; /proc/swaps shows the swap
 * partition whole less its header page; the queue files of a virtio disk are the sample's.
 */
class DiskFilesTest {
    static final String BUSY = """
            name: disk-io
            machine:
              memory: 1G
              cpu: 2
              swap:
                - {path: /dev/vda2, size: 1G}
            timeline:
              - spawn: {name: reader, program: python3.11, args: [python3, /opt/stream.py]}
              - spawn: {name: hog, program: python3.11, args: [python3, /opt/hog.py]}
              - read: {process: reader, path: /srv/data/stream.bin, size: 600M, rate: 300M/s}
              - write: {process: reader, path: /srv/data/out.bin, size: 200M, rate: 100M/s}
              - malloc: {process: hog, size: 1G, name: heap}
              - touch: {process: hog, name: heap, rate: 400M/s}
            """;

    private static SysFixture f;

    @BeforeAll
    static void run() {
        f = SysFixture.scenario(BUSY, 7).until(2500);
    }

    /** name → the 17 counters of its /proc/diskstats line. */
    private static Map<String, long[]> diskstats() {
        Map<String, long[]> out = new LinkedHashMap<>();
        for (String line : f.proc("/diskstats").split("\n")) {
            String[] w = line.trim().split(" +");
            out.put(w[2], Arrays.stream(w, 3, w.length).mapToLong(Long::parseLong).toArray());
        }
        return out;
    }

    /** A /sys/class/block file of device {@code name}, through the class link. */
    private static String classBlock(String name, String file) {
        String target = f.link("/class/block/" + name);
        assertTrue(target.startsWith("../../devices/"), target);
        return f.sys("/" + target.substring("../../".length()) + "/" + file);
    }

    @Test
    void diskstatsLinesHaveTheSamplesShape() {
        String sample = ProcTestSupport.sample("proc/diskstats");
        String shape = "^ {0,3}\\d{1,4} {1,7}\\d{1,7} [a-z0-9]+( \\d+){17}$";
        for (String line : sample.split("\n")) {
            assertTrue(line.matches(shape), "sample: " + line);
        }
        String text = f.proc("/diskstats");
        assertTrue(text.endsWith("\n"));
        List<String> names = new ArrayList<>();
        for (String line : text.split("\n")) {
            assertTrue(line.matches(shape), line);
            assertEquals(line.substring(0, 12), String.format("%4d %7d", Integer.parseInt(line.substring(0, 4).trim()),
                    Integer.parseInt(line.substring(5, 12).trim())));
            names.add(line.trim().split(" +")[2]);
        }
        assertEquals(List.of("loop0", "loop1", "loop2", "loop3", "loop4", "loop5", "loop6", "loop7", "vda", "vda1",
                "vda2", "zram0"), names, "the boot-time loop and zram devices around the profile's disk");
        assertTrue(text.contains("\n 254       0 vda "), text);
    }

    @Test
    void diskstatsIsSysBlockStat() {
        String sampleStat = ProcTestSupport.sample("sys/block/vda/stat");
        String statShape = "^( {0,7}\\d{1,8} ){16} {0,7}\\d{1,8}\\n$";
        assertTrue(sampleStat.matches(statShape), sampleStat);
        for (Map.Entry<String, long[]> e : diskstats().entrySet()) {
            String stat = classBlock(e.getKey(), "stat");
            assertTrue(stat.matches(statShape), stat);
            long[] fields = Arrays.stream(stat.trim().split(" +")).mapToLong(Long::parseLong).toArray();
            assertEquals(Arrays.toString(e.getValue()), Arrays.toString(fields), e.getKey());
            String inflight = classBlock(e.getKey(), "inflight");
            long[] rw = Arrays.stream(inflight.trim().split(" +")).mapToLong(Long::parseLong).toArray();
            assertEquals(fields[8], rw[0] + rw[1], e.getKey() + " in flight");
            assertTrue(fields[8] <= 256, e.getKey() + ": at most nr_requests in flight");
        }
        assertEquals(f.link("/block/vda"), f.link("/class/block/vda").substring(3));
    }

    @Test
    void theDiskCountsItsPartitionsAndTheDeviceWasBusy() {
        Map<String, long[]> s = diskstats();
        long[] vda = s.get("vda");
        long[] root = s.get("vda1");
        long[] swap = s.get("vda2");
        for (int i : new int[] {0, 1, 2, 4, 5, 6}) {
            assertTrue(vda[i] >= root[i] + swap[i], "field " + i);
        }
        assertTrue(root[0] > 0 && root[2] >= 8 * root[0], "file reads in requests of pages: " + Arrays.toString(root));
        assertTrue(root[4] > 0, "writeback reached the disk: " + Arrays.toString(root));
        assertTrue(swap[4] > 0 && swap[5] > 0, "swap-out in merged requests: " + Arrays.toString(swap));
        assertTrue(vda[9] > 0 && vda[9] % 4 == 0, "io_ticks in whole jiffies: " + vda[9]);
        assertTrue(vda[10] >= vda[3] + vda[7], "time_in_queue sums the groups' times");
        assertTrue(vda[9] <= vda[10] + 4, "busy no longer than the requests took");
    }

    @Test
    void pgpginAndPgpgoutAreHalfTheSectors() {
        Map<String, Long> vmstat = ProcText.vmstat(f.proc("/vmstat"));
        long[] vda = diskstats().get("vda");
        assertEquals(vmstat.get("pgpgin") * 2, vda[2]);
        assertEquals(vmstat.get("pgpgout") * 2, vda[6]);
        assertTrue(vmstat.get("pswpout") > 0 && vmstat.get("pswpout") * 8 == diskstats().get("vda2")[6]);
        assertEquals(vmstat.get("pswpin") * 8, diskstats().get("vda2")[2]);
    }

    @Test
    void partitionsHasTheSamplesShapeAndSysfsSizes() {
        String sample = ProcTestSupport.sample("proc/partitions");
        String text = f.proc("/partitions");
        assertEquals(sample.substring(0, sample.indexOf("\n\n") + 2), text.substring(0, text.indexOf("\n\n") + 2));
        String line = "^ {0,3}\\d{1,4}   {0,6}\\d{1,7} {1,10}\\d{1,10} [a-z0-9]+$";
        List<String> rows = List.of(text.substring(text.indexOf("\n\n") + 2).split("\n"));
        assertTrue(sample.split("\n")[2].matches(line));
        assertEquals(3, rows.size());
        for (String row : rows) {
            assertTrue(row.matches(line), row);
            String[] w = row.trim().split(" +");
            assertEquals(Long.parseLong(classBlock(w[3], "size").trim()) / 2, Long.parseLong(w[2]), row);
            assertEquals(w[0] + ":" + w[1], classBlock(w[3], "dev").trim());
        }
        assertEquals(" 254        0   33554432 vda", rows.get(0));
        assertEquals(" 254        2    1048576 vda2", rows.get(2));
        assertEquals("2048\n", classBlock("vda1", "start"));
        long start2 = Long.parseLong(classBlock("vda2", "start").trim());
        long end1 = 2048 + Long.parseLong(classBlock("vda1", "size").trim());
        assertTrue(start2 >= end1 && start2 % 2048 == 0, "partitions aligned, not overlapping");
        assertTrue(start2 + 2 * 1048576 <= 2 * 33554432 - 34, "the backup GPT stays");
    }

    @Test
    void swapsShowsTheWholePartitionLessItsHeader() {
        String swaps = f.proc("/swaps");
        String row = swaps.split("\n")[1];
        assertTrue(row.startsWith("/dev/vda2 "), row);
        long partKb = Long.parseLong(classBlock("vda2", "size").trim()) / 2;
        assertEquals(partKb - 4, Long.parseLong(row.split("\\s+")[2]), swaps);
    }

    @Test
    void aVirtioDisksFixedFilesAreTheSamples() {
        for (String file : List.of("dev", "queue/logical_block_size", "queue/rotational")) {
            assertEquals(ProcTestSupport.sample("sys/block/vda/" + file), classBlock("vda", file), file);
        }
        assertEquals("1\n", classBlock("vda1", "partition"));
        assertEquals("16\n", classBlock("vda", "range"));
    }

    @Test
    void mountsAndMountinfoDescribeOneTableWithTheSamplesShape() {
        String info = "^\\d+ \\d+ \\d+:\\d+ / \\S+ \\S+( shared:\\d+)* - \\S+ \\S+ \\S+$";
        for (String line : ProcTestSupport.sample("proc/PID/mountinfo").split("\n")) {
            assertTrue(line.matches(info), "sample: " + line);
        }
        String mnt = "^\\S+ \\S+ \\S+ \\S+ 0 0$";
        for (String line : ProcTestSupport.sample("proc/PID/mounts").split("\n")) {
            assertTrue(line.matches(mnt), "sample: " + line);
        }
        assertEquals("self/mounts", f.procLink("/mounts"));
        String[] infos = f.proc("/1/mountinfo").split("\n");
        String[] mounts = f.proc("/1/mounts").split("\n");
        assertEquals(infos.length, mounts.length);
        Map<String, String> ids = new LinkedHashMap<>();
        for (int i = 0; i < infos.length; i++) {
            assertTrue(infos[i].matches(info), infos[i]);
            assertTrue(mounts[i].matches(mnt), mounts[i]);
            String[] a = infos[i].split(" ");
            int dash = Arrays.asList(a).indexOf("-");
            String[] b = mounts[i].split(" ");
            assertEquals(a[dash + 2] + " " + a[4] + " " + a[dash + 1], b[0] + " " + b[1] + " " + b[2]);
            assertEquals(a[5] + a[dash + 3].substring(2), b[3], "mount then super block options");
            ids.put(a[0], a[4]);
        }
        for (String line : infos) {
            String[] a = line.split(" ");
            assertTrue(a[4].equals("/") ? a[1].equals("1") : ids.containsKey(a[1]), "parent of " + a[4]);
            if (a[4].equals("/")) {
                assertEquals(classBlock("vda1", "dev").trim(), a[2]);
                assertTrue(line.endsWith(" - ext4 /dev/vda1 rw,errors=remount-ro"), line);
            }
        }
        long memTotalKb = ProcText.meminfo(f.proc("/meminfo")).get("MemTotal");
        String dev = Arrays.stream(mounts).filter(l -> l.startsWith("udev /dev ")).findFirst().orElseThrow();
        long sizeKb = Long.parseLong(dev.replaceAll(".*size=(\\d+)k.*", "$1"));
        assertTrue(Math.abs(sizeKb - memTotalKb / 2) <= 4, dev + " vs MemTotal " + memTotalKb);
    }

    @Test
    void pidIoHasTheSamplesFieldsAndAddsUpToTheMachinesIo() {
        List<String> keys = new ArrayList<>();
        for (String line : ProcTestSupport.sample("proc/PID/io").split("\n")) {
            keys.add(line.substring(0, line.indexOf(": ")));
        }
        Map<String, Long> vmstat = ProcText.vmstat(f.proc("/vmstat"));
        long readBytes = 0;
        boolean reader = false;
        boolean writer = false;
        for (var t : f.kernel.tasks().all()) {
            if (t.isKthread() || t.pid() != t.tgid()) {
                continue;
            }
            String io = f.proc("/" + t.pid() + "/io");
            List<String> got = new ArrayList<>();
            Map<String, Long> v = new LinkedHashMap<>();
            for (String line : io.split("\n")) {
                got.add(line.substring(0, line.indexOf(": ")));
                v.put(got.get(got.size() - 1), Long.parseLong(line.substring(line.indexOf(": ") + 2)));
            }
            assertEquals(keys, got);
            readBytes += v.get("read_bytes");
            reader |= v.get("rchar") > 0 && v.get("syscr") > 0 && v.get("read_bytes") > 0;
            writer |= v.get("wchar") > 0 && v.get("syscw") > 0 && v.get("write_bytes") > 0
                    && v.get("write_bytes") <= v.get("wchar") + 4096 * v.get("syscw");
        }
        assertTrue(reader && writer, "a reader and a writer were seen");
        assertTrue(readBytes > 0 && readBytes <= vmstat.get("pgpgin") * 1024, readBytes + " read by processes");
    }
}
