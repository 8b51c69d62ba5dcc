package io.simproc.proc;

import io.simproc.kernel.Kernel;
import io.simproc.kernel.Task;
import io.simproc.mm.OomKill;

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
        long totalpages = k.mm().oomKill().totalPages();
        long badness = OomKill.oomBadness(k.oomView(t), totalpages);
        long points = badness == Long.MIN_VALUE ? 0 : (1000 + badness * 1000 / totalpages) * 2 / 3;
        return new Seq(16).put(Long.toUnsignedString(points)).nl().bytes();
    }
}
