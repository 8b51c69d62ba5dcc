package io.simproc.proc;

import io.simproc.kernel.Task;
import io.simproc.uapi.Errno;

/**
 * /proc/PID/environ (fs/proc/base.c environ_read): mode 0400 and the ptrace-read check at open; ESRCH for a task
 * without an address space (kernel threads). The simulated programs keep no environment strings, so a process's
 * environ reads empty.
 */
public final class PidEnviron implements ProcFile.Renderer {
    private final Task task;

    PidEnviron(Task task) {
        this.task = task;
    }

    @Override
    public byte[] render(ProcContext ctx) {
        Task t = ProcBase.live(ctx, task);
        if (t.mm() == null) {
            throw new ProcException(Errno.ESRCH);
        }
        if (!ProcBase.ptraceMayRead(ctx.who(), t)) {
            throw new ProcException(Errno.EACCES);
        }
        return new byte[0];
    }
}
