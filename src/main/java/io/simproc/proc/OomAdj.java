package io.simproc.proc;

import io.simproc.kernel.Processes;
import io.simproc.kernel.Task;
import io.simproc.uapi.Errno;

/**
 * /proc/PID/oom_adj (fs/proc/base.c oom_adj_read, oom_adj_write), the legacy scale −17..15 over oom_score_adj.
 * Read: 15 for oom_score_adj 1000, else {@code adj × 17 / 1000} truncated toward zero and capped at 15. Write:
 * −16..15 or −17 (OOM_DISABLE), else EINVAL; 15 becomes 1000, anything else {@code v × 1000 / 17} (−17 → −1000,
 * −16 → −941); lowering below the current value needs CAP_SYS_RESOURCE (EACCES); oom_score_adj_min is left alone;
 * the first use logs the deprecation notice once. Parsing as for oom_score_adj.
 */
public final class OomAdj implements ProcFile.Renderer, ProcFile.Writer {
    /** OOM_DISABLE, OOM_ADJUST_MIN, OOM_ADJUST_MAX of include/uapi/linux/oom.h. */
    static final int OOM_DISABLE = -17;
    static final int OOM_ADJUST_MIN = -16;
    static final int OOM_ADJUST_MAX = 15;

    private final Task task;

    OomAdj(Task task) {
        this.task = task;
    }

    @Override
    public byte[] render(ProcContext ctx) {
        Task t = ProcBase.live(ctx, task);
        return new Seq(16).put(fromScoreAdj(ProcBase.leader(ctx.kernel(), t).oomScoreAdj())).nl().bytes();
    }

    /** oom_adj_read()'s conversion. */
    static int fromScoreAdj(int scoreAdj) {
        if (scoreAdj == Processes.OOM_SCORE_ADJ_MAX) {
            return OOM_ADJUST_MAX;
        }
        return Math.min(OOM_ADJUST_MAX, scoreAdj * -OOM_DISABLE / Processes.OOM_SCORE_ADJ_MAX);
    }

    /** oom_adj_write()'s conversion of a valid legacy value. */
    static int toScoreAdj(int oomAdj) {
        if (oomAdj == OOM_ADJUST_MAX) {
            return Processes.OOM_SCORE_ADJ_MAX;
        }
        return oomAdj * Processes.OOM_SCORE_ADJ_MAX / -OOM_DISABLE;
    }

    @Override
    public int write(ProcContext ctx, byte[] data, long offset) {
        int count = Math.min(data.length, Kstrtox.PROC_NUMBUF_BYTES);
        Kstrtox.Parsed p = Kstrtox.kstrtoint(Kstrtox.strstrip(Kstrtox.procNumbuf(data)));
        if (!p.ok()) {
            return -p.errno();
        }
        int v = p.value();
        if ((v < OOM_ADJUST_MIN || v > OOM_ADJUST_MAX) && v != OOM_DISABLE) {
            return -Errno.EINVAL;
        }
        int err = ctx.kernel().processes().setOomScoreAdj(task, toScoreAdj(v), true, ctx.who().isRoot(),
                ProcBase.HOST_WRITER_COMM, ctx.who().pid());
        return err < 0 ? err : count;
    }
}
