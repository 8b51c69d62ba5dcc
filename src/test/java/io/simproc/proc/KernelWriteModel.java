package io.simproc.proc;

import io.simproc.uapi.Errno;

import io.simproc.kernel.Processes;
import io.simproc.proc.BadInputs.Input;
import io.simproc.sysctl.IntSysctl;
import io.simproc.sysctl.IntVecSysctl;
import io.simproc.sysctl.Sysctl;
import io.simproc.sysctl.SysctlTable;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.ArrayList;
import java.util.List;

/**
 * An independent model of how Linux 6.18 parses writes to number files, written from the kernel source in a
 * different style from production (text windows and BigInteger instead of incremental overflow checks), for the
 * bad-input tests to predict each write's outcome:
 * <ul>
 *   <li>{@link #doIntVec}: proc_sys_call_handler + __do_proc_dointvec / __do_proc_doulongvec_minmax with
 *       proc_skip_spaces (the C locale's isspace, which in the kernel's ctype table includes Latin-1 0xA0),
 *       proc_get_long (21-character window, base by prefix, a following character from " \t\n"), first-value and
 *       whitespace-only rules, the PAGE_SIZE − 1 cap and ignored writes at a non-zero offset;</li>
 *   <li>{@link #kstrtoint}: the oom_score_adj/oom_adj path — 12 bytes, cut at NUL, strstrip, kstrtoint(s, 0).</li>
 * </ul>
 * {@link #oracleFor} turns these into the expected outcome of a write to a file of the tree (by its path).
 */
public final class KernelWriteModel {
    static final BigInteger ULONG_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
    static final int PAGE_SIZE = 4096;
    static final int TMPBUFLEN = 22;

    private KernelWriteModel() {
    }

    /** Checks one parsed value (signed) for the handler: 0 to accept it, or a negative errno. */
    interface Conv {
        int accept(int index, BigInteger value);
    }

    /** Outcome: what write(2) returns; the values accepted, in order; *lenp as the handler leaves it. */
    record VecResult(int returned, List<BigInteger> accepted, int lenp) {
    }

    static boolean isspace(int b) {
        b &= 0xff;
        return b == ' ' || (b >= '\t' && b <= '\r') || b == 0xa0;
    }

    private static int digit(int c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        int lc = c | 0x20;
        return lc >= 'a' && lc <= 'f' ? lc - 'a' + 10 : 99;
    }

    static VecResult doIntVec(byte[] data, long pos, int vlen, boolean unsigned, Conv conv) {
        int count = data.length;
        List<BigInteger> accepted = new ArrayList<>();
        if (count == 0) {
            return new VecResult(0, accepted, 0);
        }
        if (pos != 0) {
            return new VecResult(count, accepted, count);
        }
        int left = Math.min(count, PAGE_SIZE - 1);
        int p = 0;
        int err = 0;
        int done = 0;
        while (left > 0 && done < vlen) {
            while (left > 0 && isspace(data[p])) {
                p++;
                left--;
            }
            if (left == 0) {
                break;
            }
            // proc_get_long over a NUL-terminated copy of at most 21 bytes
            int wlen = Math.min(left, TMPBUFLEN - 1);
            byte[] tmp = new byte[wlen + 3];
            System.arraycopy(data, p, tmp, 0, wlen);
            int q = 0;
            boolean neg = false;
            if (tmp[0] == '-' && left > 1) {
                neg = true;
                q = 1;
            }
            if (!(tmp[q] >= '0' && tmp[q] <= '9')) {
                err = -Errno.EINVAL;
                break;
            }
            int base = 10;
            if (tmp[q] == '0') {
                if ((tmp[q + 1] | 0x20) == 'x' && digit(tmp[q + 2]) < 16) {
                    base = 16;
                    q += 2;
                } else {
                    base = 8;
                }
            }
            BigInteger mag = BigInteger.ZERO;
            while (digit(tmp[q]) < base) {
                mag = mag.multiply(BigInteger.valueOf(base)).add(BigInteger.valueOf(digit(tmp[q])));
                q++;
            }
            if (mag.compareTo(ULONG_MAX) > 0 || q == TMPBUFLEN - 1) {
                err = -Errno.EINVAL;
                break;
            }
            if (q < left && tmp[q] != ' ' && tmp[q] != '\t' && tmp[q] != '\n') {
                err = -Errno.EINVAL;
                break;
            }
            p += q;
            left -= q;
            if (unsigned && neg) {
                err = -Errno.EINVAL;
                break;
            }
            BigInteger value = neg ? mag.negate() : mag;
            if (conv.accept(done, value) != 0) {
                err = -Errno.EINVAL;
                break;
            }
            accepted.add(value);
            done++;
        }
        if (err == 0) {
            while (left > 0 && isspace(data[p])) {
                p++;
                left--;
            }
        }
        boolean first = done == 0;
        if (first) {
            return new VecResult(err != 0 ? err : -Errno.EINVAL, accepted, count);
        }
        return new VecResult(err != 0 ? err : count - left, accepted, count - left);
    }

