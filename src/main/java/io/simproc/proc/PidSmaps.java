package io.simproc.proc;

import io.simproc.kernel.Task;
import io.simproc.mm.KernelConfig;
import io.simproc.mm.MemMap;
import io.simproc.mm.MmStruct;
import io.simproc.mm.Vma;
import io.simproc.mm.VmFlags;

/**
 * /proc/PID/smaps (fs/proc/task_mmu.c show_smap): for every VMA and then the [vsyscall] gate VMA, its maps line,
 * Size, KernelPageSize, MMUPageSize, the {@link MemSizeStats} block counted from the page table, THPeligible,
 * ProtectionKey (x86_64 with protection keys) and VmFlags. Empty for a task without an address space; opening it
 * needs the ptrace-read check.
 */
public final class PidSmaps implements ProcFile.Renderer {
    /** HPAGE_PMD_SIZE: the size THPeligible asks a VMA to hold naturally aligned. */
    static final long HPAGE_PMD_SIZE = 2L << 20;

    private final Task task;

    PidSmaps(Task task) {
        this.task = task;
    }

    @Override
    public byte[] render(ProcContext ctx) {
        MmStruct mm = PidMaps.openMm(ctx, task);
        if (mm == null) {
            return new byte[0];
        }
        MemMap map = ctx.kernel().mm().memMap();
        KernelConfig.ThpMode thp = ctx.kernel().mm().config().thp();
        Seq s = new Seq(1024 * (mm.mapCount() + 1));
        for (Vma v : mm.vmas()) {
            MemSizeStats mss = new MemSizeStats();
            mss.gather(mm, v, map, ctx.kernel().mm().swap()::swapCount);
            PidMaps.showMapVma(s, v);
            showSmap(s, v.size(), mss, thpEligible(v, thp), v.flags());
        }
        PidMaps.showGateVma(s);
        showSmap(s, PidMaps.VSYSCALL_END - PidMaps.VSYSCALL_START, new MemSizeStats(), false,
                PidMaps.VSYSCALL_FLAGS);
        return s.bytes();
    }

    /** The lines after the maps line of one VMA. */
    private static void showSmap(Seq s, long size, MemSizeStats mss, boolean thpEligible, long flags) {
        MemSizeStats.line(s, "Size:", size);
        MemSizeStats.line(s, "KernelPageSize:", io.simproc.uapi.Page.PAGE_SIZE);
        MemSizeStats.line(s, "MMUPageSize:", io.simproc.uapi.Page.PAGE_SIZE);
        mss.show(s, false);
        s.left("THPeligible:", 16).dec(thpEligible ? 1 : 0, 8).nl();
        s.left("ProtectionKey:", 16).dec(0, 8).nl();
        s.put("VmFlags: ").put(VmFlags.mnemonics(flags)).nl();
    }

    /**
     * thp_vma_allowable_orders(vma, TVA_SMAPS): an anonymous VMA (no file, no special mapping) not marked
     * VM_NOHUGEPAGE, with THP "always" or "madvise" plus VM_HUGEPAGE, that holds a whole naturally aligned PMD-sized
     * range. File and shmem VMAs are not eligible with this configuration (no READ_ONLY_THP_FOR_FS, shmem THP off).
     */
    static boolean thpEligible(Vma v, KernelConfig.ThpMode thp) {
        if (!v.isAnonymous() || v.test(VmFlags.VM_SPECIAL) || v.test(VmFlags.VM_NOHUGEPAGE)) {
            return false;
        }
        if (v.name() != null && (v.name().equals("[vdso]") || v.name().startsWith("[vvar"))) {
            return false;
        }
        boolean enabled = thp == KernelConfig.ThpMode.ALWAYS
                || thp == KernelConfig.ThpMode.MADVISE && v.test(VmFlags.VM_HUGEPAGE);
        if (!enabled) {
            return false;
        }
        long haddr = (v.end() - HPAGE_PMD_SIZE) & ~(HPAGE_PMD_SIZE - 1);
        return v.end() - v.start() >= HPAGE_PMD_SIZE && haddr >= v.start();
    }
}
