package io.simproc.sysctl;

import io.simproc.mm.VmEvent;
import io.simproc.proc.ProcFs;
import io.simproc.proc.ProcTestSupport;
import io.simproc.uapi.Credentials;
import io.simproc.uapi.Errno;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static io.simproc.proc.ProcTestSupport.read;
import static io.simproc.proc.ProcTestSupport.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The knobs of reclaim and writeback (mm/vmscan.c: vm_swappiness; mm/page-writeback.c: vm_page_writeback_sysctls;
 * fs/drop_caches.c: drop_caches_sysctl_handler()): swappiness 0..200, dirty_ratio and
 * dirty_background_ratio 0..100, dirty_bytes ≥ 8192 and dirty_background_bytes ≥ 1 (unsigned long, ERANGE past
 * UINT_MAX pages), dirty_expire_centisecs ≥ 0, dirty_writeback_centisecs any int, drop_caches 1..4 write-only.
 * Every bad input: the kernel's errno and the value unchanged (one shared machine: a wrong change shows).
 */
class ReclaimKnobsTest {
    private static final int EINVAL = -Errno.EINVAL;
    private static final String SWAPPINESS = "/sys/vm/swappiness";
    private static final String RATIO = "/sys/vm/dirty_ratio";
    private static final String BG_RATIO = "/sys/vm/dirty_background_ratio";
    private static final String BYTES = "/sys/vm/dirty_bytes";
    private static final String BG_BYTES = "/sys/vm/dirty_background_bytes";
    private static final String EXPIRE = "/sys/vm/dirty_expire_centisecs";
    private static final String WRITEBACK = "/sys/vm/dirty_writeback_centisecs";
    private static final String DROP = "/sys/vm/drop_caches";
    private static final List<String> ALL = List.of(SWAPPINESS, RATIO, BG_RATIO, BYTES, BG_BYTES, EXPIRE, WRITEBACK);

    private static ProcFs unchanged;

    @BeforeAll
    static void boot() {
        unchanged = ProcTestSupport.bootDefault();
    }

    record Bad(String path, String input, int errno) {
        @Override
        public String toString() {
            return path.substring(path.lastIndexOf('/') + 1) + " <- '" + input.replace("\n", "\\n") + "' -> " + errno;
        }
    }

