package io.simproc.proc;

import io.simproc.uapi.Errno;

import java.nio.charset.StandardCharsets;

/**
 * The number parsing of small /proc/PID writes (fs/proc/base.c with lib/kstrtox.c): the write is cut to the first
 * PROC_NUMBUF − 1 = 12 bytes (and at a NUL), stripped of surrounding white space (strstrip, with the kernel's
 * isspace: \t \n \v \f \r, space and Latin-1 NBSP), then read by kstrtoint with base 0: "0x"/"0X" followed by a hex
 * digit means hex, a leading 0 octal, else decimal; one leading '+' or '-'; nothing may follow the digits.
 */
public final class Kstrtox {
    /** PROC_NUMBUF − 1: the bytes of a write that are looked at. */
    static final int PROC_NUMBUF_BYTES = 12;

    /** A parse result: the value, or a positive errno (EINVAL, ERANGE). */
    public record Parsed(int value, int errno) {
        public boolean ok() {
            return errno == 0;
        }
    }

    private Kstrtox() {
    }

    /** What the kernel copies of a write into its number buffer: at most 12 bytes, up to the first NUL. */
    static String procNumbuf(byte[] data) {
        int n = Math.min(data.length, PROC_NUMBUF_BYTES);
        for (int i = 0; i < n; i++) {
            if (data[i] == 0) {
                n = i;
                break;
            }
        }
        return new String(data, 0, n, StandardCharsets.ISO_8859_1);
    }

    /** strstrip(). */
    public static String strstrip(String s) {
        int from = 0;
        int to = s.length();
        while (from < to && isspace(s.charAt(from))) {
            from++;
        }
        while (to > from && isspace(s.charAt(to - 1))) {
            to--;
        }
        return s.substring(from, to);
    }

    static boolean isspace(char c) {
        return c == ' ' || c >= '\t' && c <= '\r' || c == 0xa0;
    }

    /** kstrtoint(s, 0): kstrtoll, then -ERANGE when the value does not fit an int. */
    public static Parsed kstrtoint(String s) {
        boolean negative = s.startsWith("-");
        String digits = negative ? s.substring(1) : s.startsWith("+") ? s.substring(1) : s;
        long[] value = new long[1];
        int err = kstrtoull(digits, value);
        if (err != 0) {
            return new Parsed(0, err);
        }
        long v = value[0];
        if (negative) {
            if (Long.compareUnsigned(v, -(long) Integer.MIN_VALUE) > 0) {
                return new Parsed(0, Errno.ERANGE);
            }
            return new Parsed((int) -v, 0);
        }
        if (Long.compareUnsigned(v, Integer.MAX_VALUE) > 0) {
            return new Parsed(0, Errno.ERANGE);
        }
        return new Parsed((int) v, 0);
    }

    /**
     * _kstrtoull(s, 0): radix from the prefix, then digits (an overflow of 64 bits is ERANGE, checked first), no
     * digits is EINVAL, and after them only one optional newline.
     */
    private static int kstrtoull(String s, long[] out) {
        int base = 10;
        int i = 0;
        if (s.startsWith("0")) {
            if (s.length() > 2 && (s.charAt(1) | 0x20) == 'x' && digit(s.charAt(2)) >= 0) {
                base = 16;
                i = 2;
            } else {
                base = 8;
            }
        }
        int start = i;
        long v = 0;
        boolean overflow = false;
        for (; i < s.length(); i++) {
            int d = digit(s.charAt(i));
            if (d < 0 || d >= base) {
                break;
            }
            if (Long.compareUnsigned(v, Long.divideUnsigned(-1L - d, base)) > 0) {
                overflow = true;
            }
            v = v * base + d;
        }
        if (overflow) {
            return Errno.ERANGE;
        }
        if (i == start) {
            return Errno.EINVAL;
        }
        if (i < s.length() && s.charAt(i) == '\n') {
            i++;
        }
        if (i != s.length()) {
            return Errno.EINVAL;
        }
        out[0] = v;
        return 0;
    }

    /** _parse_integer's digit value: 0-9, a-f and A-F, else -1. */
    private static int digit(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        char lc = (char) (c | 0x20);
        if (lc >= 'a' && lc <= 'f') {
            return lc - 'a' + 10;
        }
        return -1;
    }
}
