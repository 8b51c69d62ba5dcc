package io.simproc.kernel;

/**
 * kernel_cpustat: per-CPU time by category, in nanoseconds, as /proc/stat and /proc/uptime report it. Work charges
 * busy time to a CPU; idle time is what is left of the elapsed time, so every CPU's categories add up to uptime.
 * Also the interrupt, context-switch and softirq counters of /proc/stat.
 */
public final class CpuStat {
    /** enum cpu_usage_stat, in /proc/stat column order. */
    public enum Usage { USER, NICE, SYSTEM, IDLE, IOWAIT, IRQ, SOFTIRQ, STEAL, GUEST, GUEST_NICE }

    /** The softirq vectors /proc/stat's "softirq" line counts, in order. */
    public static final int NR_SOFTIRQS = 10;
    static final int SOFTIRQ_TIMER = 1;
    static final int SOFTIRQ_NET_RX = 3;
    static final int SOFTIRQ_BLOCK = 4;
    static final int SOFTIRQ_SCHED = 7;
    static final int SOFTIRQ_RCU = 9;
    /** Interrupt lines shown in the "intr" line after the total. */
    public static final int NR_IRQS = 64;

    private final long[][] busyNanos;
    private final long[] irqs = new long[NR_IRQS];
    private final long[] softirqs = new long[NR_SOFTIRQS];
    private long contextSwitches;
    private long archIrqs;

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

    void countIrq(int irq, long n) {
        irqs[irq] += n;
    }

    /** Interrupts that have no IRQ line (local timer, IPIs): in the "intr" total only (arch_irq_stat). */
    void countArchIrqs(long n) {
        archIrqs += n;
    }

    void countSoftirq(int vec, long n) {
        softirqs[vec] += n;
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

    public long irq(int irq) {
        return irqs[irq];
    }

    public long irqTotal() {
        long n = archIrqs;
        for (long v : irqs) {
            n += v;
        }
        return n;
    }

    public long softirq(int vec) {
        return softirqs[vec];
    }

    public long softirqTotal() {
        long n = 0;
        for (long v : softirqs) {
            n += v;
        }
        return n;
    }

    public long contextSwitches() {
        return contextSwitches;
    }

    /** nsec_to_clock_t(): nanoseconds to USER_HZ ticks. */
    public static long toClockTicks(long nanos) {
        return nanos / (1_000_000_000L / Clock.USER_HZ);
    }
}
