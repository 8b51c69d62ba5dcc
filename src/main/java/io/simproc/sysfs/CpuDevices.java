package io.simproc.sysfs;

import io.simproc.kernel.CpuTopology;
import io.simproc.kernel.Kernel;
import io.simproc.proc.Bitmaps;
import io.simproc.proc.ProcEntry;
import io.simproc.proc.ProcFile;
import io.simproc.proc.Seq;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * /sys/devices/system/cpu (drivers/base/cpu.c, drivers/base/topology.c): the CPU masks (every CPU is possible,
 * present and online; none offline), kernel_max, and a {@code cpuN} directory per CPU with its node link, its
 * {@code online} (not for cpu0, which x86 cannot take down; CPU hotplug is not simulated, so a write fails with EIO)
 * and its {@code topology} from {@link CpuTopology}, the same places /proc/cpuinfo shows. Masks are printed over
 * nr_cpu_ids bits.
 */
final class CpuDevices {
    /** NR_CPUS − 1 of the simulated kernel's configuration (CONFIG_NR_CPUS=256). */
    static final int KERNEL_MAX = 255;

    private CpuDevices() {
    }

    static ProcEntry dir(Kernel k) {
        CpuTopology topo = CpuTopology.of(k);
        int n = topo.nrCpus();
        BitSet all = Bitmaps.range(0, n);
        List<ProcEntry> entries = new ArrayList<>();
        for (int cpu = 0; cpu < n; cpu++) {
            entries.add(cpu(k, topo, cpu));
        }
        entries.add(Sysfs.value("kernel_max", KERNEL_MAX));
        // drivers/base/cpu.c: isolated prints the CPUs isolcpus= took from the scheduler's domains (none here).
        entries.add(list("isolated", new BitSet()));
        entries.add(list("offline", new BitSet()));
        entries.add(list("online", all));
        entries.add(list("possible", all));
        entries.add(list("present", all));
        return Sysfs.dir("cpu", entries);
    }

    private static ProcEntry cpu(Kernel k, CpuTopology topo, int cpu) {
        List<ProcEntry> e = new ArrayList<>();
        int nid = k.mm().cpuToNode(cpu);
        e.add(Sysfs.link("node" + nid, "../../node/node" + nid));
        if (cpu != 0) {
            e.add(Sysfs.attr("online", 0644, ctx -> Sysfs.line("1"), null));
        }
        e.add(topology(topo, cpu));
        return Sysfs.dir("cpu" + cpu, e);
    }

    /** cpuN/topology (topology_attrs): ids as "%d\n", CPU sets as a mask and as a list. */
    private static ProcEntry topology(CpuTopology topo, int cpu) {
        int n = topo.nrCpus();
        BitSet core = topo.threadSiblings(cpu);
        BitSet pkg = topo.packageCpus(cpu);
        List<ProcEntry> e = new ArrayList<>();
        e.add(mask("cluster_cpus", core, n));
        e.add(list("cluster_cpus_list", core));
        e.add(Sysfs.value("cluster_id", topo.clusterId(cpu)));
        e.add(mask("core_cpus", core, n));
        e.add(list("core_cpus_list", core));
        e.add(Sysfs.value("core_id", topo.coreId(cpu)));
        e.add(mask("core_siblings", pkg, n));
        e.add(list("core_siblings_list", pkg));
        e.add(mask("die_cpus", pkg, n));
        e.add(list("die_cpus_list", pkg));
        e.add(Sysfs.value("die_id", 0));
        e.add(mask("package_cpus", pkg, n));
        e.add(list("package_cpus_list", pkg));
        e.add(Sysfs.value("physical_package_id", topo.packageId(cpu)));
        e.add(mask("thread_siblings", core, n));
        e.add(list("thread_siblings_list", core));
        return Sysfs.dir("topology", e);
    }

    /** cpumap_print_to_pagebuf(false): {@code "%*pb\n"}. */
    private static ProcFile mask(String name, BitSet cpus, int nrCpuIds) {
        byte[] bytes = Sysfs.line(Bitmaps.mask(new Seq(), cpus, nrCpuIds));
        return Sysfs.ro(name, ctx -> bytes);
    }

    /** cpumap_print_to_pagebuf(true): {@code "%*pbl\n"}. */
    private static ProcFile list(String name, BitSet cpus) {
        byte[] bytes = Sysfs.line(Bitmaps.list(new Seq(), cpus));
        return Sysfs.ro(name, ctx -> bytes);
    }
}
