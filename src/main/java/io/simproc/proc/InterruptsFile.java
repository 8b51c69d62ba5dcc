package io.simproc.proc;

import io.simproc.kernel.Interrupts;

/**
 * /proc/interrupts: kernel/irq/proc.c show_interrupts() — a header of CPU columns, one row per requested line
 * (counts per CPU, chip, hardware irq and trigger, action) — followed by arch/x86/kernel/irq.c
 * arch_show_interrupts(), the system vectors per CPU and the ERR and MIS counters.
 */
final class InterruptsFile implements ProcFile.Renderer {
    @Override
    public byte[] render(ProcContext ctx) {
        Interrupts irqs = ctx.kernel().interrupts();
        int cpus = irqs.nrCpus();
        int prec = precision(irqs.nrIrqs());
        Seq s = new Seq(2048 + 64 * cpus);
        s.spaces(prec + 8);
        for (int cpu = 0; cpu < cpus; cpu++) {
            s.put("CPU").left(Integer.toString(cpu), 8);
        }
        s.nl();
        for (int i = 0; i < irqs.lines().size(); i++) {
            Interrupts.Line line = irqs.lines().get(i);
            s.dec(line.irq(), prec).put(':');
            for (int cpu = 0; cpu < cpus; cpu++) {
                s.put(' ').dec(irqs.lineCount(i, cpu), 10);
            }
            s.put(' ').right(line.chip(), 8);
            s.put(' ').dec(line.hwirq(), prec).put('-').left(line.type(), 8);
            s.put("  ").put(line.action()).nl();
        }
        for (Interrupts.ArchIrq a : Interrupts.ArchIrq.values()) {
            s.right(a.name(), prec).put(':');
            if (a.global()) {
                s.put(' ').dec(irqs.arch(a, 0), 10).nl();
                continue;
            }
            for (int cpu = 0; cpu < cpus; cpu++) {
                s.put(' ').dec(irqs.arch(a, cpu), 10);
            }
            s.put("   ").put(a.description()).nl();
        }
        return s.bytes();
    }

    /** The width of irq numbers: the digits of nr_irqs, at least 3. */
    static int precision(int nrIrqs) {
        int prec = 3;
        for (int j = 1000; prec < 10 && j <= nrIrqs; j *= 10) {
            prec++;
        }
        return prec;
    }
}
