package io.simproc.proc;

import io.simproc.kernel.CpuStat;
import io.simproc.kernel.Kernel;

/**
 * /proc/stat (fs/proc/stat.c show_stat): the summed and per-CPU time lines in USER_HZ ticks (10 numbers each),
 * the interrupt line (total, then one count per IRQ line), context switches, boot time, forks, running and
 * blocked tasks, and the softirq line.
 */
public final class Stat implements ProcFile.Renderer {
    @Override
    public byte[] render(ProcContext ctx) {
        Kernel k = ctx.kernel();
        CpuStat cs = k.cpuStat();
        long now = k.clock().nanos();
        int cpus = cs.nrCpus();
        CpuStat.Usage[] usages = CpuStat.Usage.values();
        long[] sum = new long[usages.length];
        for (int cpu = 0; cpu < cpus; cpu++) {
            for (CpuStat.Usage u : usages) {
                sum[u.ordinal()] += cs.nanos(cpu, u, now);
            }
        }
        Seq s = new Seq(1024 + 128 * cpus);
        s.put("cpu ");
        for (long v : sum) {
            s.put(' ').put(CpuStat.toClockTicks(v));
        }
        s.nl();
        for (int cpu = 0; cpu < cpus; cpu++) {
            s.put("cpu").put(cpu);
            for (CpuStat.Usage u : usages) {
                s.put(' ').put(CpuStat.toClockTicks(cs.nanos(cpu, u, now)));
            }
            s.nl();
        }
        s.put("intr ").put(cs.irqTotal());
        for (int irq = 0; irq < CpuStat.NR_IRQS; irq++) {
            s.put(' ').put(cs.irq(irq));
        }
        s.nl();
        s.put("ctxt ").put(cs.contextSwitches()).nl();
        s.put("btime ").put(k.bootEpoch()).nl();
        s.put("processes ").put(k.tasks().forks()).nl();
        s.put("procs_running ").put(k.sched().nrRunning()).nl();
        s.put("procs_blocked ").put(k.sched().nrIowait()).nl();
        s.put("softirq ").put(cs.softirqTotal());
        for (int v = 0; v < CpuStat.NR_SOFTIRQS; v++) {
            s.put(' ').put(cs.softirq(v));
        }
        s.nl();
        return s.bytes();
    }
}
