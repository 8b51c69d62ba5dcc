package io.simproc.kernel;

import java.util.ArrayList;
import java.util.List;

/**
 * The interrupt and softirq counters of the simulated board, per CPU: kstat_irqs of each interrupt line
 * (kernel/irq/irqdesc.c), the per-CPU irq_stat of the x86 system vectors (arch/x86/include/asm/hardirq.h:
 * local timer, rescheduling and function-call IPIs...), irq_err_count and irq_mis_count, and the softirq counts of
 * kstat_incr_softirqs_this_cpu (kernel/softirq.c). /proc/interrupts, /proc/softirqs and the "intr" and "softirq"
 * lines of /proc/stat are all read from here, so each total is the sum of its parts.
 *
 * <p>The board is a virtio guest like the one of the reference machine: two ACPI GED lines and the serial port on
 * the IO-APIC, then MSI-X vectors of the virtio block device of the root disk (one request queue) and of the
 * virtio network device behind eth0 (one queue pair). Each MSI-X vector is handled on one CPU (the managed
 * affinity spreads them round-robin). What raises them is the rest of the simulation: the clock's tick on busy
 * CPUs and idle wake-ups, scheduler IPIs, block request completions. The network is not simulated, so its lines,
 * NET_RX and NET_TX stay 0.
 */
public final class Interrupts {
    /** The x86 system vectors arch_show_interrupts() prints, in its order; ERR and MIS are single counters. */
    public enum ArchIrq {
        NMI("Non-maskable interrupts"),
        LOC("Local timer interrupts"),
        SPU("Spurious interrupts"),
        PMI("Performance monitoring interrupts"),
        IWI("IRQ work interrupts"),
        RTR("APIC ICR read retries"),
        RES("Rescheduling interrupts"),
        CAL("Function call interrupts"),
        TLB("TLB shootdowns"),
        TRM("Thermal event interrupts"),
        ERR(null),
        MIS(null),
        PIN("Posted-interrupt notification event"),
        NPI("Nested posted-interrupt event"),
        PIW("Posted-interrupt wakeup event");

        private final String description;

        ArchIrq(String description) {
            this.description = description;
        }

        /** The text after the per-CPU counts; null for the machine-wide ERR and MIS counters. */
        public String description() {
            return description;
        }

        /** irq_err_count and irq_mis_count: one counter for the machine, not per CPU. */
        public boolean global() {
            return description == null;
        }
    }

    /** enum softirq vectors of include/linux/interrupt.h, with softirq_to_name. */
    public enum Softirq { HI, TIMER, NET_TX, NET_RX, BLOCK, IRQ_POLL, TASKLET, SCHED, HRTIMER, RCU }

    /**
     * One requested interrupt line: its number, the irq_chip's name, the hardware irq number, the trigger type
     * the irq_desc is named after, the action's name (what request_irq() was given) and the CPU that handles it.
     */
    public record Line(int irq, String chip, long hwirq, String type, String action, int cpu) {
    }

    /** gsi_top of the IO-APIC (24 pins); MSI vectors are numbered above it. */
    static final int GSI_TOP = 24;
    /** NR_VECTORS of arch/x86/include/asm/irq_vectors.h. */
    static final int NR_VECTORS = 256;

    private final int nrCpus;
    private final int nrIrqs;
    private final List<Line> lines;
    private final long[][] lineCounts;
    private final long[][] arch;
    private final long[] archGlobal;
    private final long[][] softirqs;
    private final int blockLine;

    Interrupts(int nrCpus) {
        this.nrCpus = nrCpus;
        this.nrIrqs = probeNrIrqs(nrCpus);
        List<Line> l = new ArrayList<>();
        l.add(new Line(GSI_TOP, "IO-APIC", 5, "edge", "ACPI:Ged", 0));
        l.add(new Line(GSI_TOP + 1, "IO-APIC", 6, "edge", "ACPI:Ged", 1 % nrCpus));
        l.add(new Line(GSI_TOP + 2, "IO-APIC", 4, "edge", "ttyS0", 1 % nrCpus));
        // The reference board's slots: the root disk's virtio-blk at 00:02.0 (virtio1), eth0's virtio-net at 00:03.0
        // (virtio2), as in /sys/devices (sysfs BlockClass, NetDevices).
        String blk = "PCI-MSIX-0000:00:02.0";
        String net = "PCI-MSIX-0000:00:03.0";
        l.add(new Line(GSI_TOP + 3, blk, 0, "edge", "virtio1-config", 0));
        l.add(new Line(GSI_TOP + 4, blk, 1, "edge", "virtio1-req.0", 1 % nrCpus));
        l.add(new Line(GSI_TOP + 5, net, 0, "edge", "virtio2-config", 0));
        l.add(new Line(GSI_TOP + 6, net, 1, "edge", "virtio2-input.0", 1 % nrCpus));
        l.add(new Line(GSI_TOP + 7, net, 2, "edge", "virtio2-output.0", 0));
        this.lines = List.copyOf(l);
        this.blockLine = 4;
        this.lineCounts = new long[lines.size()][nrCpus];
        this.arch = new long[ArchIrq.values().length][nrCpus];
        this.archGlobal = new long[ArchIrq.values().length];
        this.softirqs = new long[Softirq.values().length][nrCpus];
    }

