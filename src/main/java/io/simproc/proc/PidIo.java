package io.simproc.proc;

import io.simproc.kernel.Task;
import io.simproc.kernel.TaskIoAccounting;
import io.simproc.uapi.Errno;

/**
 * /proc/PID/io and /proc/PID/task/TID/io (fs/proc/base.c do_io_accounting()): mode 0400 and the ptrace-read
 * check; a thread's own counters, or for the process the sum over its threads.
 */
public final class PidIo implements ProcFile.Renderer {
    private final Task task;
    private final boolean whole;

    PidIo(Task task, boolean whole) {
        this.task = task;
        this.whole = whole;
    }

    @Override
    public byte[] render(ProcContext ctx) {
        Task t = ProcBase.live(ctx, task);
        if (!ProcBase.ptraceMayRead(ctx.who(), t)) {
            throw new ProcException(Errno.EACCES);
        }
        TaskIoAccounting acct = new TaskIoAccounting();
        if (whole) {
            for (int tid : ProcBase.leader(ctx.kernel(), t).threads()) {
                Task thread = ctx.kernel().tasks().get(tid);
                if (thread != null) {
                    acct.add(thread.ioac());
                }
            }
        } else {
            acct.add(t.ioac());
        }
        Seq s = new Seq(200);
        s.put("rchar: ").put(acct.rchar()).nl();
        s.put("wchar: ").put(acct.wchar()).nl();
        s.put("syscr: ").put(acct.syscr()).nl();
        s.put("syscw: ").put(acct.syscw()).nl();
        s.put("read_bytes: ").put(acct.readBytes()).nl();
        s.put("write_bytes: ").put(acct.writeBytes()).nl();
        s.put("cancelled_write_bytes: ").put(acct.cancelledWriteBytes()).nl();
        return s.bytes();
    }
}
