package io.simproc.proc;

import io.simproc.kernel.Task;

/**
 * /proc/PID/cgroup: kernel/cgroup/cgroup.c proc_cgroup_show() on a machine with only the unified (v2) hierarchy:
 * one line, hierarchy 0, no controller list, the process's cgroup path.
 */
final class PidCgroup implements ProcFile.Renderer {
    private final Task task;

    PidCgroup(Task task) {
        this.task = task;
    }

    @Override
    public byte[] render(ProcContext ctx) {
        Task t = ProcBase.live(ctx, task);
        return new Seq(64).put("0::").put(t.cgroup()).nl().bytes();
    }
}
