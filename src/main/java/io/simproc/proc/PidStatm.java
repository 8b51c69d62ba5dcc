package io.simproc.proc;

import io.simproc.kernel.Task;
import io.simproc.mm.MmStruct;
import io.simproc.uapi.Page;

/**
 * /proc/PID/statm (fs/proc/array.c proc_pid_statm, fs/proc/task_mmu.c task_statm): seven page counts — size
 * (total_vm), resident (file + shmem + anon RSS), shared (file + shmem RSS), text (the main program's code pages,
 * uncapped), lib (0), data (data_vm + stack_vm), dt (0). All zeros without an address space.
 */
public final class PidStatm implements ProcFile.Renderer {
    private final Task task;

    PidStatm(Task task) {
        this.task = task;
    }

    @Override
    public byte[] render(ProcContext ctx) {
        MmStruct mm = ProcBase.live(ctx, task).mm();
        Seq s = new Seq(64);
        if (mm == null) {
            return s.put("0 0 0 0 0 0 0\n").bytes();
        }
        long shared = mm.rss(MmStruct.MM_FILEPAGES) + mm.rss(MmStruct.MM_SHMEMPAGES);
        long resident = shared + mm.rss(MmStruct.MM_ANONPAGES);
        long text = PidStatus.textBytes(mm) >> Page.PAGE_SHIFT;
        s.put(mm.totalVm()).put(' ').put(resident).put(' ').put(shared).put(' ').put(text).put(" 0 ")
                .put(mm.dataVm() + mm.stackVm()).put(" 0\n");
        return s.bytes();
    }
}
