package io.simproc.proc;

import io.simproc.kernel.Task;
import io.simproc.mm.HugeMemory;
import io.simproc.mm.Hugetlb;
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
        KernelConfig.ThpMode thp = ctx.kernel().mm().hugeMemory().flags().enabled();
        Seq s = new Seq(1024 * (mm.mapCount() + 1));
        for (Vma v : mm.vmas()) {
            MemSizeStats mss = new MemSizeStats();
            mss.gather(mm, v, map, ctx.kernel().mm().swap()::swapCount);
            PidMaps.showMapVma(s, v);
            showSmap(s, v.size(), mss, HugeMemory.vmaAllowable(v, thp), v.flags(), vmaKernelPagesize(v));
        }
        PidMaps.showGateVma(s);
        showSmap(s, PidMaps.VSYSCALL_END - PidMaps.VSYSCALL_START, new MemSizeStats(), false,
                PidMaps.VSYSCALL_FLAGS, io.simproc.uapi.Page.PAGE_SIZE);
        return s.bytes();
    }

    /** vma_kernel_pagesize() (and vma_mmu_pagesize() on x86): the huge page size of a hugetlb VMA. */
    static long vmaKernelPagesize(Vma v) {
        return v.test(VmFlags.VM_HUGETLB) ? Hugetlb.HUGE_PAGE_SIZE : io.simproc.uapi.Page.PAGE_SIZE;
    }

    /** The lines after the maps line of one VMA. */
    private static void showSmap(Seq s, long size, MemSizeStats mss, boolean thpEligible, long flags, long pageSize) {
        MemSizeStats.line(s, "Size:", size);
        MemSizeStats.line(s, "KernelPageSize:", pageSize);
        MemSizeStats.line(s, "MMUPageSize:", pageSize);
        mss.show(s, false);
        s.left("THPeligible:", 16).dec(thpEligible ? 1 : 0, 8).nl();
        s.left("ProtectionKey:", 16).dec(0, 8).nl();
        s.put("VmFlags: ").put(VmFlags.mnemonics(flags)).nl();
    }
}
