package io.simproc.kernel;

import io.simproc.mm.MmStruct;
import io.simproc.mm.OomTask;

/** A process (its thread group leader) as mm's OOM killer sees it. */
record OomProcess(Kernel kernel, Task leader) implements OomTask {
    @Override
    public int pid() {
        return leader.pid();
    }

    @Override
    public int tgid() {
        return leader.tgid();
    }

    @Override
    public int uid() {
        return leader.uid();
    }

    @Override
    public String comm() {
        return leader.comm();
    }

    @Override
    public int oomScoreAdj() {
        return leader.oomScoreAdj();
    }

    /** oom_unkillable_task(): init and kernel threads. */
    @Override
    public boolean isUnkillable() {
        return leader.isKthread() || leader.tgid() == Processes.INIT_PID;
    }

    @Override
    public boolean isOomVictim() {
        return leader.isOomVictim();
    }

    /** find_lock_task_mm(): the address space of any thread of the process. */
    @Override
    public MmStruct findTaskMm() {
        if (leader.mm() != null) {
            return leader.mm();
        }
        for (int tid : leader.threads()) {
            Task th = kernel.tasks().get(tid);
            if (th != null && th.mm() != null) {
                return th.mm();
            }
        }
        return null;
    }
}
