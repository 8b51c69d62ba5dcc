package io.simproc.proc;

import io.simproc.kernel.Task;
import io.simproc.mm.MemMap;
import io.simproc.mm.MmStruct;
import io.simproc.mm.Vma;
import io.simproc.uapi.Errno;

/**
 * /proc/PID/smaps_rollup (fs/proc/task_mmu.c show_smaps_rollup): one pseudo maps line from the first VMA's start to
 * the last VMA's end named [rollup], then the {@link MemSizeStats} block summed over all VMAs with the Pss split
 * (Pss_Anon, Pss_File, Pss_Shmem) after Pss_Dirty. The gate VMA is not part of it. A task without an address
 * space (a kernel thread, a zombie) reads as ESRCH; opening it needs the ptrace-read check.
 */
public final class SmapsRollup implements ProcFile.Renderer {
    private final Task task;

    SmapsRollup(Task task) {
        this.task = task;
    }

    @Override
    public byte[] render(ProcContext ctx) {
        MmStruct mm = PidMaps.openMm(ctx, task);
        if (mm == null) {
            throw new ProcException(Errno.ESRCH);
        }
        MemMap map = ctx.kernel().mm().memMap();
        MemSizeStats mss = new MemSizeStats();
        long start = 0;
        long end = 0;
        for (Vma v : mm.vmas()) {
            if (end == 0) {
                start = v.start();
            }
            end = v.end();
            mss.gather(mm, v, map, ctx.kernel().mm().swap()::swapCount);
        }
        Seq s = new Seq(1024);
        PidMaps.header(s, start, end, 0, 0, 0, 0, 0);
        PidMaps.pad(s, 0);
        s.put("[rollup]").nl();
        mss.show(s, true);
        return s.bytes();
    }
}
