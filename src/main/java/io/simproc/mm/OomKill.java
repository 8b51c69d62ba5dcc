package io.simproc.mm;

import io.simproc.uapi.Page;

import java.util.ArrayList;
import java.util.List;

/**
 * The OOM killer of mm/oom_kill.c for a global (unconstrained) OOM: {@link #oomBadness} — the one badness both the
 * killer and /proc/PID/oom_score use — {@code select_bad_process} (highest points wins, ties go to the later task,
 * kernel threads, init and oom_score_adj −1000 never), {@code oom_kill_allocating_task}, {@code panic_on_oom}, the
 * report in the log (dump_header's invoking-task line, Mem-Info, the task table, the oom-kill summary and the
 * "Killed process" line) and the kill itself: SIGKILL, oom_kill in vmstat, and the victim's memory freed through
 * exit — at once for another process, when it leaves the kernel for the allocating task itself (it is marked an OOM
 * victim and may use the reserves meanwhile).
 *
 * <p>The kernel supplies the processes ({@link KernelServices#oomProcesses}, in pid order: for_each_process's
 * creation order, as long as pids have not wrapped), current, the kill and the panic. The page allocator raises an
 * OOM through {@link KernelServices#outOfMemory}, which the kernel answers with {@link #outOfMemory}: a machine
 * without tasks (the memory manager's unit tests) declines it there.
 *
 * <p>A charge over a memory cgroup's limit that reclaim cannot satisfy raises a memcg OOM instead
 * ({@link #memcgOutOfMemory}, mem_cgroup_out_of_memory()): CONSTRAINT_MEMCG, the victim chosen among the group's
 * tasks with the group's memory.max plus its swap as totalpages, the group's usage and memory.stat in the report,
 * panic only with panic_on_oom=2, no panic when the group has nothing to kill. With memory.oom.group set on the
 * victim's group (or an ancestor up to the OOMing one), every task in that group is killed. There is no cpuset
 * controller: every task is in the root cpuset.
 */
public final class OomKill {
    public static final String CONSTRAINT_NONE = "CONSTRAINT_NONE";
    public static final String CONSTRAINT_MEMCG = "CONSTRAINT_MEMCG";
    /** OOM_SCORE_ADJ_MIN and OOM_SCORE_ADJ_MAX of include/uapi/linux/oom.h. */
    public static final int OOM_SCORE_ADJ_MIN = -1000;
    public static final int OOM_SCORE_ADJ_MAX = 1000;

    private final MemoryManager mm;
    /** oom_rs: DEFAULT_RATELIMIT_INTERVAL, DEFAULT_RATELIMIT_BURST for the report. */
    private final Ratelimit oomRatelimit = new Ratelimit(Ratelimit.DEFAULT_INTERVAL_SECONDS * KernelServices.HZ,
            Ratelimit.DEFAULT_BURST);
    private int oomKillAllocatingTask;
    private int panicOnOom;
    private int oomDumpTasks = 1;

