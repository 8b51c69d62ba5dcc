package io.simproc.kernel;

/**
 * The CPU time and interrupt traffic of an idle server's kernel and daemons: each second every CPU is charged a
 * little user, system, softirq and iowait time, and takes the local timer interrupts of that second — one per
 * jiffy the CPU was busy (the periodic tick) plus the idle wake-ups of NO_HZ idle — with the softirqs the tick
 * raises (TIMER, SCHED's load balancing, RCU) and the rescheduling and function-call IPIs that go with its context
 * switches. Deterministic jitter from its seeded stream. Work the simulation does explicitly (the kernel churn,
 * the processes) charges its own time on top; device interrupts come from the devices' work.
 */
final class BackgroundLoad {
    static final double USER_SHARE = 0.008;
    static final double SYSTEM_SHARE = 0.004;
    static final double SOFTIRQ_SHARE = 0.0006;
    static final double IRQ_SHARE = 0.0002;
    static final double IOWAIT_SHARE = 0.001;
    /** Local timer interrupts per idle CPU per second (NO_HZ idle keeps it well below HZ). */
    static final int IDLE_WAKEUPS_PER_SECOND = 60;
    static final int CONTEXT_SWITCHES_PER_SECOND = 180;
    /** Softirqs raised per local timer interrupt: expired timers, rebalancing, RCU callbacks. */
    static final double TIMER_SOFTIRQS_PER_TICK = 0.08;
    static final double SCHED_SOFTIRQS_PER_TICK = 0.3;
    static final double RCU_SOFTIRQS_PER_TICK = 0.22;
    /** IPIs per context switch: wake-ups of a task on another CPU, and smp_call_function work. */
    static final double RESCHED_IPIS_PER_SWITCH = 0.09;
    static final double CALL_IPIS_PER_SWITCH = 0.17;

    private final Kernel kernel;
    private final SeededRandom rnd;
    /** The interrupts' own stream, so that counting them leaves the CPU-time draws as they were. */
    private final SeededRandom irqRnd;
    /** Per CPU, the time it was busy (not idle, not waiting for I/O) at the last second. */
    private final long[] busyAtLastSecond;

    BackgroundLoad(Kernel kernel, SeededRandom rnd) {
        this.kernel = kernel;
        this.rnd = rnd;
        this.irqRnd = kernel.random("interrupts");
        this.busyAtLastSecond = new long[kernel.cpuStat().nrCpus()];
    }

    void start() {
        kernel.schedule(Clock.HZ, this::second);
    }

    private void second() {
        CpuStat stat = kernel.cpuStat();
        long second = 1_000_000_000L;
        for (int cpu = 0; cpu < stat.nrCpus(); cpu++) {
            stat.charge(cpu, CpuStat.Usage.USER, Math.round(jitter(USER_SHARE * second)));
            stat.charge(cpu, CpuStat.Usage.SYSTEM, Math.round(jitter(SYSTEM_SHARE * second)));
            stat.charge(cpu, CpuStat.Usage.SOFTIRQ, Math.round(jitter(SOFTIRQ_SHARE * second)));
            stat.charge(cpu, CpuStat.Usage.IRQ, Math.round(jitter(IRQ_SHARE * second)));
            stat.charge(cpu, CpuStat.Usage.IOWAIT, Math.round(jitter(IOWAIT_SHARE * second)));
            long switches = Math.round(jitter(CONTEXT_SWITCHES_PER_SECOND));
            stat.countContextSwitches(switches);
            tick(cpu, switches);
        }
        kernel.schedule(Clock.HZ, this::second);
    }

    /** The interrupts and softirqs of one CPU's last second, after its time was charged. */
    private void tick(int cpu, long switches) {
        CpuStat stat = kernel.cpuStat();
        Interrupts irqs = kernel.interrupts();
        long now = kernel.clock().nanos();
        long busy = now - stat.nanos(cpu, CpuStat.Usage.IDLE, now) - stat.nanos(cpu, CpuStat.Usage.IOWAIT, now);
        long busyTicks = (busy - busyAtLastSecond[cpu]) / Clock.NSEC_PER_JIFFY;
        busyAtLastSecond[cpu] += busyTicks * Clock.NSEC_PER_JIFFY;
        long ticks = busyTicks + Math.round(jitter(irqRnd, IDLE_WAKEUPS_PER_SECOND));
        irqs.countArch(Interrupts.ArchIrq.LOC, cpu, ticks);
        irqs.raiseSoftirq(Interrupts.Softirq.TIMER, cpu, Math.round(jitter(irqRnd, ticks * TIMER_SOFTIRQS_PER_TICK)));
        irqs.raiseSoftirq(Interrupts.Softirq.SCHED, cpu, Math.round(jitter(irqRnd, ticks * SCHED_SOFTIRQS_PER_TICK)));
        irqs.raiseSoftirq(Interrupts.Softirq.RCU, cpu, Math.round(jitter(irqRnd, ticks * RCU_SOFTIRQS_PER_TICK)));
        irqs.countArch(Interrupts.ArchIrq.RES, cpu, Math.round(jitter(irqRnd, switches * RESCHED_IPIS_PER_SWITCH)));
        irqs.countArch(Interrupts.ArchIrq.CAL, cpu, Math.round(jitter(irqRnd, switches * CALL_IPIS_PER_SWITCH)));
    }

    /** The value ±50%, uniformly. */
    private double jitter(double v) {
        return jitter(rnd, v);
    }

    private static double jitter(SeededRandom r, double v) {
        return v * (0.5 + r.nextDouble());
    }
}
