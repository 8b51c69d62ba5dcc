package io.simproc.mm;

/**
 * What the memory manager needs from the rest of the simulated kernel, kept behind an interface so that mm imports
 * nothing outside itself: the jiffies clock and timers, printk, the task on whose behalf it is running
 * ("current"), and for the OOM killer the processes, the kill and panic().
 */
public interface KernelServices {
    /** KERN_WARNING, KERN_INFO... as printk levels. */
    int KERN_EMERG = 0;
    int KERN_ALERT = 1;
    int KERN_ERR = 3;
    int KERN_WARNING = 4;
    int KERN_NOTICE = 5;
    int KERN_INFO = 6;

    /** CONFIG_HZ of the simulated kernel: timer ticks per second. */
    int HZ = 250;

    long jiffies();

    /**
     * lockdep_assert_held() on the machine's write lock: whether the calling thread is the simulation thread, the
     * single writer (while booting too).
     */
    boolean currentHoldsWriteLock();

    /** Run {@code task} on the simulation thread {@code delayJiffies} from now (0: at the next timer tick). */
    void schedule(long delayJiffies, Runnable task);

    void printk(int level, String text);

    /** current->comm of the task the simulation thread is working for. */
    String currentComm();

    /** current->pid. */
    int currentPid();

    /** capable(CAP_SYS_ADMIN) for current (root, or the kernel itself when no task is current). */
    boolean currentCapSysAdmin();

    /** current->mm: the address space of the task the simulation thread works for; null for the kernel itself. */
    MmStruct currentMm();

    /** tsk_is_oom_victim(current): current was chosen by the OOM killer and may dip into the reserves. */
    boolean currentIsOomVictim();

    /**
     * out_of_memory(): the allocator made no progress; the OOM killer may free memory by killing a task. Returns
     * whether the caller should retry (a task was killed or is already dying, or the OOM killer may not act for
     * this request). The kernel runs {@link OomKill#outOfMemory}.
     */
    boolean outOfMemory(OomControl oc);

    /** for_each_process(): every process (thread group leader), in pid order, as the OOM killer sees it. */
    java.util.List<OomTask> oomProcesses();

    /** The process current belongs to, or null while the kernel works for itself. */
    OomTask oomCurrent();

    /**
     * __oom_kill_process()'s end: mark the victim (it may use the reserves until it exits) and send it SIGKILL, at
     * once for another process; current dies when it leaves the kernel.
     */
    void oomKillProcess(OomTask victim);

    /**
     * psi_memstall_enter(); schedule_timeout_killable(jiffies); psi_memstall_leave(): current sleeps, in D state and
     * in a memory stall, for {@code jiffies} (memory.high's penalty).
     */
    void memstallSleep(long jiffies);

    /** panic(): log the panic and stop the machine. Does not return on a running kernel. */
    void panic(String message);
}
