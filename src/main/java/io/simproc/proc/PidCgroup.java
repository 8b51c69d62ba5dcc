package io.simproc.proc;

import io.simproc.kernel.Cgroup;
import io.simproc.kernel.Task;

/**
 * /proc/PID/cgroup: kernel/cgroup/cgroup.c proc_cgroup_show() on a machine with only the unified (v2) hierarchy:
 * one line, hierarchy 0, no controller list, the path of the task's cgroup — of an exited task the cgroup it was in,
 * with " (deleted)" when that cgroup has been removed since.
 */
final class PidCgroup implements ProcFile.Renderer {
    private final Task task;

    PidCgroup(Task task) {
        this.task = task;
    }

    @Override
    public byte[] render(ProcContext ctx) {
        Task t = ProcBase.live(ctx, task);
        Cgroup cgrp = t.cgroup();
        return new Seq(64).put("0::").put(cgrp.path()).put(cgrp.isOnline() ? "" : " (deleted)").nl().bytes();
    }
}
