package io.simproc.proc;

import io.simproc.kernel.Kernel;
import io.simproc.kernel.Task;
import io.simproc.mm.MmStruct;
import io.simproc.uapi.Page;

/**
 * /proc/PID/status (fs/proc/array.c proc_pid_status, task_state, task_sig, task_cap, task_seccomp,
 * task_cpus_allowed, task_context_switch_counts; fs/proc/task_mmu.c task_mem; kernel/cgroup/cpuset.c
 * cpuset_task_status_allowed) in the 6.18 order: identity, then the memory block and the CoreDumping,
 * THP_enabled and untag_mask lines only for a task with an address space (not for kernel threads or zombies),
 * then signals, capabilities, seccomp and speculation state, CPU and node masks, context switches. Lines are
 * {@code "Label:\t"} + value; the memory values are {@code %8lu kB}.
 */
public final class PidStatus implements ProcFile.Renderer {
    /** CAP_LAST_CAP = 40: a full capability set. */
    static final long CAP_FULL = (1L << 41) - 1;
    /** MAX_NUMNODES with NODES_SHIFT = 10: the width of the Mems_allowed bitmap. */
    static final int MAX_NUMNODES = 1024;
    /** NR_OPEN_DEFAULT: the fd table every task starts with (BITS_PER_LONG slots). */
    static final int FDSIZE_DEFAULT = 64;

    private final Task task;

    PidStatus(Task task) {
        this.task = task;
    }

    @Override
    public byte[] render(ProcContext ctx) {
        Kernel k = ctx.kernel();
        Task t = ProcBase.live(ctx, task);
        Task leader = ProcBase.leader(k, t);
        Seq s = new Seq(2048);
        s.put("Name:\t").put(escapedName(t.comm())).nl();
        s.put("Umask:\t0022\n");
        s.put("State:\t").put(k.sched().state(t).statusText()).nl();
        field(s, "Tgid:", t.tgid());
        field(s, "Ngid:", 0);
        field(s, "Pid:", t.pid());
        field(s, "PPid:", leader.ppid());
        field(s, "TracerPid:", 0);
        s.put("Uid:");
        for (int i = 0; i < 4; i++) {
            s.put('\t').put(t.uid());
        }
        s.nl().put("Gid:");
        for (int i = 0; i < 4; i++) {
            s.put('\t').put(t.gid());
        }
        s.nl();
        field(s, "FDSize:", FDSIZE_DEFAULT);
        s.put("Groups:\t \n");
        field(s, "NStgid:", t.tgid());
        field(s, "NSpid:", t.pid());
        field(s, "NSpgid:", leader.pgrp());
        field(s, "NSsid:", leader.session());
        field(s, "Kthread:", t.isKthread() ? 1 : 0);
        MmStruct mm = t.mm();
        if (mm != null) {
            taskMem(s, mm);
            field(s, "CoreDumping:", 0);
            field(s, "THP_enabled:", 1);
            s.put("untag_mask:\t0xffffffffffffffff\n");
        }
        field(s, "Threads:", leader.threads().size());
        s.put("SigQ:\t0/").put(k.rlimitSigpending()).nl();
        sigset(s, "SigPnd:", 0);
        sigset(s, "ShdPnd:", 0);
        sigset(s, "SigBlk:", 0);
        sigset(s, "SigIgn:", leader.sigIgnore());
        sigset(s, "SigCgt:", leader.sigCatch());
        boolean root = t.uid() == 0;
        sigset(s, "CapInh:", 0);
        sigset(s, "CapPrm:", root ? CAP_FULL : 0);
        sigset(s, "CapEff:", root ? CAP_FULL : 0);
        sigset(s, "CapBnd:", CAP_FULL);
        sigset(s, "CapAmb:", 0);
        field(s, "NoNewPrivs:", 0);
        field(s, "Seccomp:", 0);
        field(s, "Seccomp_filters:", 0);
        s.put("Speculation_Store_Bypass:\tthread vulnerable\n");
        s.put("SpeculationIndirectBranch:\tconditional enabled\n");
        int cpus = k.profile().nrCpus();
        int boundCpu = boundCpu(t);
        s.put("Cpus_allowed:\t");
        bitmap(s, cpus, boundCpu < 0 ? 0 : boundCpu, boundCpu < 0 ? cpus : boundCpu + 1);
        s.nl().put("Cpus_allowed_list:\t");
        bitmapList(s, boundCpu < 0 ? 0 : boundCpu, boundCpu < 0 ? cpus : boundCpu + 1);
        s.nl().put("Mems_allowed:\t");
        bitmap(s, MAX_NUMNODES, 0, k.profile().nrNodes());
        s.nl().put("Mems_allowed_list:\t");
        bitmapList(s, 0, k.profile().nrNodes());
        s.nl();
        field(s, "voluntary_ctxt_switches:", t.voluntaryCtxt());
        field(s, "nonvoluntary_ctxt_switches:", t.nonvoluntaryCtxt());
        return s.bytes();
    }