    /**
     * arch_probe_nr_irqs() of arch/x86/kernel/apic/vector.c: the legacy-free IO-APIC's gsi_top, 8 per CPU, and
     * 16 MSI vectors per GSI, capped at NR_VECTORS per CPU.
     */
    static int probeNrIrqs(int nrCpus) {
        int nr = GSI_TOP + 8 * nrCpus + GSI_TOP * 16;
        return Math.min(nr, NR_VECTORS * nrCpus);
    }

    public int nrCpus() {
        return nrCpus;
    }

    /** nr_irqs: how many numbers the "intr" line of /proc/stat has after its total. */
    public int nrIrqs() {
        return nrIrqs;
    }

    /** The requested lines, in irq number order. */
    public List<Line> lines() {
        return lines;
    }

    /** kstat_irqs_cpu(): interrupts of the i-th requested line taken on one CPU. */
    public long lineCount(int line, int cpu) {
        return lineCounts[line][cpu];
    }

    /** kstat_irqs_usr(): interrupts of irq number {@code irq} on all CPUs; 0 for a number no line uses. */
    public long irqCount(int irq) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).irq() == irq) {
                long n = 0;
                for (long v : lineCounts[i]) {
                    n += v;
                }
                return n;
            }
        }
        return 0;
    }

    /** A system vector's count on one CPU (for ERR and MIS: the machine's count, whatever the CPU). */
    public long arch(ArchIrq a, int cpu) {
        return a.global() ? archGlobal[a.ordinal()] : arch[a.ordinal()][cpu];
    }

    public long softirq(Softirq vec, int cpu) {
        return softirqs[vec.ordinal()][cpu];
    }

    /** kstat_softirqs: one vector on all CPUs. */
    public long softirqTotal(Softirq vec) {
        long n = 0;
        for (long v : softirqs[vec.ordinal()]) {
            n += v;
        }
        return n;
    }

    /** The "softirq" line's total: every vector on every CPU. */
    public long softirqTotal() {
        long n = 0;
        for (Softirq v : Softirq.values()) {
            n += softirqTotal(v);
        }
        return n;
    }

    /**
     * The "intr" line's total (fs/proc/stat.c show_stat): every line on every CPU, plus arch_irq_stat_cpu() (the
     * system vectors) of every CPU, plus arch_irq_stat() (irq_err_count).
     */
    public long intrTotal() {
        long n = archGlobal[ArchIrq.ERR.ordinal()];
        for (long[] perCpu : lineCounts) {
            for (long v : perCpu) {
                n += v;
            }
        }
        for (ArchIrq a : ArchIrq.values()) {
            if (!a.global()) {
                for (long v : arch[a.ordinal()]) {
                    n += v;
                }
            }
        }
        return n;
    }

    void countArch(ArchIrq a, int cpu, long n) {
        if (a.global()) {
            throw new IllegalArgumentException(a + " is not a per-CPU vector");
        }
        arch[a.ordinal()][cpu] += n;
    }

    void raiseSoftirq(Softirq vec, int cpu, long n) {
        softirqs[vec.ordinal()][cpu] += n;
    }

    /**
     * Completions of block requests on the root disk: the virtio-blk queue interrupt on its CPU, which completes
     * the requests in BLOCK_SOFTIRQ there (blk_mq_complete_request).
     */
    public void blockCompletions(long requests) {
        int cpu = lines.get(blockLine).cpu();
        lineCounts[blockLine][cpu] += requests;
        softirqs[Softirq.BLOCK.ordinal()][cpu] += requests;
    }
}
