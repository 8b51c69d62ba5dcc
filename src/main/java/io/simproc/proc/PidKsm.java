package io.simproc.proc;

import io.simproc.kernel.Task;
import io.simproc.mm.Ksm;
import io.simproc.mm.KsmMm;
import io.simproc.mm.MmStruct;

/**
 * /proc/PID/ksm_merging_pages and /proc/PID/ksm_stat (fs/proc/base.c proc_pid_ksm_merging_pages,
 * proc_pid_ksm_stat): how many of the process's pages map KSM pages, and its rmap items, KSM zero pages, profit
 * ({@link KsmMm#processProfit}), whether prctl(PR_SET_MEMORY_MERGE) is on and whether any VMA is mergeable. Both
 * are empty for a task without an address space.
 */
public final class PidKsm implements ProcFile.Renderer {
    private final Task task;
    private final boolean stat;

    PidKsm(Task task, boolean stat) {
        this.task = task;
        this.stat = stat;
    }

    @Override
    public byte[] render(ProcContext ctx) {
        MmStruct mm = ProcBase.live(ctx, task).mm();
        Seq s = new Seq(160);
        if (mm == null) {
            return s.bytes();
        }
        KsmMm k = mm.ksm();
        if (!stat) {
            return s.put(k.mergingPages()).nl().bytes();
        }
        s.put("ksm_rmap_items ").put(k.rmapItems()).nl();
        s.put("ksm_zero_pages ").put(k.zeroPages()).nl();
        s.put("ksm_merging_pages ").put(k.mergingPages()).nl();
        s.put("ksm_process_profit ").put(k.processProfit()).nl();
        s.put("ksm_merge_any: ").put(k.mergeAny() ? "yes" : "no").nl();
        s.put("ksm_mergeable: ").put(Ksm.processMergeable(mm) ? "yes" : "no").nl();
        return s.bytes();
    }
}
