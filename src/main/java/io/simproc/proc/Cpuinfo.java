package io.simproc.proc;

import io.simproc.kernel.CpuTopology;
import io.simproc.kernel.MachineProfile;

import java.util.Locale;

/**
 * /proc/cpuinfo (arch/x86/kernel/cpu/proc.c show_cpuinfo): one block per online CPU, {@code "name\t: value"} with
 * the kernel's tab alignment, each block ended by an empty line (procps requires it). Physical id, siblings, core
 * id and cpu cores come from {@link CpuTopology} (one socket per NUMA node), as sysfs's topology files do. As the
 * kernel does, a block has no microcode, cache size or TLB size line when the CPU reports none (a microcode
 * revision of 0 is common in VM guests; Intel CPUs report no TLB size), and the flags and bugs lines print each
 * name after a space, so an empty list leaves the bare label.
 */
public final class Cpuinfo implements ProcFile.Renderer {
    static final int CLFLUSH_SIZE = 64;

    @Override
    public byte[] render(ProcContext ctx) {
        MachineProfile p = ctx.kernel().profile();
        MachineProfile.CpuModel c = p.cpu();
        CpuTopology topo = CpuTopology.of(ctx.kernel());
        boolean intel = "GenuineIntel".equals(c.vendorId());
        Seq s = new Seq(2048 * c.count());
        for (int cpu = 0; cpu < c.count(); cpu++) {
            s.put("processor\t: ").put(cpu).nl();
            s.put("vendor_id\t: ").put(c.vendorId()).nl();
            s.put("cpu family\t: ").put(c.family()).nl();
            s.put("model\t\t: ").put(c.model()).nl();
            s.put("model name\t: ").put(c.modelName()).nl();
            s.put("stepping\t: ").put(c.stepping()).nl();
            if (c.microcode() != 0) {
                s.put("microcode\t: 0x").put(Long.toHexString(c.microcode())).nl();
            }
            s.put("cpu MHz\t\t: ").put(String.format(Locale.ROOT, "%.3f", c.mhz())).nl();
            if (c.cacheKb() != 0) {
                s.put("cache size\t: ").put(c.cacheKb()).put(" KB").nl();
            }
            s.put("physical id\t: ").put(topo.packageId(cpu)).nl();
            s.put("siblings\t: ").put(topo.siblings(cpu)).nl();
            s.put("core id\t\t: ").put(topo.coreId(cpu)).nl();
            s.put("cpu cores\t: ").put(topo.cores(cpu)).nl();
            s.put("apicid\t\t: ").put(cpu).nl();
            s.put("initial apicid\t: ").put(cpu).nl();
            s.put("fpu\t\t: yes").nl();
            s.put("fpu_exception\t: yes").nl();
            s.put("cpuid level\t: ").put(intel ? 27 : 16).nl();
            s.put("wp\t\t: yes").nl();
            names(s.put("flags\t\t:"), c.flags()).nl();
            names(s.put("bugs\t\t:"), c.bugs()).nl();
            s.put("bogomips\t: ").put(String.format(Locale.ROOT, "%.2f", c.bogomips())).nl();
            if (c.tlbSize() > 0) {
                s.put("TLB size\t: ").put(c.tlbSize()).put(" 4K pages").nl();
            }
            s.put("clflush size\t: ").put(CLFLUSH_SIZE).nl();
            s.put("cache_alignment\t: ").put(CLFLUSH_SIZE).nl();
            s.put("address sizes\t: ").put(c.physicalBits()).put(" bits physical, ").put(c.virtualBits())
                    .put(" bits virtual").nl();
            s.put("power management:").nl();
            s.nl();
        }
        return s.bytes();
    }

    /** {@code seq_printf(m, " %s", name)} for each name of a space-separated list. */
    private static Seq names(Seq s, String list) {
        for (String name : list.trim().split(" +")) {
            if (!name.isEmpty()) {
                s.put(' ').put(name);
            }
        }
        return s;
    }
}
