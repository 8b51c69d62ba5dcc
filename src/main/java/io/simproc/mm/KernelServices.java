package io.simproc.mm;

/**
 * What the memory manager needs from the rest of the simulated kernel, kept behind an interface so that mm imports
 * nothing outside itself: the jiffies clock and timers, printk, and the task on whose behalf it is running
 * ("current").
 */
public interface KernelServices {
    /** KERN_WARNING, KERN_INFO... as printk levels. */
    int KERN_EMERG = 0;
    int KERN_ERR = 3;
    int KERN_WARNING = 4;
    int KERN_NOTICE = 5;
    int KERN_INFO = 6;

    /** CONFIG_HZ of the simulated kernel: timer ticks per second. */
    int HZ = 250;

    long jiffies();

    /** Run {@code task} on the simulation thread {@code delayJiffies} from now (0: at the next timer tick). */
    void schedule(long delayJiffies, Runnable task);

    void printk(int level, String text);

    /** current->comm of the task the simulation thread is working for. */
    String currentComm();

    /** current->pid. */
    int currentPid();

    /** capable(CAP_SYS_ADMIN) for current (root, or the kernel itself when no task is current). */
    boolean currentCapSysAdmin();

    /** tsk_is_oom_victim(current): current was chosen by the OOM killer and may dip into the reserves. */
    boolean currentIsOomVictim();

    /**
     * out_of_memory(): the allocator made no progress; the OOM killer may free memory by killing a task. Returns
     * whether the caller should retry (a task was killed or is already dying, or the OOM killer may not act for
     * this request).
     */
    boolean outOfMemory(OomControl oc);
}