    /** task_mem(): VmPeak .. VmSwap and HugetlbPages. */
    static void taskMem(Seq s, MmStruct mm) {
        long execBytes = mm.execVm() << Page.PAGE_SHIFT;
        long text = Math.min(textBytes(mm), execBytes);
        long lib = execBytes - text;
        kb(s, "VmPeak:", Page.kb(mm.hiwaterVm()));
        kb(s, "VmSize:", Page.kb(mm.totalVm()));
        kb(s, "VmLck:", Page.kb(mm.lockedVm()));
        kb(s, "VmPin:", Page.kb(mm.pinnedVm()));
        kb(s, "VmHWM:", Page.kb(mm.hiwaterRss()));
        kb(s, "VmRSS:", Page.kb(mm.rssPages()));
        kb(s, "RssAnon:", Page.kb(mm.rss(MmStruct.MM_ANONPAGES)));
        kb(s, "RssFile:", Page.kb(mm.rss(MmStruct.MM_FILEPAGES)));
        kb(s, "RssShmem:", Page.kb(mm.rss(MmStruct.MM_SHMEMPAGES)));
        kb(s, "VmData:", Page.kb(mm.dataVm()));
        kb(s, "VmStk:", Page.kb(mm.stackVm()));
        kb(s, "VmExe:", text >> 10);
        kb(s, "VmLib:", lib >> 10);
        kb(s, "VmPTE:", mm.pgtablesBytes() >> 10);
        kb(s, "VmSwap:", Page.kb(mm.rss(MmStruct.MM_SWAPENTS)));
        kb(s, "HugetlbPages:", Page.kb(mm.hugetlbUsage()));
    }

    /** PAGE_ALIGN(end_code) − (start_code &amp; PAGE_MASK): the bytes of the main program's text. */
    static long textBytes(MmStruct mm) {
        long end = (mm.endCode() + Page.PAGE_SIZE - 1) & Page.PAGE_MASK;
        return Math.max(0, end - (mm.startCode() & Page.PAGE_MASK));
    }

    /**
     * The one CPU a per-CPU kernel thread is bound to (ksoftirqd/N, migration/N, cpuhp/N, kworker/N:M), or -1 for
     * a task allowed on every CPU (user tasks, unbound and rescuer workers).
     */
    static int boundCpu(Task t) {
        if (!t.isKthread() || (t.flags() & Task.PF_NO_SETAFFINITY) == 0) {
            return -1;
        }
        String comm = t.comm();
        return comm.startsWith("kworker/u") || comm.startsWith("kworker/R-") ? -1 : t.cpu();
    }

    /** proc_task_name(escape = true): a newline or backslash in the name is escaped (seq_escape_str "\n\\"). */
    static String escapedName(String comm) {
        if (comm.indexOf('\n') < 0 && comm.indexOf('\\') < 0) {
            return comm;
        }
        return comm.replace("\\", "\\\\").replace("\n", "\\n");
    }

    private static void field(Seq s, String label, long value) {
        s.put(label).put('\t').put(value).nl();
    }

    private static void kb(Seq s, String label, long kb) {
        s.put(label).put('\t').dec(kb, 8).put(" kB\n");
    }

    /** render_sigset_t / render_cap_t: 16 hex digits. */
    private static void sigset(Seq s, String label, long bits) {
        s.put(label).put('\t').hex(bits, 16).nl();
    }

    /** {@code %*pb} of a bitmap of nbits whose bits [from, to) are set ({@link Bitmaps#mask}). */
    static void bitmap(Seq s, int nbits, int from, int to) {
        Bitmaps.mask(s, Bitmaps.range(from, to), nbits);
    }

    /** {@code %*pbl} of the bits [from, to): "0", "0-3" (empty for no bits). */
    static void bitmapList(Seq s, int from, int to) {
        Bitmaps.list(s, Bitmaps.range(from, to));
    }
}
