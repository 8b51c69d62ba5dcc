package io.simproc.proc;

import io.simproc.kernel.Processes;
import io.simproc.kernel.Task;
import io.simproc.uapi.Errno;

/**
 * /proc/PID/oom_score_adj (fs/proc/base.c oom_score_adj_read, oom_score_adj_write): reads {@code "%hd\n"}; a write
 * is parsed by {@link Kstrtox} (first 12 bytes, stripped, base auto-detected; EINVAL for no number, ERANGE beyond
 * an int), must lie in −1000..1000 (EINVAL), and is applied by {@link Processes#setOomScoreAdj} (EACCES below
 * oom_score_adj_min without CAP_SYS_RESOURCE, which root has). A successful write consumes the bytes looked at.
 */
public final class OomScoreAdj implements ProcFile.Renderer, ProcFile.Writer {
    private final Task task;

    OomScoreAdj(Task task) {
        this.task = task;
    }

    @Override
    public byte[] render(ProcContext ctx) {
        Task t = ProcBase.live(ctx, task);
        return new Seq(16).put(ProcBase.leader(ctx.kernel(), t).oomScoreAdj()).nl().bytes();
    }

    @Override
    public int write(ProcContext ctx, byte[] data, long offset) {
        int count = Math.min(data.length, Kstrtox.PROC_NUMBUF_BYTES);
        Kstrtox.Parsed p = Kstrtox.kstrtoint(Kstrtox.strstrip(Kstrtox.procNumbuf(data)));
        if (!p.ok()) {
            return -p.errno();
        }
        if (p.value() < Processes.OOM_SCORE_ADJ_MIN || p.value() > Processes.OOM_SCORE_ADJ_MAX) {
            return -Errno.EINVAL;
        }
        int err = ctx.kernel().processes().setOomScoreAdj(task, p.value(), false, ctx.who().isRoot(),
                ProcBase.HOST_WRITER_COMM, ctx.who().pid());
        return err < 0 ? err : count;
    }
}
