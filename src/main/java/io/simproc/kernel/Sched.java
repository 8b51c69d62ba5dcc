package io.simproc.kernel;

import io.simproc.block.DiskStats;
import io.simproc.block.Gendisk;
import io.simproc.mm.MemoryManager;
import io.simproc.mm.NodeStatItem;
import io.simproc.mm.PgData;
import io.simproc.mm.VmEvent;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * What the scheduler knows of the tasks' work (kernel/sched/core.c, kernel/sched/loadavg.c, kernel/sched/psi.c):
 * how long each piece of work a task does takes and in which state it spends it — running (R), reclaiming memory on
 * the CPU (R inside a memory stall), waiting for the disk (D, in iowait), waiting for a page that was evicted while
 * in use (D, iowait and memory stall). From that come the states /proc/PID/stat and status show, procs_running
 * and procs_blocked, the load average and pressure stall information.
 *
 * <p>The simulation does the work of a system call at one instant; {@link #work} measures what it cost from the
 * counters the memory manager keeps anyway (the task's CPU time, pages scanned and reclaimed by direct reclaim,
 * pfns scanned and pages migrated by direct compaction, the time the disks spend serving the reads it submitted and
 * how many of the pages were refaults) — once per call, never per page — and lays the time out after the call, or
 * after the task's previous work if it is still busy. kswapd and kcompactd get the time of their scanning the same
 * way, once a tick. The cost of each unit is a property of this model, not of the kernel (the disk's is the block
 * layer's service time); docs/DESIGN.md ("Task states, load and pressure") lists them.
 */
public final class Sched {
    /** Direct reclaim: CPU time per page scanned and per page reclaimed (shrink_folio_list() and its rmap walks). */
    static final long SCAN_PAGE_NANOS = 300;
    static final long RECLAIM_PAGE_NANOS = 700;
    /** Compaction: CPU time per pfn either scanner looks at, and per page migrated (copy and remap). */
    static final long COMPACT_SCAN_NANOS = 40;
    static final long MIGRATE_PAGE_NANOS = 2_000;
    /** balance_dirty_pages()'s longest pause (MAX_PAUSE, HZ / 5). */
    static final long MAX_PAUSE_NANOS = 200_000_000L;
    /**
     * A task asked for more work than time allows is busy all the time; what it is asked beyond this backlog is not
     * queued (the simulation has done the work already; its time would only pile up).
     */
    static final long MAX_BACKLOG_NANOS = 1_000_000_000L;

    private final Kernel kernel;
    private Psi psi;
    /** The cgroups' psi groups. */
    private final CgroupPsi cgroupPsi;
    /** Tasks with work queued, in the order they first got some (a fixed order: determinism). */
    private final Set<Task> active = new LinkedHashSet<>();
    private Section open;
    private int depth;
    private long lastKswapdScan;
    private long lastKswapdSteal;
    private long lastKcompactdScan;
    private long lastKsmdNanos;
    /** zram's compression and decompression time charged so far, to tasks' work or to kswapd. */
    private long zramCharged;
    private long lastKhugepagedNanos;
    /** calc_load_update: the jiffy at which the active tasks are next counted. */
    private long calcLoadUpdate;
    private long calcLoadTasks;

    Sched(Kernel kernel) {
        this.kernel = kernel;
        this.psi = new Psi(kernel.profile().nrCpus(), 0);
        this.cgroupPsi = new CgroupPsi(kernel, this);
    }

    /** The pressure stall information of the cgroups. */
    public CgroupPsi cgroupPsi() {
        return cgroupPsi;
    }

    /** Start the timers of the load average and the psi averaging. */
    void start() {
        psi = new Psi(kernel.profile().nrCpus(), kernel.clock().nanos());
        calcLoadUpdate = kernel.jiffies() + LoadAvg.LOAD_FREQ;
        kernel.schedule(calcLoadUpdate - kernel.jiffies(), this::calcGlobalLoadTick);
        kernel.schedule(psi.firstWorkDelayJiffies(kernel.clock().nanos()), this::psiAvgsWork);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Work

    /** The counters one piece of work is measured by, at its start. */
    private final class Section {
        final Task task;
        final long cpu;
        final long scanned;
        final long reclaimed;
        /** Pages scanned and reclaimed by cgroup reclaim (a charge over memory.max or memory.high). */
        final long memcgScanned;
        final long memcgReclaimed;
        final long compactScanned;
        final long migrated;
        /** Per disk, the read requests started and its time serving reads so far (block layer's service time). */
        final long[] diskRequests;
        final long[] diskService;
        /** Refaults of pages that were in the workingset when evicted (workingset_restore_*). */
        final long restores;
        /** zram's CPU time so far storing pages (reclaim) and reading them back (swap-ins). */
        final long zramWrite;
        final long zramRead;
        long throttledNanos;
        /** memory.high's penalty slept on the way back to user space. */
        long highThrottledNanos;

        Section(Task task) {
            MemoryManager mm = kernel.mm();
            this.task = task;
            this.cpu = task.utimeNanos + task.stimeNanos;
            this.scanned = mm.vmstat().event(VmEvent.PGSCAN_DIRECT);
            this.reclaimed = mm.vmstat().event(VmEvent.PGSTEAL_DIRECT);
            this.memcgScanned = mm.memcgReclaim().scanned();
            this.memcgReclaimed = mm.memcgReclaim().reclaimed();
            this.compactScanned = mm.vmstat().event(VmEvent.COMPACT_MIGRATE_SCANNED)
                    + mm.vmstat().event(VmEvent.COMPACT_FREE_SCANNED);
            this.migrated = mm.vmstat().event(VmEvent.PGMIGRATE_SUCCESS);
            List<Gendisk> disks = mm.blockDevices().disks();
            this.diskRequests = new long[disks.size()];
            this.diskService = new long[disks.size()];
            for (int i = 0; i < disks.size(); i++) {
                diskRequests[i] = disks.get(i).part0().stats().ios(DiskStats.STAT_READ);
                diskService[i] = disks.get(i).readServiceNs();
            }
            this.restores = workingsetRestores(mm);
            this.zramWrite = mm.zram() == null ? 0 : mm.zram().writeNanos();
            this.zramRead = mm.zram() == null ? 0 : mm.zram().readNanos();
        }
    }

    /**
     * Refaulted pages that get PG_workingset back (mm/workingset.c: workingset_refault() sets it only when the page
     * was in the workingset when it was evicted, counting workingset_restore_*): the ones whose read is waited for in
     * a memory stall.
     */
    private static long zramWriteNanos(MemoryManager mm) {
        return mm.zram() == null ? 0 : mm.zram().writeNanos();
    }

    private static long workingsetRestores(MemoryManager mm) {
        return mm.vmstat().globalNodeState(NodeStatItem.WORKINGSET_RESTORE_FILE)
                + mm.vmstat().globalNodeState(NodeStatItem.WORKINGSET_RESTORE_ANON);
    }

    /**
     * Run {@code body}, a piece of work task {@code t} does (a system call, its loads and stores), and queue the time
     * it takes. Nested work counts as part of the outermost.
     */
    public <T> T work(Task t, Supplier<T> body) {
        assert kernel.isWriter();
        if (depth++ > 0) {
            try {
                return body.get();
            } finally {
                depth--;
            }
        }
        open = new Section(t);
        try {
            return body.get();
        } finally {
            depth--;
            Section s = open;
            open = null;
            account(s);
        }
    }

    /** balance_dirty_pages(): the writer of the open work sleeps for {@code nanos} (at most MAX_PAUSE). */
    void throttle(Task t, long nanos) {
        if (open != null && open.task == t) {
            open.throttledNanos += Math.min(MAX_PAUSE_NANOS, nanos);
        }
    }

    private void account(Section s) {
        Task t = s.task;
        if (kernel.tasks().get(t.pid()) != t || t.state() == Task.State.ZOMBIE || t.state() == Task.State.DEAD) {
            return;
        }
        MemoryManager mm = kernel.mm();
        long reclaim = (mm.vmstat().event(VmEvent.PGSCAN_DIRECT) - s.scanned) * SCAN_PAGE_NANOS
                + (mm.vmstat().event(VmEvent.PGSTEAL_DIRECT) - s.reclaimed) * RECLAIM_PAGE_NANOS
                + (mm.memcgReclaim().scanned() - s.memcgScanned) * SCAN_PAGE_NANOS
                + (mm.memcgReclaim().reclaimed() - s.memcgReclaimed) * RECLAIM_PAGE_NANOS
                + (mm.vmstat().event(VmEvent.COMPACT_MIGRATE_SCANNED) + mm.vmstat().event(VmEvent.COMPACT_FREE_SCANNED)
                    - s.compactScanned) * COMPACT_SCAN_NANOS
                + (mm.vmstat().event(VmEvent.PGMIGRATE_SUCCESS) - s.migrated) * MIGRATE_PAGE_NANOS
                + (zramWriteNanos(mm) - s.zramWrite);
        zramCharged += zramWriteNanos(mm) - s.zramWrite;
        long zramRead = mm.zram() == null ? 0 : mm.zram().readNanos() - s.zramRead;
        if (zramRead > 0) {
            t.stimeNanos += zramRead;
            kernel.cpuStat().charge(t.cpu(), CpuStat.Usage.SYSTEM, zramRead);
        }
        if (reclaim > 0) {
            t.stimeNanos += reclaim;
            kernel.cpuStat().charge(t.cpu(), CpuStat.Usage.SYSTEM, reclaim);
        }
        long cpu = t.utimeNanos + t.stimeNanos - s.cpu - reclaim;
        long now = kernel.clock().nanos();
        // The task waits while the disks serve the reads it submitted (readahead, swap_read_folio()): their service
        // time in the block layer, the longest disk's when it read from several. Only a request that brings back a
        // page with PG_workingset is waited for in a memory stall (mm/filemap.c: folio_wait_bit_common() enters
        // psi_memstall_enter() for a locked, not uptodate workingset folio; mm/page_io.c: swap_read_folio() for a
        // workingset folio); a refault the workingset did not restore is plain iowait. So much of the read time is
        // thrashing as there are requests with a restored page, each restore counted in one of them.
        long read = 0;
        long requests = 0;
        List<Gendisk> disks = mm.blockDevices().disks();
        for (int i = 0; i < s.diskService.length; i++) {
            read = Math.max(read, disks.get(i).readServiceNs() - s.diskService[i]);
            requests += disks.get(i).part0().stats().ios(DiskStats.STAT_READ) - s.diskRequests[i];
        }
        long restored = workingsetRestores(mm) - s.restores;
        long thrashing = restored == 0 ? 0 : requests == 0 ? read : read * Math.min(requests, restored) / requests;
        long iowait = read - thrashing + s.throttledNanos;
        if (read + s.throttledNanos > 0) {
            kernel.cpuStat().charge(t.cpu(), CpuStat.Usage.IOWAIT, read + s.throttledNanos);
        }
        TaskActivity a = activity(t);
        long at = Math.max(now, a.busyUntil());
        if (at > now + MAX_BACKLOG_NANOS) {
            return;
        }
        if (at == now && cpu + reclaim + thrashing + iowait + s.highThrottledNanos > 0) {
            switches(t, 1);
        }
        at = a.append(at, cpu, TaskActivity.Kind.RUNNING);
        at = a.append(at, reclaim, TaskActivity.Kind.RECLAIM);
        if (thrashing > 0) {
            switches(t, 1);
        }
        at = a.append(at, thrashing, TaskActivity.Kind.THRASHING);
        if (iowait > 0) {
            switches(t, 1);
        }
        at = a.append(at, iowait, TaskActivity.Kind.IOWAIT);
        if (s.highThrottledNanos > 0) {
            switches(t, 1);
        }
        a.append(at, s.highThrottledNanos, TaskActivity.Kind.HIGH_THROTTLED);
    }

    /**
     * memory.high's penalty: task {@code t} sleeps {@code nanos} in D state inside a memory stall — after the rest of
     * its open work, or, outside any, after what it has queued.
     */
    void memstallSleep(Task t, long nanos) {
        if (open != null && open.task == t) {
            open.highThrottledNanos += nanos;
            return;
        }
        TaskActivity a = activity(t);
        long now = kernel.clock().nanos();
        long at = Math.max(now, a.busyUntil());
        if (at > now + MAX_BACKLOG_NANOS) {
            return;
        }
        switches(t, 1);
        a.append(at, nanos, TaskActivity.Kind.HIGH_THROTTLED);
    }

    /** A task going to sleep and being woken: one voluntary switch for it, two for its CPU. */
    private void switches(Task t, int sleeps) {
        t.voluntaryCtxt += sleeps;
        kernel.cpuStat().countContextSwitches(2L * sleeps);
    }

    private TaskActivity activity(Task t) {
        if (t.activity == null) {
            t.activity = new TaskActivity();
        }
        active.add(t);
        return t.activity;
    }

    /** do_exit(): the task's queued work ends now. */
    void exit(Task t) {
        if (t.activity != null) {
            t.activity.truncate(kernel.clock().nanos());
        }
    }

    /**
     * After every timer and command: kswapd and kcompactd do their scanning in timers of their own; their time, from
     * the scan and reclaim counters since the last look, goes to the threads as work in a memory stall (kswapd's
     * balance_pgdat() and kcompactd's compaction run inside psi_memstall_enter()), charged as system time. ksmd's
     * time, from the pages it scanned and merged ({@code Ksm.cpuNanos()}), is system time on the CPU, not a stall;
     * so is khugepaged's: the PTEs it scanned and pages it copied ({@code Khugepaged.cpuNanos()}) and the reclaim
     * its allocations ran (pgscan/pgsteal_khugepaged). zram's compression time ({@code Zram.writeNanos()}) is
     * reclaim's: the work's of the task in direct reclaim (in its memory stall) or else kswapd's; its decompression
     * time is the faulting task's system time on the CPU (a swap-in from zram waits for no device).
     */
    void kthreadsRan() {
        MemoryManager mm = kernel.mm();
        long scan = mm.vmstat().event(VmEvent.PGSCAN_KSWAPD);
        long steal = mm.vmstat().event(VmEvent.PGSTEAL_KSWAPD);
        long cscan = mm.vmstat().event(VmEvent.COMPACT_DAEMON_MIGRATE_SCANNED)
                + mm.vmstat().event(VmEvent.COMPACT_DAEMON_FREE_SCANNED);
        long zram = zramWriteNanos(mm);
        long kswapd = (scan - lastKswapdScan) * SCAN_PAGE_NANOS + (steal - lastKswapdSteal) * RECLAIM_PAGE_NANOS
                + zram - zramCharged;
        zramCharged = zram;
        long kcompactd = (cscan - lastKcompactdScan) * COMPACT_SCAN_NANOS;
        lastKswapdScan = scan;
        lastKswapdSteal = steal;
        lastKcompactdScan = cscan;
        if (kswapd > 0) {
            kthreadWork("kswapd", kswapd);
        }
        if (kcompactd > 0) {
            kthreadWork("kcompactd", kcompactd);
        }
        long ksmdNanos = mm.ksm().cpuNanos();
        if (ksmdNanos > lastKsmdNanos) {
            kthreadWork("ksmd", ksmdNanos - lastKsmdNanos);
        }
        lastKsmdNanos = ksmdNanos;
        long khugepagedNanos = mm.khugepaged().cpuNanos()
                + mm.vmstat().event(VmEvent.PGSCAN_KHUGEPAGED) * SCAN_PAGE_NANOS
                + mm.vmstat().event(VmEvent.PGSTEAL_KHUGEPAGED) * RECLAIM_PAGE_NANOS;
        if (khugepagedNanos > lastKhugepagedNanos) {
            kthreadWork("khugepaged", khugepagedNanos - lastKhugepagedNanos);
        }
        lastKhugepagedNanos = khugepagedNanos;
    }

    /**
     * Share {@code nanos} of reclaim among the per-node threads {@code prefix}N, the running ones if any (ksmd and
     * khugepaged, one thread each, do their scanning on the CPU, outside a memory stall).
     */
    private void kthreadWork(String prefix, long nanos) {
        List<Task> threads = new ArrayList<>();
        List<Task> running = new ArrayList<>();
        boolean single = prefix.equals("ksmd") || prefix.equals("khugepaged");
        for (Task t : kernel.tasks().all()) {
            if (t.isKthread() && single && t.comm().equals(prefix)) {
                threads.add(t);
            } else if (t.isKthread() && !single && t.comm().startsWith(prefix) && t.comm().length() > prefix.length()
                    && Character.isDigit(t.comm().charAt(prefix.length()))) {
                threads.add(t);
                PgData node = nodeOf(t, prefix);
                if (node != null && prefix.equals("kswapd") && kernel.mm().kswapd().isRunning(node)) {
                    running.add(t);
                }
            }
        }
        List<Task> share = running.isEmpty() ? threads : running;
        if (share.isEmpty()) {
            return;
        }
        long each = nanos / share.size();
        long now = kernel.clock().nanos();
        for (Task t : share) {
            t.stimeNanos += each;
            kernel.cpuStat().charge(t.cpu(), CpuStat.Usage.SYSTEM, each);
            TaskActivity a = activity(t);
            long at = Math.max(now, a.busyUntil());
            if (at > now + MAX_BACKLOG_NANOS) {
                continue;
            }
            if (at == now) {
                switches(t, 1);
            }
            a.append(at, each, single ? TaskActivity.Kind.RUNNING : TaskActivity.Kind.RECLAIM);
        }
    }

    private PgData nodeOf(Task t, String prefix) {
        int nid = Integer.parseInt(t.comm().substring(prefix.length()));
        return nid < kernel.mm().nodes().size() ? kernel.mm().nodes().get(nid) : null;
    }

    // ---------------------------------------------------------------------------------------------------------
    // States

    /** The task's state as /proc shows it now: its lifecycle state, or R or D while it works. */
    public Task.State state(Task t) {
        Task.State base = t.state();
        if (base != Task.State.SLEEPING || t.activity == null) {
            return base;
        }
        TaskActivity.Kind k = t.activity.at(kernel.clock().nanos());
        if (k == null) {
            return base;
        }
        return k.running ? Task.State.RUNNING : Task.State.DISK_SLEEP;
    }

    /**
     * Whether the task is asleep in memory.high's penalty now: it does nothing in user space until it wakes, so a
     * program's own pace (a scenario's rated workload) waits for it.
     */
    public boolean throttledOverHigh(Task t) {
        return t.activity != null && t.activity.at(kernel.clock().nanos()) == TaskActivity.Kind.HIGH_THROTTLED;
    }

    /** nr_running(): tasks in state R. */
    public int nrRunning() {
        return count(true, false);
    }

    /** The tasks in uninterruptible sleep (D), which the load average counts with the running ones. */
    public int nrUninterruptible() {
        return count(false, false);
    }

    /** nr_iowait(): tasks waiting for I/O (procs_blocked). */
    public int nrIowait() {
        return count(false, true);
    }

    private int count(boolean running, boolean iowait) {
        long now = kernel.clock().nanos();
        int n = 0;
        for (Task t : kernel.tasks().all()) {
            Task.State base = t.state();
            if (base != Task.State.SLEEPING || t.activity == null) {
                if (running ? base == Task.State.RUNNING : !iowait && base == Task.State.DISK_SLEEP) {
                    n++;
                }
                continue;
            }
            TaskActivity.Kind k = t.activity.at(now);
            if (k != null && (running ? k.running : !k.running && (!iowait || k.iowait))) {
                n++;
            }
        }
        return n;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Load average

    /** calc_global_load_tick(): at calc_load_update the CPUs count their running and uninterruptible tasks. */
    private void calcGlobalLoadTick() {
        calcLoadTasks = nrRunning() + nrUninterruptible();
        kernel.schedule(10, this::calcGlobalLoad);
    }

    /** calc_global_load(): ten ticks later the count is folded into avenrun. */
    private void calcGlobalLoad() {
        kernel.loadAvg().update(calcLoadTasks);
        calcLoadUpdate += LoadAvg.LOAD_FREQ;
        kernel.schedule(calcLoadUpdate - kernel.jiffies(), this::calcGlobalLoadTick);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Pressure

    /**
     * psi_avgs_work() of the system group; every cgroup's group integrates up to now too (its own work averages),
     * then what has been integrated is forgotten.
     */
    private void psiAvgsWork() {
        long now = kernel.clock().nanos();
        long delay = psi.avgsWork(now, stretchesByCpu(null));
        cgroupPsi.integrate(now);
        for (Iterator<Task> it = active.iterator(); it.hasNext(); ) {
            Task t = it.next();
            t.activity.expire(now);
            if (t.activity.isEmpty()) {
                it.remove();
            }
        }
        kernel.schedule(delay, this::psiAvgsWork);
    }

    /** The work stretches of the active tasks by CPU: all of them, or those of {@code cgrp}'s subtree. */
    List<List<TaskActivity.Stretch>> stretchesByCpu(Cgroup cgrp) {
        List<List<TaskActivity.Stretch>> byCpu = new ArrayList<>();
        for (int cpu = 0; cpu < psi.nrCpus(); cpu++) {
            byCpu.add(new ArrayList<>());
        }
        for (Task t : active) {
            if (cgrp != null && !CgroupMigrate.isDescendant(t.cgroup, cgrp)) {
                continue;
            }
            for (TaskActivity.Stretch s : t.activity.stretches()) {
                byCpu.get(t.cpu()).add(s);
            }
        }
        return byCpu;
    }

    /** /proc/pressure/{io,memory,cpu} (psi_show()); {@code resource} is "io", "memory" or "cpu". */
    public String pressure(String resource) {
        return psi.show(resource(resource));
    }

    static int resource(String resource) {
        return switch (resource) {
            case "io" -> Psi.PSI_IO;
            case "memory" -> Psi.PSI_MEM;
            case "cpu" -> Psi.PSI_CPU;
            default -> throw new IllegalArgumentException("no pressure file " + resource);
        };
    }

    /** The psi total of memory some ({@code full} false) or full, in nanoseconds (for tests and scenarios). */
    Psi psi() {
        return psi;
    }

    /**
     * The invariants: a task's work stretches follow each other in time and nothing of a dead task's is queued
     * past its end; per CPU, FULL time never exceeds SOME time, which never exceeds non-idle time; the totals'
     * FULL never exceeds their SOME.
     */
    void check(List<String> errors) {
        long now = kernel.clock().nanos();
        for (Task t : active) {
            long prevEnd = Long.MIN_VALUE;
            for (TaskActivity.Stretch s : t.activity.stretches()) {
                if (s.start() >= s.end() || s.start() < prevEnd) {
                    errors.add("sched: pid " + t.pid() + " has overlapping or empty work " + s);
                }
                prevEnd = s.end();
            }
            boolean dead = t.state() == Task.State.ZOMBIE || t.state() == Task.State.DEAD
                    || kernel.tasks().get(t.pid()) != t;
            if (dead && prevEnd > now) {
                errors.add("sched: exited pid " + t.pid() + " still has work queued until " + prevEnd);
            }
        }
        for (int cpu = 0; cpu < psi.nrCpus(); cpu++) {
            for (int some : new int[] {Psi.IO_SOME, Psi.MEM_SOME, Psi.CPU_SOME}) {
                if (psi.cpuTime(cpu, some + 1) > psi.cpuTime(cpu, some)
                        || psi.cpuTime(cpu, some) > psi.cpuTime(cpu, Psi.NONIDLE)) {
                    errors.add("psi: cpu" + cpu + " state " + some + " times out of order");
                }
            }
        }
        for (int some : new int[] {Psi.IO_SOME, Psi.MEM_SOME, Psi.CPU_SOME}) {
            if (psi.total(some + 1) > psi.total(some)) {
                errors.add("psi: total full " + psi.total(some + 1) + " > some " + psi.total(some));
            }
        }
    }
}
