package io.simproc.proc;

import io.simproc.kernel.Task;
import io.simproc.uapi.Errno;

/**
 * /proc/PID/comm (fs/proc/base.c comm_show, comm_write): the task's command name and a newline. Writable (mode
 * 0644), but only by a thread of the same process (set_task_comm); any other writer — every writer from outside
 * the simulated machine — gets EINVAL, as the kernel answers.
 */
public final class PidComm implements ProcFile.Renderer, ProcFile.Writer {
    private final Task task;

    PidComm(Task task) {
        this.task = task;
    }

    @Override
    public byte[] render(ProcContext ctx) {
        return new Seq(32).put(ProcBase.live(ctx, task).comm()).nl().bytes();
    }

    @Override
    public int write(ProcContext ctx, byte[] data, long offset) {
        ProcBase.live(ctx, task);
        return -Errno.EINVAL;
    }
}
