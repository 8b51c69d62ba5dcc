package io.simproc.proc;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Inputs for the bad-input tests: a fixed list of edge cases (empty, whitespace, signs, every base prefix, int and
 * 64-bit limits and one beyond, 21-character numbers, trailing junk, NUL bytes, Latin-1 no-break space, writes of
 * a page and of 1 MiB), the bounds of the file's own range and one beyond, then random compositions of sign,
 * prefix, digits and tail, and random bytes; most at offset 0, some at other offsets (the second piece of a write
 * split in two).
 */
public final class BadInputs {
    /** One write(2): the bytes and the file offset. */
    public record Input(byte[] data, long offset) {
        public String describe() {
            StringBuilder sb = new StringBuilder("'");
            int n = Math.min(data.length, 40);
            for (int i = 0; i < n; i++) {
                int b = data[i] & 0xff;
                sb.append(b >= 0x20 && b < 0x7f && b != '\'' && b != '\\' ? String.valueOf((char) b)
                        : String.format("\\x%02x", b));
            }
            if (data.length > n) {
                sb.append("...(").append(data.length).append(" bytes)");
            }
            return sb.append("' at offset ").append(offset).toString();
        }
    }

    private static final String[] EDGE = {"", "\n", " ", "\t\n", "   \n\n", "0", "0\n", "-0\n", "+1\n", "1", "-1\n",
        "--1\n", "- 1\n", "-\n", "+\n", "2147483647\n", "2147483648\n", "-2147483648\n", "-2147483649\n",
        "4294967295\n", "4294967296\n", "9223372036854775807\n", "9223372036854775808\n",
        "18446744073709551615\n", "18446744073709551616\n", "-18446744073709551615\n", "99999999999999999999999\n",
        "000000000000000000001\n", "00000000000000000001\n", "0000000000000000000001", "0x\n", "0x1f\n", "0X1F\n",
        "0xg\n", "0x7fffffff\n", "0x80000000\n", "0xffffffffffffffff\n", "0x10000000000000000\n", "-0x10\n",
        "010\n", "08\n", "0777\n", "1e3\n", "1.5\n", "5 6\n", "5\t6\n", "5  \n", "5\n6\n", "5abc\n", "abc\n",
        "5,6\n", "\u00005\n", "5\u0000\n", "5\u0000", "\u0000", "\u000b5\n", "\f5\n", "\r5\n", "5\r\n", "5\u000b",
        "\u00a05\n", "5\u00a0", "5\u00a0\n", " 5 \n", "+-5\n", "-+5\n", "12345678901\n", "  -7  \n", "100\n",
        "1000\n", "1001\n", "-1000\n", "-1001\n", "-17\n", "-16\n", "15\n", "16\n", "0x10\n", " 7 ", "300\n",
        "301\n", "3000\n", "3001\n", "65536\n", "4194304\n", "4194305\n"};

    private final Random random;
    private final List<byte[]> fixed = new ArrayList<>();
    private int next;

    public BadInputs(long seed, long... rangeBounds) {
        random = new Random(seed);
        for (String s : EDGE) {
            fixed.add(s.getBytes(StandardCharsets.ISO_8859_1));
        }
        for (long b : rangeBounds) {
            for (long v : new long[] {b - 1, b, b + 1}) {
                fixed.add((v + "\n").getBytes(StandardCharsets.US_ASCII));
            }
        }
        fixed.add(padded(4094, "7\n"));
        fixed.add(padded(4095, "7\n"));
        fixed.add(padded(4096, "7\n"));
        fixed.add(padded(4097, "7\n"));
        fixed.add(repeat((byte) '7', 4096));
        fixed.add(padded(1 << 20, "7\n"));
        byte[] numberThenSpaces = repeat((byte) ' ', 1 << 20);
        numberThenSpaces[0] = '7';
        fixed.add(numberThenSpaces);
        fixed.add(repeat((byte) '9', 1 << 20));
        byte[] junk = new byte[1 << 20];
        random.nextBytes(junk);
        fixed.add(junk);
    }

    /** {@code tail} preceded by spaces to {@code length} bytes. */
    private static byte[] padded(int length, String tail) {
        byte[] b = repeat((byte) ' ', length);
        byte[] t = tail.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(t, 0, b, length - t.length, t.length);
        return b;
    }

    private static byte[] repeat(byte b, int n) {
        byte[] a = new byte[n];
        Arrays.fill(a, b);
        return a;
    }

    /** How many inputs the fixed list holds (all are produced first). */
    public int fixedCount() {
        return fixed.size();
    }

    public Input next() {
        if (next < fixed.size()) {
            return new Input(fixed.get(next++), 0);
        }
        byte[] data = random.nextInt(5) == 0 ? randomBytes() : composed();
        long offset = random.nextInt(10) == 0 ? new long[] {1, 2, 3, 5, 13, 4096, 1 << 20}[random.nextInt(7)] : 0;
        return new Input(data, offset);
    }

    private byte[] randomBytes() {
        byte[] b = new byte[random.nextInt(24)];
        random.nextBytes(b);
        return b;
    }

    private static final String[] LEAD = {"", "", "", " ", "\t", "\n", "  ", "\u00a0", "\u000b"};
    private static final String[] SIGN = {"", "", "", "-", "+", "--", "-+"};
    private static final String[] PREFIX = {"", "", "", "0", "0x", "0X", "00"};
    private static final String[] TAIL = {"", "\n", "\n", " ", "\t", " \n", "\n\n", " 5\n", "\t-3", "x", "\u0000",
        ".0", "k", "\r", "\u00a0", "\n7"};
    private static final String DIGITS = "0123456789abcdefABCDEF";

    private byte[] composed() {
        StringBuilder sb = new StringBuilder();
        sb.append(pick(LEAD)).append(pick(SIGN)).append(pick(PREFIX));
        int n = random.nextInt(10) == 0 ? 15 + random.nextInt(10) : random.nextInt(11);
        int alphabet = random.nextInt(3) == 0 ? DIGITS.length() : 10;
        for (int i = 0; i < n; i++) {
            sb.append(DIGITS.charAt(random.nextInt(alphabet)));
        }
        sb.append(pick(TAIL));
        return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    private String pick(String[] a) {
        return a[random.nextInt(a.length)];
    }
}