    OomKill(MemoryManager mm) {
        this.mm = mm;
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
    public long totalPages() {
        return mm.vmstat().totalramPages() + mm.swap().totalSwapPages();
    }

    /**
     * oom_badness(): rss + swap entries + page-table pages, plus oom_score_adj × (totalpages / 1000); LONG_MIN
     * (Long.MIN_VALUE) for a task the OOM killer never picks — kernel threads, init, oom_score_adj −1000, no
     * address space.
     */
    public static long oomBadness(OomTask p, long totalpages) {
        if (p.isUnkillable()) {
            return Long.MIN_VALUE;
        }
        MmStruct m = p.findTaskMm();
        if (m == null) {
            return Long.MIN_VALUE;
        }
        long adj = p.oomScoreAdj();
        if (adj == OOM_SCORE_ADJ_MIN) {
            return Long.MIN_VALUE;
        }
        long points = m.rssPages() + m.rss(MmStruct.MM_SWAPENTS) + m.pgtablesBytes() / Page.PAGE_SIZE;
        return points + adj * (totalpages / 1000);
    }

    /**
     * out_of_memory() for the allocation described by {@code oc}, on behalf of the current task. Returns whether
     * the allocator should retry (a process was killed or is already dying, or the OOM killer may not act for this
     * request).
     */
    public boolean outOfMemory(OomControl oc) {
        mm.assertWriter();
        KernelServices k = mm.services();
        OomTask current = k.oomCurrent();
        if (current != null && current.isOomVictim()) {
            return true;
        }
        if ((oc.gfpMask() & Gfp.__GFP_FS) == 0) {
            return true;
        }
        long totalpages = totalPages();
        if (panicOnOom != 0) {
            dumpHeader(oc, current, totalpages);
            k.panic(String.format("Out of memory: %s panic_on_oom is enabled",
                    panicOnOom == 2 ? "compulsory" : "system-wide"));
            return false;
        }
        if (oomKillAllocatingTask != 0 && current != null && current.findTaskMm() != null
                && !current.isUnkillable() && current.oomScoreAdj() != OOM_SCORE_ADJ_MIN) {
            killProcess(oc, current, current, totalpages, "Out of memory (oom_kill_allocating_task)");
            return true;
        }
        return selectAndKill(oc, current, totalpages, "Out of memory");
    }

    /**
     * mem_cgroup_out_of_memory(): {@code memcg} is at its limit and reclaim could not make room for a request of
     * 2^order pages (a charge, or a lower memory.max). Returns whether a task of the group was killed or is already
     * dying (the caller retries).
     */
    public boolean memcgOutOfMemory(MemCgroup memcg, int gfp, int order) {
        mm.assertWriter();
        KernelServices k = mm.services();
        OomTask current = k.oomCurrent();
        if (current != null && current.isOomVictim()) {
            return true;
        }
        OomControl oc = new OomControl(gfp, order, memcg);
        long totalpages = memcgTotalPages(memcg);
        if (panicOnOom == 2) {
            dumpHeader(oc, current, totalpages);
            k.panic("Out of memory: compulsory panic_on_oom is enabled");
            return false;
        }
        return selectAndKill(oc, current, totalpages, "Memory cgroup out of memory");
    }

    /**
     * mem_cgroup_get_max(): the group's memory limit plus the swap it may use — on cgroup v2 its swap.max, on v1
     * what its memsw limit leaves above the memory limit, none for a v1 group whose swappiness is 0.
     */
    long memcgTotalPages(MemCgroup memcg) {
        if (mm.memcontrol().memswAccount()) {
            long max = memcg.memory.max;
            if (mm.memcontrol().swappiness(memcg) != 0) {
                max += Math.min(memcg.memsw.max - max, mm.swap().totalSwapPages());
            }
            return max;
        }
        return memcg.memory.max + Math.min(memcg.swap.max, mm.swap().totalSwapPages());
    }

    /**
     * select_bad_process() (every process, or mem_cgroup_scan_tasks() over the OOMing group's) and
     * oom_kill_process(); a live victim of an earlier kill aborts the selection. No candidate: the report, and a
     * panic unless the OOM is a group's.
     */
    private boolean selectAndKill(OomControl oc, OomTask current, long totalpages, String message) {
        KernelServices k = mm.services();
        OomTask chosen = null;
        long chosenPoints = Long.MIN_VALUE;
        for (OomTask p : tasksOf(oc.memcg())) {
            if (p.isUnkillable()) {
                continue;
            }
            if (p.isOomVictim()) {
                if (p.findTaskMm() != null) {
                    return true;
                }
                continue;
            }
            long points = oomBadness(p, totalpages);
            if (points == Long.MIN_VALUE || points < chosenPoints) {
                continue;
            }
            chosen = p;
            chosenPoints = points;
        }
        if (chosen == null) {
            dumpHeader(oc, current, totalpages);
            k.printk(KernelServices.KERN_WARNING, "Out of memory and no killable processes...");
            if (!oc.isMemcgOom()) {
                k.panic("System is deadlocked on memory");
            }
            return false;
        }
        killProcess(oc, current, chosen, totalpages, message);
        return true;
    }

    /** The processes the OOM killer may choose from: all of them, or those whose address space is in the group. */
    private List<OomTask> tasksOf(MemCgroup memcg) {
        List<OomTask> all = mm.services().oomProcesses();
        if (memcg == null) {
            return all;
        }
        List<OomTask> in = new ArrayList<>();
        for (OomTask p : all) {
            MmStruct m = p.findTaskMm();
            if (m != null && mm.memcontrol().mmMemcg(m).isDescendant(memcg)) {
                in.add(p);
            }
        }
        return in;
    }

    /**
     * oom_kill_process(): the report (rate-limited), then the kill; with memory.oom.group set on the victim's group
     * or an ancestor up to the OOM's domain (mem_cgroup_get_oom_group()), every other killable task of the highest
     * such group is killed too.
     */
    private void killProcess(OomControl oc, OomTask current, OomTask victim, long totalpages, String message) {
        KernelServices k = mm.services();
        MemCgroup taskMemcg = mm.memcontrol().mmMemcg(victim.findTaskMm());
        if (oomRatelimit.allow(k.jiffies(), new int[1])) {
            dumpHeader(oc, current, totalpages);
            String context = oc.isMemcgOom() ? "oom_memcg=" + oc.memcg().path() : "global_oom";
            k.printk(KernelServices.KERN_INFO, String.format(
                    "oom-kill:constraint=%s,nodemask=(null),cpuset=/,mems_allowed=%s,%s,task_memcg=%s,"
                            + "task=%s,pid=%d,uid=%d", oc.isMemcgOom() ? CONSTRAINT_MEMCG : CONSTRAINT_NONE,
                    memsAllowed(), context, taskMemcg.path(), victim.comm(), victim.pid(), victim.uid()));
        }
        MemCgroup oomGroup = oomGroup(taskMemcg, oc.isMemcgOom() ? oc.memcg() : mm.memcontrol().root());
        killOne(victim, message);
        if (oomGroup != null) {
            mm.memcontrol().memoryEvent(oomGroup, MemcgEvent.OOM_GROUP_KILL);
            k.printk(KernelServices.KERN_INFO, "Tasks in " + oomGroup.path()
                    + " are going to be killed due to memory.oom.group set");
            for (OomTask p : tasksOf(oomGroup)) {
                if (!p.isUnkillable() && !p.isOomVictim() && p.oomScoreAdj() != OOM_SCORE_ADJ_MIN) {
                    killOne(p, message);
                }
            }
        }
    }

    /** mem_cgroup_get_oom_group(): the highest group from the victim's up to the OOM domain with oom.group set. */
    private static MemCgroup oomGroup(MemCgroup taskMemcg, MemCgroup domain) {
        if (!taskMemcg.isDescendant(domain)) {
            return null;
        }
        MemCgroup found = null;
        for (MemCgroup m = taskMemcg; m != null; m = m.parent) {
            if (m.oomGroup) {
                found = m;
            }
            if (m == domain) {
                break;
            }
        }
        return found;
    }

    /** __oom_kill_process(): oom_kill in vmstat and in the victim's group's memory.events, the line, SIGKILL. */
    private void killOne(OomTask victim, String message) {
        KernelServices k = mm.services();
        MmStruct m = victim.findTaskMm();
        mm.vmstat().countEvent(VmEvent.OOM_KILL, 1);
        mm.memcontrol().memoryEvent(mm.memcontrol().mmMemcg(m), MemcgEvent.OOM_KILL);
        k.printk(KernelServices.KERN_ERR, String.format("%s: Killed process %d (%s) total-vm:%dkB, "
                        + "anon-rss:%dkB, file-rss:%dkB, shmem-rss:%dkB, UID:%d pgtables:%dkB oom_score_adj:%d",
                message, victim.pid(), victim.comm(), kb(m.totalVm()), kb(m.rss(MmStruct.MM_ANONPAGES)),
                kb(m.rss(MmStruct.MM_FILEPAGES)), kb(m.rss(MmStruct.MM_SHMEMPAGES)), victim.uid(),
                m.pgtablesBytes() >> 10, victim.oomScoreAdj()));
        k.oomKillProcess(victim);
    }

    /**
     * dump_header(): the invoking task, the memory state — the machine's (show_mem), or for a memcg OOM the group's
     * counters and memory.stat (mem_cgroup_print_oom_meminfo()) — and (oom_dump_tasks) the task table.
     */
    private void dumpHeader(OomControl oc, OomTask current, long totalpages) {
        KernelServices k = mm.services();
        k.printk(KernelServices.KERN_WARNING, String.format(
                "%s invoked oom-killer: gfp_mask=%#x(%s), order=%d, oom_score_adj=%d", k.currentComm(),
                oc.gfpMask(), Gfp.describe(oc.gfpMask()), oc.order(), current == null ? 0 : current.oomScoreAdj()));
        if (oc.isMemcgOom()) {
            printOomMeminfo(oc.memcg());
        } else {
            for (String line : ShowMem.showMem(mm, Gfp.gfpZone(oc.gfpMask()).ordinal())) {
                k.printk(KernelServices.KERN_WARNING, line);
            }
        }
        if (oomDumpTasks != 0) {
            dumpTasks(oc.memcg());
        }
    }

    /**
     * mem_cgroup_print_oom_meminfo(): the group's counters — memory and swap on cgroup v2; memory, memory+swap and
     * kmem on v1 — and its memory.stat in the hierarchy's format.
     */
    private void printOomMeminfo(MemCgroup memcg) {
        KernelServices k = mm.services();
        boolean v1 = mm.memcontrol().memswAccount();
        k.printk(KernelServices.KERN_INFO, counterLine("memory", memcg.memory));
        if (v1) {
            k.printk(KernelServices.KERN_INFO, counterLine("memory+swap", memcg.memsw));
            k.printk(KernelServices.KERN_INFO, counterLine("kmem", memcg.kmem));
        } else {
            k.printk(KernelServices.KERN_INFO, counterLine("swap", memcg.swap));
        }
        k.printk(KernelServices.KERN_INFO, "Memory cgroup stats for " + memcg.path() + ":");
        for (String line : v1 ? Memcg1Stat.format(memcg) : MemcgStat.format(memcg)) {
            k.printk(KernelServices.KERN_INFO, line);
        }
    }

    private static String counterLine(String name, PageCounter c) {
        return String.format("%s: usage %dkB, limit %dkB, failcnt %d", name, kb(c.usage()), kb(c.max()),
                c.failcnt());
    }

    /** dump_tasks(): one line per killable process (of the OOMing group) that still has an address space. */
    private void dumpTasks(MemCgroup memcg) {
        KernelServices k = mm.services();
        k.printk(KernelServices.KERN_INFO, "Tasks state (memory values in pages):");
        k.printk(KernelServices.KERN_INFO, "[  pid  ]   uid  tgid total_vm      rss rss_anon rss_file rss_shmem"
                + " pgtables_bytes swapents oom_score_adj name");
        for (OomTask p : tasksOf(memcg)) {
            if (p.isUnkillable()) {
                continue;
            }
            MmStruct m = p.findTaskMm();
            if (m == null) {
                continue;
            }
            k.printk(KernelServices.KERN_INFO, String.format(
                    "[%7d] %5d %5d %8d %8d %8d %8d %9d %8d %8d         %5d %s", p.pid(), p.uid(), p.tgid(),
                    m.totalVm(), m.rssPages(), m.rss(MmStruct.MM_ANONPAGES), m.rss(MmStruct.MM_FILEPAGES),
                    m.rss(MmStruct.MM_SHMEMPAGES), m.pgtablesBytes(), m.rss(MmStruct.MM_SWAPENTS),
                    p.oomScoreAdj(), p.comm()));
        }
    }

    /** cpuset_print_current_mems_allowed(): every node with memory, as a %*pbl list. */
    private String memsAllowed() {
        int nodes = mm.nrNodes();
        return nodes == 1 ? "0" : "0-" + (nodes - 1);
    }

    private static long kb(long pages) {
        return pages << (Page.PAGE_SHIFT - 10);
    }
}
