package io.simproc.sysctl;

import io.simproc.proc.ProcFs;
import io.simproc.proc.ProcTestSupport;
import io.simproc.proc.ProcText;
import io.simproc.proc.ReserveMath;
import io.simproc.uapi.Errno;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static io.simproc.proc.ProcTestSupport.read;
import static io.simproc.proc.ProcTestSupport.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * write(2) to /proc/sys files through {@link ProcFs#write}, one row per write, with the value read back through
 * {@link ProcFs#render} afterwards: the rules of kernel/sysctl.c (proc_dointvec_minmax(), proc_douintvec()) and
 * the live results of
 * samples/sysctl_write_probe_results.txt for vm.min_free_kbytes (≥ 0), vm.watermark_scale_factor (1..3000),
 * vm.lowmem_reserve_ratio (an int vector whose handler swallows errors), kernel.pid_max (301..4194304) and
 * kernel.threads-max (1..0x3fffffff). Rows that must leave the value alone share one machine (a wrong change shows
 * in the read-back); rows that change it get a fresh machine.
 */
class SysctlWriteTest {
    private static final int EINVAL = -Errno.EINVAL;
    private static final String MIN_FREE = "/sys/vm/min_free_kbytes";
    private static final String SCALE = "/sys/vm/watermark_scale_factor";
    private static final String LOWMEM = "/sys/vm/lowmem_reserve_ratio";
    private static final String PID_MAX = "/sys/kernel/pid_max";
    private static final String THREADS_MAX = "/sys/kernel/threads-max";
    private static final List<String> INT_KNOBS = List.of(MIN_FREE, SCALE, PID_MAX, THREADS_MAX);

    private static ProcFs unchanged;

    @BeforeAll
    static void boot() {
        unchanged = ProcTestSupport.bootDefault();
    }

    /**
     * One write of {@code input} at {@code offset}: write(2) returns {@code returned}; reading the file afterwards
     * gives {@code after} (without its newline), or the value before the write when {@code after} is null.
     */
    record Row(String path, String input, long offset, int returned, String after) {
        @Override
        public String toString() {
            return path.substring(path.lastIndexOf('/') + 1) + " <- '" + input.replace("\n", "\\n") + "'"
                    + (offset != 0 ? " at offset " + offset : "") + " -> " + returned
                    + (after == null ? ", unchanged" : ", reads '" + after.replace("\t", "\\t") + "'");
        }
    }

    private static Row row(String path, String input, int returned, String after) {
        return new Row(path, input, 0, returned, after);
    }

    static Stream<Row> rows() {
        Stream<Row> common = INT_KNOBS.stream().flatMap(k -> Stream.of(
                row(k, "", 0, null),
                row(k, "\n", EINVAL, null),
                row(k, "abc\n", EINVAL, null),
                row(k, "60abc\n", EINVAL, null),
                row(k, "99999999999999999999999\n", EINVAL, null),
                row(k, "08\n", EINVAL, null),
                row(k, "-2147483649\n", EINVAL, null),
                new Row(k, "60\n", 3, 3, null),
                new Row(k, "abc\n", 1, 4, null)));
        Stream<Row> specific = Stream.of(
                row(MIN_FREE, "-1\n", EINVAL, null),
                row(MIN_FREE, "0x3c\n", 5, "60"),
                row(MIN_FREE, "010\n", 4, "8"),
                row(MIN_FREE, "60 70\n", 3, "60"),
                row(MIN_FREE, "  90112\n", 8, "90112"),
                row(MIN_FREE, "0\n", 2, "0"),
                row(SCALE, "0\n", EINVAL, null),
                row(SCALE, "3001\n", EINVAL, null),
                row(SCALE, "-1\n", EINVAL, null),
                row(SCALE, "0x3c\n", 5, "60"),
                row(SCALE, "010\n", 4, "8"),
                row(SCALE, "60 70\n", 3, "60"),
                row(SCALE, "10\n", 3, "10"),
                row(SCALE, "1\n", 2, "1"),
                row(SCALE, "3000\n", 5, "3000"),
                row(PID_MAX, "0x3c\n", EINVAL, null),
                row(PID_MAX, "010\n", EINVAL, null),
                row(PID_MAX, "300\n", EINVAL, null),
                row(PID_MAX, "4194305\n", EINVAL, null),
                row(PID_MAX, "301\n", 4, "301"),
                row(PID_MAX, "4194304\n", 8, "4194304"),
                row(PID_MAX, "0x10000\n", 8, "65536"),
                row(PID_MAX, "400 500\n", 4, "400"),
                row(THREADS_MAX, "0\n", EINVAL, null),
                row(THREADS_MAX, "-1\n", EINVAL, null),
                row(THREADS_MAX, "1073741824\n", EINVAL, null),
                row(THREADS_MAX, "1073741823\n", 11, "1073741823"),
                row(THREADS_MAX, "0x3c\n", 5, "60"),
                row(THREADS_MAX, "010\n", 4, "8"),
                row(THREADS_MAX, "60 70\n", 3, "60"),
                // lowmem_reserve_ratio: errors are swallowed (the write reports the bytes the parser had looked at)
                row(LOWMEM, "", 0, null),
                row(LOWMEM, "\n", 1, null),
                row(LOWMEM, "abc\n", 4, null),
                row(LOWMEM, "99999999999 5\n", 14, null),
                row(LOWMEM, "128\n", 4, "128\t256\t32\t0\t0"),
                row(LOWMEM, "-5 64\n", 6, "0\t64\t32\t0\t0"),
                row(LOWMEM, "128 abc\n", 4, "128\t256\t32\t0\t0"),
                row(LOWMEM, "1 2 3 4 5 6\n", 10, "1\t2\t3\t4\t5"),
                row(LOWMEM, "0x20\t010\n", 9, "32\t8\t32\t0\t0"),
                new Row(LOWMEM, "128\n", 4, 4, null));
        return Stream.concat(common, specific);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void writeReturnsAndLeavesTheValueAsTheKernelDoes(Row row) {
        ProcFs fs = row.after() == null ? unchanged : ProcTestSupport.bootDefault();
        String before = read(fs, row.path());
        assertTrue(before.endsWith("\n"), "a read ends with a newline");
        assertEquals(row.returned(), write(fs, row.path(), row.input(), row.offset()), "write(2) returned");
        String expected = row.after() == null ? before : row.after() + "\n";
        assertEquals(expected, read(fs, row.path()), "value read back");
    }

    @Test
    void defaultsReadAsOnTheSampledKernel() {
        ProcFs fs = ProcTestSupport.shared();
        assertEquals("67584\n", read(fs, MIN_FREE));
        assertEquals("10\n", read(fs, SCALE));
        assertEquals("256\t256\t32\t0\t0\n", read(fs, LOWMEM));
        assertEquals("32768\n", read(fs, PID_MAX));
    }

    /** min_free_kbytes_sysctl_handler(): the value becomes user-chosen and every watermark is recomputed. */
    @Test
    void writingMinFreeKbytesRecomputesWatermarksAndMarksTheValueUserChosen() {
        ProcFs fs = ProcTestSupport.bootDefault();
        assertEquals(-1, userMinFreeKbytes(fs), "not chosen at boot");
        assertEquals(EINVAL, write(fs, MIN_FREE, "-1\n", 0));
        assertEquals(-1, userMinFreeKbytes(fs), "a rejected write");
        String zoneinfoBefore = read(fs, "/zoneinfo");

        assertEquals(6, write(fs, MIN_FREE, "90112\n", 0));
        String zoneinfoAfter = read(fs, "/zoneinfo");
        assertNotEquals(watermarkLines(zoneinfoBefore), watermarkLines(zoneinfoAfter));
        ReserveMath.assertWatermarks("after min_free_kbytes=90112", ProcText.zoneinfo(zoneinfoAfter), 90112, 10);
        assertEquals(90112, userMinFreeKbytes(fs));
    }

    @Test
    void writingWatermarkScaleFactorRecomputesWatermarks() {
        ProcFs fs = ProcTestSupport.bootDefault();
        String before = read(fs, "/zoneinfo");
        assertEquals(4, write(fs, SCALE, "200\n", 0));
        String after = read(fs, "/zoneinfo");
        assertNotEquals(watermarkLines(before), watermarkLines(after));
        ReserveMath.assertWatermarks("after watermark_scale_factor=200", ProcText.zoneinfo(after), 67584, 200);
    }

    /** lowmem_reserve_ratio_sysctl_handler(): new protection arrays and totalreserve_pages (so MemAvailable). */
    @Test
    void writingLowmemReserveRatioRecomputesProtectionAndMemAvailable() {
        ProcFs fs = ProcTestSupport.bootDefault();
        long availableBefore = ProcText.meminfo(read(fs, "/meminfo")).get("MemAvailable");
        assertEquals(7, write(fs, LOWMEM, "256 32\n", 0));
        ReserveMath.assertProtection("after lowmem_reserve_ratio=256 32", ProcText.zoneinfo(read(fs, "/zoneinfo")),
                new long[] {256, 32, 32, 0, 0});
        long availableAfter = ProcText.meminfo(read(fs, "/meminfo")).get("MemAvailable");
        assertTrue(availableAfter < availableBefore, "a larger DMA32 reserve leaves less available: "
                + availableBefore + " -> " + availableAfter);
    }

    private static int userMinFreeKbytes(ProcFs fs) {
        return fs.kernel().read(k -> k.mm().tunables().userMinFreeKbytes());
    }

    private static List<String> watermarkLines(String zoneinfo) {
        return Arrays.stream(zoneinfo.split("\n"))
                .filter(l -> l.matches(" {8}(min|low|high|promo) +\\d+")).toList();
    }
}
