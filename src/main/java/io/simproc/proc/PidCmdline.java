package io.simproc.proc;

import io.simproc.kernel.Task;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * /proc/PID/cmdline (fs/proc/base.c proc_pid_cmdline_read, get_mm_cmdline): the argument strings as the program
 * got them, each followed by a NUL. Empty for a task without an address space (kernel threads, zombies), which is
 * how tools tell kernel threads apart.
 */
public final class PidCmdline implements ProcFile.Renderer {
    private final Task task;

    PidCmdline(Task task) {
        this.task = task;
    }

    @Override
    public byte[] render(ProcContext ctx) {
        Task t = ProcBase.live(ctx, task);
        if (t.mm() == null) {
            return new byte[0];
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        for (String arg : t.argv()) {
            out.writeBytes(arg.getBytes(StandardCharsets.UTF_8));
            out.write(0);
        }
        return out.toByteArray();
    }
}
