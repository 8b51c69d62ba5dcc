package io.simproc.proc;

import io.simproc.kernel.Interrupts;

/** /proc/softirqs: fs/proc/softirqs.c show_softirqs() — per vector, its count on every possible CPU. */
final class Softirqs implements ProcFile.Renderer {
    @Override
    public byte[] render(ProcContext ctx) {
        Interrupts irqs = ctx.kernel().interrupts();
        int cpus = irqs.nrCpus();
        Seq s = new Seq(512 + 128 * cpus);
        s.spaces(20);
        for (int cpu = 0; cpu < cpus; cpu++) {
            s.put("CPU").left(Integer.toString(cpu), 8);
        }
        s.nl();
        for (Interrupts.Softirq v : Interrupts.Softirq.values()) {
            s.right(v.name(), 12).put(':');
            for (int cpu = 0; cpu < cpus; cpu++) {
                s.put(' ').dec(irqs.softirq(v, cpu), 10);
            }
            s.nl();
        }
        return s.bytes();
    }
}
