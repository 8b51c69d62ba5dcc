package io.simproc.proc;

import io.simproc.kernel.Task;

/**
 * /proc/PID/schedstat: fs/proc/base.c proc_pid_schedstat() — the task's time on the CPU (se.sum_exec_runtime, its
 * user and system time in nanoseconds), its time waiting on a run queue (sched_info.run_delay: the simulation
 * runs a task as soon as it has work, so 0) and how many times it was scheduled in (sched_info.pcount, one per
 * context switch that ended a run of it).
 */
final class PidSchedstat implements ProcFile.Renderer {
    private final Task task;

    PidSchedstat(Task task) {
        this.task = task;
    }

    @Override
    public byte[] render(ProcContext ctx) {
        Task t = ProcBase.live(ctx, task);
        return new Seq(64).put(t.utimeNanos() + t.stimeNanos()).put(' ').put(0).put(' ')
                .put(t.voluntaryCtxt() + t.nonvoluntaryCtxt()).nl().bytes();
    }
}
