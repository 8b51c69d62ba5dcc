package io.simproc.kernel;

import io.simproc.mm.Gfp;
import io.simproc.mm.KernelServices;
import io.simproc.mm.MmStruct;
import io.simproc.mm.OomControl;
import io.simproc.mm.Ratelimit;
import io.simproc.mm.ShowMem;
import io.simproc.mm.VmEvent;
import io.simproc.uapi.Page;

/**
 * The OOM killer of mm/oom_kill.c for a global (unconstrained) OOM: {@link #oomBadness} — the one badness both the
 * killer and /proc/PID/oom_score use — {@code select_bad_process} (highest points wins, ties go to the later task,
 * kernel threads, init and oom_score_adj −1000 never), {@code oom_kill_allocating_task}, {@code panic_on_oom}, the
 * report in the log (dump_header's invoking-task line, Mem-Info, the task table, the oom-kill summary and the
 * "Killed process" line) and the kill itself: SIGKILL, oom_kill in vmstat, and the victim's memory freed through
 * exit — at once for another process, when it leaves the kernel for the allocating task itself (it is marked an OOM
 * victim and may use the reserves meanwhile).
 *
 * <p>Tasks are visited in pid order (for_each_process's creation order, as long as pids have not wrapped). There
 * are no cgroups: the constraint is CONSTRAINT_NONE, every task is in the root cpuset and memory cgroup.
 */
public final class OomKill {
    public static final String CONSTRAINT_NONE = "CONSTRAINT_NONE";

    private final Kernel kernel;
    /** oom_rs: DEFAULT_RATELIMIT_INTERVAL, DEFAULT_RATELIMIT_BURST for the report. */
    private final Ratelimit oomRatelimit = new Ratelimit(Ratelimit.DEFAULT_INTERVAL_SECONDS * KernelServices.HZ,
            Ratelimit.DEFAULT_BURST);
    private int oomKillAllocatingTask;
    private int panicOnOom;
    private int oomDumpTasks = 1;

    OomKill(Kernel kernel) {
        this.kernel = kernel;
    }

    public int oomKillAllocatingTask() {
        return oomKillAllocatingTask;
    }

    public void setOomKillAllocatingTask(int value) {
        oomKillAllocatingTask = value;
    }

    public int panicOnOom() {
        return panicOnOom;
    }

    /** 0..2 (the sysctl checks the range). */
    public void setPanicOnOom(int value) {
        if (value < 0 || value > 2) {
            throw new IllegalArgumentException("panic_on_oom " + value);
        }
        panicOnOom = value;
    }

    public int oomDumpTasks() {
        return oomDumpTasks;
    }

    public void setOomDumpTasks(int value) {
        oomDumpTasks = value;
    }

    /** totalpages of a global OOM: RAM plus swap. */
    public static long totalPages(Kernel k) {
        return k.mm().vmstat().totalramPages() + k.mm().swap().totalSwapPages();
    }

    /**
     * oom_badness(): rss + swap entries + page-table pages, plus oom_score_adj × (totalpages / 1000); LONG_MIN
     * (Long.MIN_VALUE) for a task the OOM killer never picks — kernel threads, init, oom_score_adj −1000, no
     * address space.
     */
    public static long oomBadness(Kernel k, Task t, long totalpages) {
        if (unkillable(t)) {
            return Long.MIN_VALUE;
        }
        Task leader = k.processes().leaderOf(t);
        MmStruct mm = findTaskMm(k, leader);
        if (mm == null) {
            return Long.MIN_VALUE;
        }
        long adj = leader.oomScoreAdj();
        if (adj == Processes.OOM_SCORE_ADJ_MIN) {
            return Long.MIN_VALUE;
        }
        long points = mm.rssPages() + mm.rss(MmStruct.MM_SWAPENTS) + mm.pgtablesBytes() / Page.PAGE_SIZE;
        return points + adj * (totalpages / 1000);
    }

    /** oom_unkillable_task(): init and kernel threads. */
    private static boolean unkillable(Task t) {
        return t.isKthread() || t.tgid() == Processes.INIT_PID;
    }

    /** find_lock_task_mm(): the address space of any thread of the process. */
    static MmStruct findTaskMm(Kernel k, Task leader) {
        if (leader.mm() != null) {
            return leader.mm();
        }
        for (int tid : leader.threads()) {
            Task th = k.tasks().get(tid);
            if (th != null && th.mm() != null) {
                return th.mm();
            }
        }
        return null;
    }

