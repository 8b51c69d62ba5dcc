package io.simproc.sysctl;

import io.simproc.uapi.Errno;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The parser of kernel/sysctl.c ({@code __do_proc_dointvec}, {@code __do_proc_doulongvec_minmax},
 * {@code proc_get_long}) driven directly, one row per input: what write(2) returns, which vector entries the
 * handler received (the kernel stores each as soon as it is parsed) and the byte count left in *lenp. Rows follow
 * kernel/sysctl.c (__do_proc_dointvec(), proc_get_long()) and the live probe in
 * samples/sysctl_write_probe_results.txt.
 */
class ProcDoIntVecTest {
    private static final int EINVAL = -Errno.EINVAL;

    /**
     * One write: {@code input} into a vector of {@code length} ints (or unsigned longs), expecting {@code returned}
     * (bytes or -errno) and the entries handed over, in order.
     */
    record Row(String input, int length, boolean unsignedLong, int returned, long... values) {
        @Override
        public String toString() {
            return (unsignedLong ? "ulong" : "int") + "[" + length + "] <- '" + input.replace("\n", "\\n")
                    .replace("\t", "\\t").replace("\r", "\\r").replace("\0", "\\0") + "' -> " + returned;
        }
    }

    private static Row row(String input, int returned, long... values) {
        return new Row(input, 1, false, returned, values);
    }

    static Stream<Row> rows() {
        return Stream.of(
                // zero-length write and whitespace-only input (proc_skip_spaces(), then proc_get_long() of nothing)
                row("", 0),
                row("\n", EINVAL),
                row(" \t\n", EINVAL),
                // plain numbers, with leading whitespace skipped and counted
                row("60\n", 3, 60),
                row("60", 2, 60),
                row("  60\n", 5, 60),
                row("\r60\n", 4, 60),
                row("60\n\n\n", 5, 60),
                row("0\n", 2, 0),
                row("-0\n", 3, 0),
                row("-1\n", 3, -1),
                // base auto-detection (rule 3)
                row("0x3c\n", 5, 60),
                row("0X3C\n", 5, 60),
                row("010\n", 4, 8),
                row("08\n", EINVAL),
                row("0x\n", EINVAL),
                // a digit is required; the character after the number must be ' ', '\t' or '\n'
                row("abc\n", EINVAL),
                row("+1\n", EINVAL),
                row("--1\n", EINVAL),
                row("-\n", EINVAL),
                row("-", EINVAL),
                row("60abc\n", EINVAL),
                row("60\r\n", EINVAL),
                row("60\0", EINVAL),
                // C int range (rule 4) and the 21-character limit
                row("2147483647\n", 11, 2147483647),
                row("2147483648\n", EINVAL),
                row("-2147483648\n", 12, -2147483648),
                row("-2147483649\n", EINVAL),
                row("99999999999999999999999\n", EINVAL),
                row("00000000000000000001\n", 21, 1),
                row("000000000000000000001\n", EINVAL),
                // a full vector stops the parse: short count (rule 6)
                row("60 70\n", 3, 60),
                row("60\t70\n", 3, 60),
                new Row("1 2 3\n", 5, false, 6, 1, 2, 3),
                new Row("1 2 3 4 5 6\n", 5, false, 10, 1, 2, 3, 4, 5),
                new Row("1 abc\n", 5, false, EINVAL, 1),
                new Row("1 2 3 4 99999999999\n", 5, false, EINVAL, 1, 2, 3, 4),
                // unsigned long vectors: any '-' is EINVAL; the full 64-bit range parses
                new Row("-1\n", 1, true, EINVAL),
                new Row("-0\n", 1, true, EINVAL),
                new Row("0x10\n", 1, true, 5, 16),
                new Row("18446744073709551615\n", 1, true, 21, -1L),
                new Row("18446744073709551616\n", 1, true, EINVAL));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void parsesLikeTheKernel(Row row) {
        List<Long> seen = new ArrayList<>();
        ProcDoIntVec.Result r = ProcDoIntVec.write(row.input().getBytes(StandardCharsets.ISO_8859_1), 0,
                row.length(), row.unsignedLong(), (i, magnitude, negative) -> {
                    assertEquals(seen.size(), i, "entries arrive in order");
                    if (row.unsignedLong()) {
                        seen.add(magnitude);
                        return 0;
                    }
                    Integer v = ProcDoIntVec.toInt(magnitude, negative);
                    if (v == null) {
                        return EINVAL;
                    }
                    seen.add((long) v);
                    return 0;
                });
        assertEquals(row.returned(), r.returned(), "returned");
        assertArrayEquals(row.values(), seen.stream().mapToLong(Long::longValue).toArray(), "entries");
        assertEquals(row.values().length, r.valuesAccepted(), "valuesAccepted");
    }

    /** A write at a non-zero file position is ignored and reported as fully written (sysctl_writes_strict=1). */
    @Test
    void writeAtANonZeroOffsetIsIgnoredButReportedWritten() {
        ProcDoIntVec.Result r = ProcDoIntVec.write("60\n".getBytes(StandardCharsets.US_ASCII), 3, 1, false,
                (i, m, n) -> {
                    throw new AssertionError("nothing may be parsed");
                });
        assertEquals(new ProcDoIntVec.Result(3, 0, 3), r);
        assertEquals(0, ProcDoIntVec.write(new byte[0], 3, 1, false, (i, m, n) -> 0).returned());
    }

    /** *lenp after an error: untouched for an error on the first value, bytes before the bad one otherwise. */
    @Test
    void lenpAfterErrorsIsWhatLowmemReserveRatioReports() {
        assertEquals(4, ProcDoIntVec.write(bytes("abc\n"), 0, 5, false, (i, m, n) -> 0).lenp());
        assertEquals(2, ProcDoIntVec.write(bytes("1 abc\n"), 0, 5, false, (i, m, n) -> 0).lenp());
    }

    /** Only PAGE_SIZE − 1 bytes are looked at; the count consumed is still the whole write. */
    @Test
    void inputIsLimitedToPageSizeMinusOne() {
        assertEquals(EINVAL, ProcDoIntVec.write(bytes(" ".repeat(4095) + "60\n"), 0, 1, false, (i, m, n) -> 0)
                .returned(), "nothing but whitespace within the first 4095 bytes");
        assertEquals(5002, ProcDoIntVec.write(bytes("60" + " ".repeat(5000)), 0, 1, false, (i, m, n) -> 0)
                .returned());
    }

    @Test
    void toIntFollowsDoProcDointvecConv() {
        assertEquals(Integer.MAX_VALUE, ProcDoIntVec.toInt(Integer.MAX_VALUE, false));
        assertNull(ProcDoIntVec.toInt(Integer.MAX_VALUE + 1L, false));
        assertEquals(Integer.MIN_VALUE, ProcDoIntVec.toInt(Integer.MAX_VALUE + 1L, true));
        assertNull(ProcDoIntVec.toInt(Integer.MAX_VALUE + 2L, true));
        assertNull(ProcDoIntVec.toInt(-1L, false), "magnitudes above LONG_MAX are unsigned and too large");
    }

    @Test
    void readFormatSeparatesEntriesWithTabsAndEndsWithNewline() {
        assertArrayEquals(bytes("256\t256\t32\t0\t0\n"), ProcDoIntVec.format(256, 256, 32, 0, 0));
        assertArrayEquals(bytes("-1\n"), ProcDoIntVec.format(-1));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
