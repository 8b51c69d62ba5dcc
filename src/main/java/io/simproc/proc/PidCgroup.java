package io.simproc.proc;

import io.simproc.kernel.Cgroup;
import io.simproc.kernel.Cgroups;
import io.simproc.kernel.Task;

/**
 * /proc/PID/cgroup: kernel/cgroup/cgroup.c proc_cgroup_show(), one line for the machine's one hierarchy. The unified
 * (v2) one: hierarchy 0, no controller list, the path of the task's cgroup — of an exited task the cgroup it was in,
 * with " (deleted)" when that cgroup has been removed since. The legacy layout's v1 memory hierarchy (the v2 one,
 * never mounted, is not shown): its id, the controllers bound to it, and the path — "/" for a task that is exiting.
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
        Cgroups cgroups = ctx.kernel().cgroups();
        if (!cgroups.onDfl()) {
            return new Seq(64).put(cgroups.hierarchyId()).put(':').put(cgroups.names(cgroups.subsysMask())
                    .replace(' ', ',')).put(':').put((t.flags() & Task.PF_EXITING) != 0 ? "/" : cgrp.path()).nl()
                    .bytes();
        }
        return new Seq(64).put("0::").put(cgrp.path()).put(cgrp.isOnline() ? "" : " (deleted)").nl().bytes();
    }
}
