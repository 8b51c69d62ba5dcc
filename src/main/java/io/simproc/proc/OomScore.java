package io.simproc.proc;

import io.simproc.kernel.Kernel;
import io.simproc.kernel.Processes;
import io.simproc.kernel.Task;
import io.simproc.mm.MmStruct;
import io.simproc.uapi.Page;

/**
 * /proc/PID/oom_score (fs/proc/base.c proc_oom_score with mm/oom_kill.c oom_badness): the badness a global OOM
 * would see, {@code rss + swap entries + page-table pages + oom_score_adj × (totalpages / 1000)} with totalpages =
 * RAM + swap pages, scaled to {@code (1000 + badness × 1000 / totalpages) × 2 / 3} in C integer arithmetic; 0 for
 * the unkillable (kernel threads, init, oom_score_adj −1000, no address space).
 */
public final class OomScore implements ProcFile.Renderer {
    private final Task task;

    OomScore(Task task) {
        this.task = task;
    }

    @Override
    public byte[] render(ProcContext ctx) {
        Kernel k = ctx.kernel();
        Task t = ProcBase.live(ctx, task);
        long totalpages = k.mm().totalramPages() + k.mm().totalSwapPages();
        long badness = oomBadness(k, t, totalpages);
        long points = badness == Long.MIN_VALUE ? 0 : (1000 + badness * 1000 / totalpages) * 2 / 3;
        return new Seq(16).put(Long.toUnsignedString(points)).nl().bytes();
    }

    /** oom_badness(): the points of a task, or Long.MIN_VALUE (LONG_MIN) for one the OOM killer never picks. */
    static long oomBadness(Kernel k, Task t, long totalpages) {
        if (t.isKthread() || t.tgid() == Processes.INIT_PID) {
            return Long.MIN_VALUE;
        }
        Task leader = ProcBase.leader(k, t);
        MmStruct mm = mmOf(k, leader);
        if (mm == null) {
            return Long.MIN_VALUE;
        }
        long adj = leader.oomScoreAdj();
        if (adj == Processes.OOM_SCORE_ADJ_MIN) {
            return Long.MIN_VALUE;
        }
        long points = mm.rssPages() + mm.rss(MmStruct.MM_SWAPENTS) + mm.pgtablesBytes() / Page.PAGE_SIZE;
        return points + adj * (totalpages / 1000);
    }

    /** find_lock_task_mm(): the address space of any thread of the process. */
    private static MmStruct mmOf(Kernel k, Task leader) {
        if (leader.mm() != null) {
            return leader.mm();
        }
        for (int tid : leader.threads()) {
            Task th = k.tasks().get(tid);
            if (th != null && th.mm() != null) {
                return th.mm();
            }
        }
        return null;
    }
}
