package io.simproc.mm;

/**
 * A process as mm/oom_kill.c sees it: the fields of its thread group leader's task_struct that the OOM killer reads,
 * and find_lock_task_mm() (the address space of any of its threads). The kernel hands these views to the OOM killer
 * through {@link KernelServices}.
 */
public interface OomTask {
    int pid();

    int tgid();

    int uid();

    String comm();

    /** signal->oom_score_adj. */
    int oomScoreAdj();

    /** oom_unkillable_task(): init and kernel threads. */
    boolean isUnkillable();

    /** tsk_is_oom_victim(): the OOM killer chose it and its SIGKILL is still pending. */
    boolean isOomVictim();

    /** find_lock_task_mm(): the address space of any thread of the process, or null. */
    MmStruct findTaskMm();
}