    /** do_proc_dointvec_conv: the value fits a C int (a negative magnitude may reach INT_MAX + 1). */
    static boolean fitsInt(BigInteger v) {
        return v.bitLength() < 32;
    }

    /** Outcome of a kstrtoint write: the value, or a positive errno. */
    record IntResult(int value, int errno) {
    }

    static IntResult kstrtoint(byte[] data) {
        int n = Math.min(data.length, 12);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n && data[i] != 0; i++) {
            sb.append((char) (data[i] & 0xff));
        }
        String s = sb.toString();
        int from = 0;
        int to = s.length();
        while (from < to && isspace(s.charAt(from))) {
            from++;
        }
        while (to > from && isspace(s.charAt(to - 1))) {
            to--;
        }
        s = s.substring(from, to) + "\0\0\0";
        boolean neg = false;
        int i = 0;
        if (s.charAt(0) == '-') {
            neg = true;
            i = 1;
        } else if (s.charAt(0) == '+') {
            i = 1;
        }
        int base = 10;
        if (s.charAt(i) == '0') {
            if ((s.charAt(i + 1) | 0x20) == 'x' && digit(s.charAt(i + 2)) < 16) {
                base = 16;
                i += 2;
            } else {
                base = 8;
            }
        }
        int start = i;
        BigInteger mag = BigInteger.ZERO;
        while (digit(s.charAt(i)) < base) {
            mag = mag.multiply(BigInteger.valueOf(base)).add(BigInteger.valueOf(digit(s.charAt(i))));
            i++;
        }
        if (mag.compareTo(ULONG_MAX) > 0) {
            return new IntResult(0, Errno.ERANGE);
        }
        if (i == start) {
            return new IntResult(0, Errno.EINVAL);
        }
        if (s.charAt(i) == '\n') {
            i++;
        }
        if (s.charAt(i) != 0) {
            return new IntResult(0, Errno.EINVAL);
        }
        BigInteger v = neg ? mag.negate() : mag;
        if (!fitsInt(v)) {
            return new IntResult(0, Errno.ERANGE);
        }
        return new IntResult(v.intValue(), 0);
    }

    /** What a write should return and what the file should read afterwards (null: not readable). */
    public record Expect(int returned, String after) {
    }

    @FunctionalInterface
    public interface Oracle {
        /** The expectation for one input, or null when only the general rules apply. */
        Expect expect(Input in, String before);
    }


    public static Oracle oracleFor(String path, SysctlTable table) {
        if (path.startsWith("/sys/")) {
            Sysctl s = table.find(path.substring("/sys/".length()));
            if (s instanceof IntSysctl knob) {
                return (in, before) -> intMinmax(knob, in, before);
            }
            if (s instanceof IntVecSysctl && s.path().equals("vm/lowmem_reserve_ratio")) {
                return KernelWriteModel::lowmemReserveRatio;
            }
            return (in, before) -> null;
        }
        if (path.endsWith("/oom_score_adj")) {
            return (in, before) -> oomWrite(in, before, Processes.OOM_SCORE_ADJ_MIN, Processes.OOM_SCORE_ADJ_MAX,
                    v -> v);
        }
        if (path.endsWith("/oom_adj")) {
            return (in, before) -> oomWrite(in, before, -17, 15, KernelWriteModel::oomAdjReadBack);
        }
        return (in, before) -> null;
    }

    private static Expect intMinmax(IntSysctl knob, Input in, String before) {
        VecResult r = KernelWriteModel.doIntVec(in.data(), in.offset(), 1, false, (i, v) ->
                KernelWriteModel.fitsInt(v) && (knob.min() == null || v.intValue() >= knob.min())
                        && (knob.max() == null || v.intValue() <= knob.max()) ? 0 : -1);
        String after = r.returned() >= 0 && r.accepted().size() == 1 ? r.accepted().get(0) + "\n" : before;
        return new Expect(r.returned(), after);
    }

    /**
     * lowmem_reserve_ratio_sysctl_handler: proc_dointvec stores the leading entries it parsed (an error stops it but
     * is swallowed: write(2) gets *lenp), then entries below 1 become 0.
     */
    private static Expect lowmemReserveRatio(Input in, String before) {
        long[] values = Arrays.stream(before.trim().split("\t")).mapToLong(Long::parseLong).toArray();
        VecResult r = KernelWriteModel.doIntVec(in.data(), in.offset(), values.length, false,
                (i, v) -> KernelWriteModel.fitsInt(v) ? 0 : -1);
        for (int i = 0; i < r.accepted().size(); i++) {
            values[i] = Math.max(0, r.accepted().get(i).intValue());
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < values.length; i++) {
            sb.append(i > 0 ? "\t" : "").append(values[i]);
        }
        return new Expect(r.lenp(), sb.append('\n').toString());
    }

    /** oom_adj_read(oom_adj_write(v)): the legacy value scaled to oom_score_adj and back. */
    private static int oomAdjReadBack(int v) {
        int scoreAdj = v == 15 ? 1000 : v * 1000 / 17;
        return scoreAdj == 1000 ? 15 : Math.min(15, scoreAdj * 17 / 1000);
    }

    private static Expect oomWrite(Input in, String before, int min, int max,
                                   java.util.function.IntUnaryOperator readBack) {
        IntResult r = KernelWriteModel.kstrtoint(in.data());
        if (r.errno() != 0) {
            return new Expect(-r.errno(), before);
        }
        boolean legacyValid = min != -17 || r.value() >= -16 || r.value() == -17;
        if (r.value() < min || r.value() > max || !legacyValid) {
            return new Expect(-Errno.EINVAL, before);
        }
        return new Expect(Math.min(in.data().length, 12), readBack.applyAsInt(r.value()) + "\n");
    }


    /** The file's own range bounds, so that writes of min − 1, min, max and max + 1 are among the edge cases. */
    public static long[] bounds(String path, SysctlTable table) {
        if (path.startsWith("/sys/") && table.find(path.substring(5)) instanceof IntSysctl knob) {
            List<Long> b = new ArrayList<>();
            if (knob.min() != null) {
                b.add((long) knob.min());
            }
            if (knob.max() != null) {
                b.add((long) knob.max());
            }
            return b.stream().mapToLong(Long::longValue).toArray();
        }
        return new long[0];
    }

    public static String compare(Expect e, int returned, String after) {
        if (e.returned() != returned) {
            return "returned " + describe(returned) + ", Linux returns " + describe(e.returned());
        }
        if (e.after() != null && !e.after().equals(after)) {
            return "reads back '" + after.trim() + "', Linux would read '" + e.after().trim() + "'";
        }
        return null;
    }

    static String describe(int returned) {
        return returned >= 0 ? Integer.toString(returned) : "-" + Errno.describe(-returned);
    }
}
