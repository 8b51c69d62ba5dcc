package io.simproc.sysctl;

import io.simproc.uapi.Errno;

import java.nio.charset.StandardCharsets;

/**
 * The number parsing of kernel/sysctl.c ({@code __do_proc_dointvec}, {@code __do_proc_doulongvec_minmax},
 * {@code proc_get_long}) with its exact rules: leading whitespace (the kernel's isspace) skipped, whitespace-only input is EINVAL, base
 * auto-detection ({@code 0x3c}, {@code 010}), the character after a number must be a space, tab or newline, at
 * most 21 characters per number, a full vector stops parsing and reports a short count, and a write at a non-zero
 * offset is ignored but reported as fully written.
 *
 * <p>Each value is handed to a {@link Conv} as soon as it is parsed, as the kernel writes vector entries one by
 * one; a conversion error stops the parse.
 */
public final class ProcDoIntVec {
    /** TMPBUFLEN of proc_get_long. */
    static final int TMPBUFLEN = 22;
    static final long INT_MAX = Integer.MAX_VALUE;

    /** Receives each parsed value (index in the vector, magnitude, sign); returns 0 or a negative errno. */
    @FunctionalInterface
    public interface Conv {
        int accept(int index, long magnitude, boolean negative);
    }

    /**
     * The outcome of a write: what the handler returns to write(2) (bytes consumed, or a negative errno), how many
     * vector entries were accepted, and {@code lenp}, the byte count the kernel leaves in *lenp even on error
     * (handlers that swallow errors, like lowmem_reserve_ratio's, report that).
     */
    public record Result(int returned, int valuesAccepted, int lenp) {
        public boolean ok() {
            return returned >= 0;
        }
    }

    private ProcDoIntVec() {
    }

    /**
     * Parse a write of {@code data} at file position {@code pos} into at most {@code vectorLength} values,
     * handing each to {@code conv}.
     */
    public static Result write(byte[] data, long pos, int vectorLength, boolean unsignedLong, Conv conv) {
        int count = data.length;
        if (count == 0) {
            return new Result(0, 0, 0);
        }
        if (pos != 0) {
            return new Result(count, 0, count);
        }
        int left = Math.min(count, io.simproc.uapi.Page.PAGE_SIZE - 1);
        int p = 0;
        int accepted = 0;
        int err = 0;
        boolean first = true;
        for (int v = 0; left > 0 && v < vectorLength; v++, first = false) {
            int skipped = skipSpaces(data, p, left);
            p += skipped;
            left -= skipped;
            if (left == 0) {
                break;
            }
            long[] parsed = new long[3];
            err = getLong(data, p, left, parsed);
            if (err != 0) {
                break;
            }
            long magnitude = parsed[0];
            boolean neg = parsed[1] != 0;
            int len = (int) parsed[2];
            p += len;
            left -= len;
            if (unsignedLong && neg) {
                err = -Errno.EINVAL;
                break;
            }
            err = conv.accept(v, magnitude, neg);
            if (err != 0) {
                break;
            }
            accepted++;
        }
        if (err == 0 && left > 0) {
            left -= skipSpaces(data, p, left);
        }
        if (first) {
            return new Result(err != 0 ? err : -Errno.EINVAL, accepted, count);
        }
        if (err != 0) {
            return new Result(err, accepted, count - left);
        }
        return new Result(count - left, accepted, count - left);
    }

    /**
     * proc_skip_spaces(): the kernel's isspace() (lib/ctype.c), which besides the six C-locale white-space characters
     * counts Latin-1 0xA0 (no-break space).
     */
    private static int skipSpaces(byte[] data, int p, int left) {
        int n = 0;
        while (n < left && isSpace(data[p + n])) {
            n++;
        }
        return n;
    }

    private static boolean isSpace(byte b) {
        return b == ' ' || b == '\t' || b == '\n' || b == 0x0b || b == '\f' || b == '\r' || b == (byte) 0xa0;
    }

    /**
     * proc_get_long(): out[0] magnitude, out[1] 1 if negative, out[2] characters consumed. Returns 0 or -EINVAL.
     */
    private static int getLong(byte[] data, int p, int size, long[] out) {
        int len = Math.min(size, TMPBUFLEN - 1);
        int i = 0;
        boolean neg = false;
        if (data[p] == '-' && size > 1) {
            neg = true;
            i++;
        }
        if (i >= len || !isDigit(data[p + i])) {
            return -Errno.EINVAL;
        }
        int base = 10;
        if (data[p + i] == '0') {
            if (i + 2 < len && (data[p + i + 1] == 'x' || data[p + i + 1] == 'X') && isHexDigit(data[p + i + 2])) {
                base = 16;
                i += 2;
            } else {
                base = 8;
            }
        }
        long value = 0;
        boolean overflow = false;
        while (i < len) {
            int d = digitValue(data[p + i]);
            if (d < 0 || d >= base) {
                break;
            }
            long next = value * base + d;
            if (Long.compareUnsigned(value, Long.divideUnsigned(-1L, base)) > 0
                    || Long.compareUnsigned(next, value) < 0) {
                overflow = true;
            }
            value = next;
            i++;
        }
        if (overflow) {
            return -Errno.EINVAL;
        }
        if (i == TMPBUFLEN - 1) {
            return -Errno.EINVAL;
        }
        if (i < size && !isWspaceSep(data[p + i])) {
            return -Errno.EINVAL;
        }
        out[0] = value;
        out[1] = neg ? 1 : 0;
        out[2] = i;
        return 0;
    }

    private static boolean isWspaceSep(byte b) {
        return b == ' ' || b == '\t' || b == '\n';
    }

    private static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }

    private static boolean isHexDigit(byte b) {
        return digitValue(b) >= 0;
    }

    private static int digitValue(byte b) {
        if (b >= '0' && b <= '9') {
            return b - '0';
        }
        if (b >= 'a' && b <= 'f') {
            return b - 'a' + 10;
        }
        if (b >= 'A' && b <= 'F') {
            return b - 'A' + 10;
        }
        return -1;
    }

    /**
     * do_proc_dointvec_conv(): a parsed magnitude and sign as a C int, or null when it does not fit. As
     * unsigned long magnitudes, negative values may reach INT_MAX + 1.
     */
    public static Integer toInt(long magnitude, boolean negative) {
        if (magnitude < 0) {
            return null;
        }
        if (negative) {
            return magnitude > INT_MAX + 1 ? null : (int) -magnitude;
        }
        return magnitude > INT_MAX ? null : (int) magnitude;
    }

    /** The text a read returns: vector entries separated by tabs, then a newline. */
    public static byte[] format(long... values) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < values.length; i++) {
            if (i > 0) {
                sb.append('\t');
            }
            sb.append(values[i]);
        }
        return sb.append('\n').toString().getBytes(StandardCharsets.US_ASCII);
    }
}
