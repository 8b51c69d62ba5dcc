package io.simproc.proc;

import io.simproc.kernel.Rlimits;
import io.simproc.kernel.Task;

/** /proc/PID/limits: fs/proc/base.c proc_pid_limits() — soft and hard limit and unit of every resource. */
final class PidLimits implements ProcFile.Renderer {
    private final Task task;

    PidLimits(Task task) {
        this.task = task;
    }

    @Override
    public byte[] render(ProcContext ctx) {
        Task t = ProcBase.live(ctx, task);
        Seq s = new Seq(1400);
        s.left("Limit", 25).put(' ').left("Soft Limit", 20).put(' ').left("Hard Limit", 20).put(' ')
                .left("Units", 10).nl();
        for (Rlimits.Resource r : Rlimits.Resource.values()) {
            long[] lim = Rlimits.of(ctx.kernel(), t, r);
            s.left(r.label(), 25).put(' ');
            limit(s, lim[0]);
            limit(s, lim[1]);
            if (r.unit() != null) {
                s.left(r.unit(), 10);
            }
            s.nl();
        }
        return s.bytes();
    }

    private static void limit(Seq s, long v) {
        s.left(v == Rlimits.INFINITY ? "unlimited" : Long.toString(v), 20).put(' ');
    }
}
