package io.simproc.kernel;

/**
 * The global load average (kernel/sched/loadavg.c): every LOAD_FREQ (5 s + 1 tick) the number of running and
 * uninterruptible tasks is folded into three exponentially decaying averages, in 11-bit fixed point.
 */
public final class LoadAvg {
    static final int FSHIFT = 11;
    static final long FIXED_1 = 1L << FSHIFT;
    static final long LOAD_FREQ = 5L * Clock.HZ + 1;
    static final long EXP_1 = 1884;
    static final long EXP_5 = 2014;
    static final long EXP_15 = 2037;

    private final long[] avenrun = new long[3];

    /** calc_global_load(). */
    void update(long active) {
        long a = active * FIXED_1;
        avenrun[0] = calcLoad(avenrun[0], EXP_1, a);
        avenrun[1] = calcLoad(avenrun[1], EXP_5, a);
        avenrun[2] = calcLoad(avenrun[2], EXP_15, a);
    }

    /** calc_load() of include/linux/sched/loadavg.h: a1 = a0 * e + a * (1 - e), rounded up while rising. */
    static long calcLoad(long load, long exp, long active) {
        long newload = load * exp + active * (FIXED_1 - exp);
        if (active >= load) {
            newload += FIXED_1 - 1;
        }
        return newload / FIXED_1;
    }

    /** calc_load_n(): n periods at once, a0 * e^n + a * (1 - e^n). */
    static long calcLoadN(long load, long exp, long active, int n) {
        return calcLoad(load, fixedPowerInt(exp, FSHIFT, n), active);
    }

    /** fixed_power_int(): x^n in fixed point with {@code fracBits} fractional bits, rounding each product. */
    static long fixedPowerInt(long x, int fracBits, int n) {
        long result = 1L << fracBits;
        if (n != 0) {
            while (true) {
                if ((n & 1) != 0) {
                    result *= x;
                    result += 1L << (fracBits - 1);
                    result >>>= fracBits;
                }
                n >>>= 1;
                if (n == 0) {
                    break;
                }
                x *= x;
                x += 1L << (fracBits - 1);
                x >>>= fracBits;
            }
        }
        return result;
    }

    /** "1.82 0.88 0.36" as /proc/loadavg prints the three averages (get_avenrun with the 1/200 rounding). */
    public String formatted() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 3; i++) {
            long v = avenrun[i] + FIXED_1 / 200;
            long whole = v >> FSHIFT;
            long frac = ((v & (FIXED_1 - 1)) * 100) >> FSHIFT;
            if (i > 0) {
                sb.append(' ');
            }
            sb.append(whole).append('.').append(frac < 10 ? "0" : "").append(frac);
        }
        return sb.toString();
    }

    public long raw(int i) {
        return avenrun[i];
    }
}
