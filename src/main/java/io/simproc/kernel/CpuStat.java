package io.simproc.kernel;

/**
 * kernel_cpustat: per-CPU time by category, in nanoseconds, as /proc/stat and /proc/uptime report it. Work charges
 * busy time to a CPU; idle time is what is left of the elapsed time, so every CPU's categories add up to uptime.
 * Also the context-switch counter of /proc/stat; the interrupt and softirq counters are {@link Interrupts}.
 */
public final class CpuStat {
    /** enum cpu_usage_stat, in /proc/stat column order. */
    public enum Usage { USER, NICE, SYSTEM, IDLE, IOWAIT, IRQ, SOFTIRQ, STEAL, GUEST, GUEST_NICE }

    private final long[][] busyNanos;
    private long contextSwitches;

    CpuStat(int nrCpus) {
        busyNanos = new long[nrCpus][Usage.values().length];
    }

    public int nrCpus() {
        return busyNanos.length;
    }

    void charge(int cpu, Usage usage, long nanos) {
        if (usage == Usage.IDLE) {
            throw new IllegalArgumentException("idle time is what is not charged");
        }
        busyNanos[cpu][usage.ordinal()] += nanos;
    }

    void countContextSwitches(long n) {
        contextSwitches += n;
    }

    /** Time of one category on one CPU at uptime {@code nowNanos}; idle is the remainder. */
    public long nanos(int cpu, Usage usage, long nowNanos) {
        if (usage != Usage.IDLE) {
            return busyNanos[cpu][usage.ordinal()];
        }
        long busy = 0;
        for (Usage u : Usage.values()) {
            if (u != Usage.IDLE && u != Usage.GUEST && u != Usage.GUEST_NICE) {
                busy += busyNanos[cpu][u.ordinal()];
            }
        }
        return Math.max(0, nowNanos - busy);
    }

    public long contextSwitches() {
        return contextSwitches;
    }

    /** nsec_to_clock_t(): nanoseconds to USER_HZ ticks. */
    public static long toClockTicks(long nanos) {
        return nanos / (1_000_000_000L / Clock.USER_HZ);
    }
}