    /** out_of_memory() for the allocation described by {@code oc}, on behalf of the current task. */
    boolean outOfMemory(OomControl oc) {
        Task current = currentProcess();
        if (current != null && current.isOomVictim()) {
            return true;
        }
        if ((oc.gfpMask() & Gfp.__GFP_FS) == 0) {
            return true;
        }
        long totalpages = totalPages(kernel);
        if (panicOnOom != 0) {
            dumpHeader(oc, current, totalpages);
            kernel.panic(String.format("Out of memory: %s panic_on_oom is enabled",
                    panicOnOom == 2 ? "compulsory" : "system-wide"));
        }
        if (oomKillAllocatingTask != 0 && current != null && findTaskMm(kernel, current) != null
                && !unkillable(current) && current.oomScoreAdj() != Processes.OOM_SCORE_ADJ_MIN) {
            killProcess(oc, current, current, totalpages, "Out of memory (oom_kill_allocating_task)");
            return true;
        }
        Task chosen = null;
        long chosenPoints = Long.MIN_VALUE;
        for (Task p : kernel.tasks().all()) {
            if (!p.isLeader() || unkillable(p)) {
                continue;
            }
            if (p.isOomVictim()) {
                if (findTaskMm(kernel, p) != null) {
                    return true;
                }
                continue;
            }
            long points = oomBadness(kernel, p, totalpages);
            if (points == Long.MIN_VALUE || points < chosenPoints) {
                continue;
            }
            chosen = p;
            chosenPoints = points;
        }
        if (chosen == null) {
            dumpHeader(oc, current, totalpages);
            kernel.printk(KernelServices.KERN_WARNING, "Out of memory and no killable processes...");
            kernel.panic("System is deadlocked on memory");
        }
        killProcess(oc, current, chosen, totalpages, "Out of memory");
        return true;
    }

    /** The process of the task the simulation is working for, or null for the kernel itself. */
    private Task currentProcess() {
        Task t = kernel.tasks().get(kernel.currentPid());
        return t == null ? null : kernel.processes().leaderOf(t);
    }

    /** oom_kill_process() + __oom_kill_process(). */
    private void killProcess(OomControl oc, Task current, Task victim, long totalpages, String message) {
        if (oomRatelimit.allow(kernel.jiffies(), new int[1])) {
            dumpHeader(oc, current, totalpages);
            kernel.printk(KernelServices.KERN_INFO, String.format(
                    "oom-kill:constraint=%s,nodemask=(null),cpuset=/,mems_allowed=%s,global_oom,task_memcg=/,"
                            + "task=%s,pid=%d,uid=%d", CONSTRAINT_NONE, memsAllowed(), victim.comm(), victim.pid(),
                    victim.uid()));
        }
        MmStruct mm = findTaskMm(kernel, victim);
        kernel.mm().vmstat().countEvent(VmEvent.OOM_KILL, 1);
        kernel.printk(KernelServices.KERN_ERR, String.format("%s: Killed process %d (%s) total-vm:%dkB, "
                        + "anon-rss:%dkB, file-rss:%dkB, shmem-rss:%dkB, UID:%d pgtables:%dkB oom_score_adj:%d",
                message, victim.pid(), victim.comm(), k(mm.totalVm()), k(mm.rss(MmStruct.MM_ANONPAGES)),
                k(mm.rss(MmStruct.MM_FILEPAGES)), k(mm.rss(MmStruct.MM_SHMEMPAGES)), victim.uid(),
                mm.pgtablesBytes() >> 10, victim.oomScoreAdj()));
        victim.markOomVictim();
        if (!kernel.isCurrentTask(victim)) {
            kernel.processes().kill(victim, Processes.SIGKILL);
        }
    }

    /** dump_header(): the invoking task, the memory state and (oom_dump_tasks) the task table. */
    private void dumpHeader(OomControl oc, Task current, long totalpages) {
        kernel.printk(KernelServices.KERN_WARNING, String.format(
                "%s invoked oom-killer: gfp_mask=%#x(%s), order=%d, oom_score_adj=%d", kernel.currentComm(),
                oc.gfpMask(), Gfp.describe(oc.gfpMask()), oc.order(), current == null ? 0 : current.oomScoreAdj()));
        for (String line : ShowMem.showMem(kernel.mm(), Gfp.gfpZone(oc.gfpMask()).ordinal())) {
            kernel.printk(KernelServices.KERN_WARNING, line);
        }
        if (oomDumpTasks != 0) {
            dumpTasks();
        }
    }

    /** dump_tasks(): one line per killable process that still has an address space. */
    private void dumpTasks() {
        kernel.printk(KernelServices.KERN_INFO, "Tasks state (memory values in pages):");
        kernel.printk(KernelServices.KERN_INFO, "[  pid  ]   uid  tgid total_vm      rss rss_anon rss_file rss_shmem"
                + " pgtables_bytes swapents oom_score_adj name");
        for (Task p : kernel.tasks().all()) {
            if (!p.isLeader() || unkillable(p)) {
                continue;
            }
            MmStruct mm = findTaskMm(kernel, p);
            if (mm == null) {
                continue;
            }
            kernel.printk(KernelServices.KERN_INFO, String.format(
                    "[%7d] %5d %5d %8d %8d %8d %8d %9d %8d %8d         %5d %s", p.pid(), p.uid(), p.tgid(),
                    mm.totalVm(), mm.rssPages(), mm.rss(MmStruct.MM_ANONPAGES), mm.rss(MmStruct.MM_FILEPAGES),
                    mm.rss(MmStruct.MM_SHMEMPAGES), mm.pgtablesBytes(), mm.rss(MmStruct.MM_SWAPENTS),
                    p.oomScoreAdj(), p.comm()));
        }
    }

    /** cpuset_print_current_mems_allowed(): every node with memory, as a %*pbl list. */
    private String memsAllowed() {
        int nodes = kernel.mm().nrNodes();
        return nodes == 1 ? "0" : "0-" + (nodes - 1);
    }

    private static long k(long pages) {
        return pages << (Page.PAGE_SHIFT - 10);
    }
}
