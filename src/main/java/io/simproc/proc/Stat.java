package io.simproc.proc;

import io.simproc.kernel.CpuStat;
import io.simproc.kernel.Interrupts;
import io.simproc.kernel.Kernel;

/**
 * /proc/stat (fs/proc/stat.c show_stat): the summed and per-CPU time lines in USER_HZ ticks (10 numbers each),
 * the interrupt line (total, then one count per irq number below nr_irqs), context switches, boot time, forks,
 * running and blocked tasks, and the softirq line (total, then one count per vector), both from {@link Interrupts}.
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
        Interrupts irqs = k.interrupts();
        s.put("intr ").put(irqs.intrTotal());
        long[] perIrq = new long[irqs.nrIrqs()];
        for (Interrupts.Line line : irqs.lines()) {
            perIrq[line.irq()] = irqs.irqCount(line.irq());
        }
        for (long v : perIrq) {
            s.put(' ').put(v);
        }
        s.nl();
        s.put("ctxt ").put(cs.contextSwitches()).nl();
        s.put("btime ").put(k.bootEpoch()).nl();
        s.put("processes ").put(k.tasks().forks()).nl();
        s.put("procs_running ").put(k.sched().nrRunning()).nl();
        s.put("procs_blocked ").put(k.sched().nrIowait()).nl();
        s.put("softirq ").put(irqs.softirqTotal());
        for (Interrupts.Softirq v : Interrupts.Softirq.values()) {
            s.put(' ').put(irqs.softirqTotal(v));
        }
        s.nl();
        return s.bytes();
    }
}
