package io.simproc.proc;

import io.simproc.kernel.Task;

/**
 * /proc/PID/task/TID/children (fs/proc/array.c children_seq_show): the pids of the thread's children, each
 * followed by a space, no newline. The simulated machine records a process's children on its leader, so the
 * leader's thread lists them all.
 */
public final class PidChildren implements ProcFile.Renderer {
    private final Task task;

    PidChildren(Task task) {
        this.task = task;
    }

    @Override
    public byte[] render(ProcContext ctx) {
        Task t = ProcBase.live(ctx, task);
        Seq s = new Seq(64);
        if (t.isLeader()) {
            for (int child : t.children()) {
                s.put(child).put(' ');
            }
        }
        return s.bytes();
    }
}