    static Stream<Bad> badInputs() {
        Stream<Bad> common = ALL.stream().flatMap(k -> Stream.of(
                new Bad(k, "\n", EINVAL),
                new Bad(k, "abc\n", EINVAL),
                new Bad(k, "60abc\n", EINVAL),
                new Bad(k, "99999999999999999999999\n", EINVAL),
                new Bad(k, "08\n", EINVAL)));
        Stream<Bad> specific = Stream.of(
                new Bad(SWAPPINESS, "-1\n", EINVAL),
                new Bad(SWAPPINESS, "201\n", EINVAL),
                new Bad(RATIO, "-1\n", EINVAL),
                new Bad(RATIO, "101\n", EINVAL),
                new Bad(BG_RATIO, "-1\n", EINVAL),
                new Bad(BG_RATIO, "101\n", EINVAL),
                new Bad(BYTES, "0\n", EINVAL),
                new Bad(BYTES, "4096\n", EINVAL),
                new Bad(BYTES, "8191\n", EINVAL),
                new Bad(BYTES, "-8192\n", EINVAL),
                new Bad(BYTES, "17592186048512\n", -Errno.ERANGE),
                new Bad(BG_BYTES, "0\n", EINVAL),
                new Bad(BG_BYTES, "-1\n", EINVAL),
                new Bad(BG_BYTES, "17592186048512\n", -Errno.ERANGE),
                new Bad(EXPIRE, "-1\n", EINVAL),
                new Bad(EXPIRE, "2147483648\n", EINVAL),
                new Bad(WRITEBACK, "-2147483649\n", EINVAL));
        return Stream.concat(common, specific);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badInputs")
    void badInputIsRefusedAndLeavesTheValue(Bad bad) {
        String before = read(unchanged, bad.path());
        List<String> others = ALL.stream().map(p -> read(unchanged, p)).toList();
        assertEquals(bad.errno(), write(unchanged, bad.path(), bad.input(), 0));
        assertEquals(before, read(unchanged, bad.path()));
        assertEquals(others, ALL.stream().map(p -> read(unchanged, p)).toList(), "no other knob moved");
    }

    @Test
    void defaultsAreTheKernels() {
        ProcFs fs = ProcTestSupport.shared();
        assertEquals("60\n", read(fs, SWAPPINESS));
        assertEquals("20\n", read(fs, RATIO));
        assertEquals("10\n", read(fs, BG_RATIO));
        assertEquals("0\n", read(fs, BYTES));
        assertEquals("0\n", read(fs, BG_BYTES));
        assertEquals("3000\n", read(fs, EXPIRE));
        assertEquals("500\n", read(fs, WRITEBACK));
    }

    @Test
    void ratioAndBytesZeroEachOther() {
        ProcFs fs = ProcTestSupport.bootDefault();
        assertEquals(9, write(fs, BYTES, "67108864\n", 0));
        assertEquals("67108864\n", read(fs, BYTES));
        assertEquals("0\n", read(fs, RATIO));
        assertEquals(16384, nrDirtyThreshold(fs), "thresh = dirty_bytes / 4096");
        assertEquals(3, write(fs, RATIO, "30\n", 0));
        assertEquals("0\n", read(fs, BYTES));
        assertEquals(6, write(fs, BG_BYTES, "65536\n", 0));
        assertEquals("0\n", read(fs, BG_RATIO));
        assertEquals(2, write(fs, BG_RATIO, "5\n", 0));
        assertEquals("0\n", read(fs, BG_BYTES));
        assertEquals(3, write(fs, WRITEBACK, "-1\n", 0));
        assertEquals("-1\n", read(fs, WRITEBACK), "no bounds: -1 accepted");
        assertEquals(2, write(fs, SWAPPINESS, "0\n", 0));
        assertEquals(4, write(fs, SWAPPINESS, "200\n", 0));
        assertEquals("200\n", read(fs, SWAPPINESS));
    }

    private static long nrDirtyThreshold(ProcFs fs) {
        for (String line : read(fs, "/vmstat").split("\n")) {
            if (line.startsWith("nr_dirty_threshold ")) {
                return Long.parseLong(line.substring(line.indexOf(' ') + 1));
            }
        }
        throw new AssertionError("no nr_dirty_threshold");
    }

    @Test
    void dropCachesIsWriteOnlyAndTakesOneToFour() {
        ProcFs fs = ProcTestSupport.bootDefault();
        io.simproc.proc.ProcFile f = ProcTestSupport.file(fs, DROP);
        assertEquals(0200, f.mode());
        assertEquals(-Errno.EACCES, ProcFs.permission(f, Credentials.ROOT, 4), "read: EACCES even for root");
        for (String bad : new String[] {"0\n", "5\n", "-1\n", "abc\n", "\n", "10\n"}) {
            assertEquals(EINVAL, write(fs, DROP, bad, 0), bad);
        }
        long drops = fs.kernel().read(k -> k.mm().vmstat().event(VmEvent.DROP_PAGECACHE));
        assertEquals(0, drops);
        assertEquals(2, write(fs, DROP, "1\n", 0));
        assertEquals(1, (long) fs.kernel().read(k -> k.mm().vmstat().event(VmEvent.DROP_PAGECACHE)));
        assertEquals(0, (long) fs.kernel().read(k -> k.mm().vmstat().event(VmEvent.DROP_SLAB)));
        assertEquals(2, write(fs, DROP, "3\n", 0));
        assertEquals(2, (long) fs.kernel().read(k -> k.mm().vmstat().event(VmEvent.DROP_PAGECACHE)));
        assertEquals(1, (long) fs.kernel().read(k -> k.mm().vmstat().event(VmEvent.DROP_SLAB)));
        String log = fs.kernel().read(k -> String.join("\n", k.log().records().stream().map(r -> r.text()).toList()));
        String comm = fs.kernel().read(k -> k.tasks().get(1).comm());
        assertTrue(log.contains(comm + " (1): drop_caches: 1"), "logged as the writing task: " + log);
        assertTrue(log.contains("(1): drop_caches: 3"));
        assertEquals(2, write(fs, DROP, "4\n", 0));
        assertEquals(2, write(fs, DROP, "1\n", 0));
        String after = fs.kernel().read(k -> String.join("\n", k.log().records().stream().map(r -> r.text()).toList()));
        assertTrue(after.contains("drop_caches: 4"), "the silencing write is itself logged");
        assertTrue(after.indexOf("drop_caches: 1", after.indexOf("drop_caches: 4")) < 0, "later writes are silent");
    }
}
