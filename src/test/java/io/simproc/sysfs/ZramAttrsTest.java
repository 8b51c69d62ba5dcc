package io.simproc.sysfs;

import io.simproc.uapi.Credentials;
import io.simproc.uapi.Errno;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * /sys/block/zram0 on a machine that swaps to it (drivers/block/zram/zram_drv.c semantics): comp_algorithm and
 * disksize set before use and EBUSY after, reset EBUSY while swapon holds the device, and mm_stat, stat,
 * /proc/swaps, /proc/diskstats and nr_zspages telling the same story.
 */
class ZramAttrsTest {
    static final String ZRAM_SWAP = """
            name: zram-swap
            machine:
              memory: 256M
              cpu: 2
            timeline:
              - zram: {comp_algorithm: lz4, disksize: 128M}
              - mkswap: /dev/zram0
              - swapon: {path: /dev/zram0, priority: 100}
              - spawn: {name: app, program: python3.11, args: [python3, /opt/app.py], data_class: text}
              - malloc: {process: app, size: 280M, name: heap}
              - touch: {process: app, name: heap, rate: 400M/s}
            """;

    private static SysFixture f;

    @BeforeAll
    static void run() {
        f = SysFixture.scenario(ZRAM_SWAP, 7).until(2000);
    }

    private static long[] fields(String text) {
        return Arrays.stream(text.trim().split("\\s+")).mapToLong(Long::parseLong).toArray();
    }

    @Test
    void theKnobsAreSetBeforeUseAndBusyAfter() {
        assertEquals("lzo-rle lzo [lz4] \n", f.sys("/block/zram0/comp_algorithm"));
        assertEquals("134217728\n", f.sys("/block/zram0/disksize"));
        assertEquals("1\n", f.sys("/block/zram0/initstate"));
        assertEquals("262144\n", f.sys("/block/zram0/size"));
        assertEquals(-Errno.EBUSY, f.writeSys("/block/zram0/disksize", "256M\n", Credentials.ROOT));
        assertEquals(-Errno.EBUSY, f.writeSys("/block/zram0/comp_algorithm", "lzo\n", Credentials.ROOT));
        assertEquals(-Errno.EINVAL, f.writeSys("/block/zram0/comp_algorithm", "zstd\n", Credentials.ROOT));
        assertEquals(-Errno.EBUSY, f.writeSys("/block/zram0/reset", "1\n", Credentials.ROOT), "swap holds it");
        assertEquals(-Errno.EINVAL, f.writeSys("/block/zram0/mem_used_max", "5\n", Credentials.ROOT));
        assertEquals("134217728\n", f.sys("/block/zram0/disksize"));
    }

    @Test
    void mmStatAgreesWithSwapsDiskstatsAndZoneinfo() {
        long[] mm = fields(f.sys("/block/zram0/mm_stat"));
        assertEquals(9, mm.length);
        assertTrue(mm[0] > 32L << 20, "orig_data_size " + mm[0]);
        assertTrue(mm[1] < mm[0] * 2 / 3 && mm[1] > mm[0] / 4, "text compresses about 2:1: " + mm[1] + " of "
                + mm[0]);
        assertTrue(mm[2] >= mm[1] && mm[2] < mm[0], "mem_used_total " + mm[2]);
        assertTrue(mm[4] >= mm[2], "mem_used_max");
        assertEquals(0, mm[6], "pages_compacted");
        long zspages = 0;
        for (String line : f.proc("/zoneinfo").split("\n")) {
            if (line.trim().startsWith("nr_zspages")) {
                zspages += Long.parseLong(line.trim().split("\\s+")[1]);
            }
        }
        assertEquals(mm[2], zspages * 4096, "mem_used_total is the zones' nr_zspages");
        String swap = f.proc("/swaps").split("\n")[1];
        String[] w = swap.trim().split("\\s+");
        assertEquals("/dev/zram0", w[0]);
        assertEquals("partition", w[1]);
        assertEquals(128 * 1024 - 4, Long.parseLong(w[2]));
        assertTrue(Long.parseLong(w[3]) * 1024 >= mm[0], "every stored page has a slot");
        assertEquals("100", w[4]);
        long[] stat = fields(f.sys("/block/zram0/stat"));
        Map<String, Long> vmstat = SysFixture.pairs(f.proc("/vmstat"));
        assertEquals(vmstat.get("pswpout"), stat[4], "every swap-out is a write to zram0");
        assertEquals(vmstat.get("pswpin"), stat[0], "every swap-in a read");
        assertEquals(8 * stat[4], stat[6], "one page a write");
        assertEquals(0, stat[1] + stat[5], "bio-based: no merges");
        for (String line : f.proc("/diskstats").split("\n")) {
            if (line.contains(" zram0 ")) {
                long[] d = fields(line.substring(line.indexOf("zram0") + 5));
                assertEquals(stat[0], d[0]);
                assertEquals(stat[4], d[4]);
            }
        }
        long[] io = fields(f.sys("/block/zram0/io_stat"));
        assertEquals(0, io[1], "no failed writes without a mem_limit");
    }

    @Test
    void aProfileKeySetsUpZramSwapAtBootAndResetNeedsSwapoff() {
        SysFixture m = SysFixture.scenario("""
                name: zram-profile
                machine:
                  memory: 256M
                  zram: {size: 64M, algorithm: lzo, mem_limit: 16M}
                timeline:
                  - at: 2s
                    swapoff: /dev/zram0
                  - zram: {reset: 1}
                """, 7);
        m.until(1500);
        String[] swap = m.proc("/swaps").split("\n")[1].split("\\s+");
        assertEquals(List.of("/dev/zram0", "partition", "65532", "100"), List.of(swap[0], swap[1], swap[2], swap[4]));
        assertEquals("lzo-rle [lzo] lz4 \n", m.sys("/block/zram0/comp_algorithm"));
        assertEquals(16L << 20, fields(m.sys("/block/zram0/mm_stat"))[3], "mem_limit");
        m.until(2500);
        assertEquals(1, m.proc("/swaps").split("\n").length, "swapped off");
        assertEquals("0\n", m.sys("/block/zram0/disksize"));
        assertEquals("0\n", m.sys("/block/zram0/initstate"));
        assertEquals("[lzo-rle] lzo lz4 \n", m.sys("/block/zram0/comp_algorithm"), "reset restores the default");
        assertEquals("0\n", m.sys("/block/zram0/size"));
    }
}
