package io.simproc.kernel;

/**
 * The CPU time and interrupt traffic of an idle server's kernel and daemons: each second every CPU is charged a
 * little user, system, softirq and iowait time and receives timer, device and scheduler interrupts. Deterministic
 * jitter from its seeded stream. Work the simulation does explicitly (the kernel churn, later the processes)
 * charges its own time on top.
 */
final class BackgroundLoad {
    static final double USER_SHARE = 0.008;
    static final double SYSTEM_SHARE = 0.004;
    static final double SOFTIRQ_SHARE = 0.0006;
    static final double IRQ_SHARE = 0.0002;
    static final double IOWAIT_SHARE = 0.001;
    /** Local timer interrupts per idle CPU per second (NO_HZ idle keeps it well below HZ). */
    static final int TIMER_IRQS_PER_SECOND = 60;
    static final int CONTEXT_SWITCHES_PER_SECOND = 180;
    /** Interrupt lines of the simulated board that see traffic: the virtio queues. */
    static final int[] DEVICE_IRQS = {24, 25, 26, 27, 28, 29};

    private final Kernel kernel;
    private final SeededRandom rnd;

    BackgroundLoad(Kernel kernel, SeededRandom rnd) {
        this.kernel = kernel;
        this.rnd = rnd;
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
            stat.countContextSwitches(Math.round(jitter(CONTEXT_SWITCHES_PER_SECOND)));
            stat.countArchIrqs(Math.round(jitter(TIMER_IRQS_PER_SECOND)));
            stat.countSoftirq(CpuStat.SOFTIRQ_TIMER, Math.round(jitter(TIMER_IRQS_PER_SECOND * 0.6)));
            stat.countSoftirq(CpuStat.SOFTIRQ_RCU, Math.round(jitter(TIMER_IRQS_PER_SECOND * 0.4)));
            stat.countSoftirq(CpuStat.SOFTIRQ_SCHED, Math.round(jitter(TIMER_IRQS_PER_SECOND * 0.5)));
        }
        for (int irq : DEVICE_IRQS) {
            stat.countIrq(irq, Math.round(jitter(15)));
        }
        stat.countSoftirq(CpuStat.SOFTIRQ_NET_RX, Math.round(jitter(20)));
        stat.countSoftirq(CpuStat.SOFTIRQ_BLOCK, Math.round(jitter(8)));
        kernel.schedule(Clock.HZ, this::second);
    }

    /** The value ±50%, uniformly. */
    private double jitter(double v) {
        return v * (0.5 + rnd.nextDouble());
    }
}
