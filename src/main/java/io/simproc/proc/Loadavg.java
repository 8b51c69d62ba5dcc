package io.simproc.proc;

import io.simproc.kernel.Kernel;

/**
 * /proc/loadavg (fs/proc/loadavg.c): the three load averages, running/total tasks and the last pid allocated.
 */
public final class Loadavg implements ProcFile.Renderer {
    @Override
    public byte[] render(ProcContext ctx) {
        Kernel k = ctx.kernel();
        return new Seq(64).put(k.loadAvg().formatted()).put(' ').put(k.sched().nrRunning()).put('/')
                .put(k.tasks().size()).put(' ').put(k.tasks().lastPid()).nl().bytes();
    }
}
