package io.simproc.proc;

import io.simproc.kernel.Clock;
import io.simproc.kernel.CpuStat;
import io.simproc.kernel.Kernel;
import io.simproc.kernel.Processes;
import io.simproc.kernel.Task;
import io.simproc.mm.MmStruct;
import io.simproc.uapi.Page;

/**
 * /proc/PID/stat and /proc/PID/task/TID/stat (fs/proc/array.c do_task_stat): 52 space-separated fields on one
 * line, the command name in parentheses unescaped (a name may hold spaces and ')': parsers split at the last ')').
 * For /proc/PID ({@code whole}) faults and CPU times are summed over the thread group; for a thread they are its
 * own. Times are in USER_HZ ticks, vsize in bytes, rss in pages. Readers failing the ptrace-read check see 1 for
 * start_code/end_code (0 without an address space) and 0 for start_stack, wchan, the data/brk/arg/env addresses
 * and exit_code.
 */
public final class PidStat implements ProcFile.Renderer {
    /** RLIM_INFINITY as RLIMIT_RSS is printed. */
    static final String RLIM_INFINITY = "18446744073709551615";

    private final Task task;
    private final boolean whole;

    PidStat(Task task, boolean whole) {
        this.task = task;
        this.whole = whole;
    }

    @Override
    public byte[] render(ProcContext ctx) {
        Kernel k = ctx.kernel();
        Task t = ProcBase.live(ctx, task);
        Task leader = ProcBase.leader(k, t);
        boolean permitted = ProcBase.ptraceMayRead(ctx.who(), t);
        MmStruct mm = t.mm();
        int numThreads = leader.threads().size();
        long minflt;
        long majflt;
        long utime;
        long stime;
        if (whole) {
            minflt = 0;
            majflt = 0;
            utime = 0;
            stime = 0;
            for (int tid : leader.threads()) {
                Task th = k.tasks().get(tid);
                if (th != null) {
                    minflt += th.minflt();
                    majflt += th.majflt();
                    utime += th.utimeNanos();
                    stime += th.stimeNanos();
                }
            }
        } else {
            minflt = t.minflt();
            majflt = t.majflt();
            utime = t.utimeNanos();
            stime = t.stimeNanos();
        }
        Task.State state = k.sched().state(t);
        boolean wchan = permitted && (!whole || numThreads < 2) && state != Task.State.RUNNING;

        Seq s = new Seq(512);
        s.put(t.pid()).put(" (").put(t.comm()).put(") ").put(state.letter());
        s.put(' ').put(leader.ppid());
        s.put(' ').put(leader.pgrp());
        s.put(' ').put(leader.session());
        s.put(" 0 -1");
        s.put(' ').put(t.flags() & 0xffffffffL);
        s.put(' ').put(minflt);
        s.put(' ').put(leader.cminflt());
        s.put(' ').put(majflt);
        s.put(' ').put(leader.cmajflt());
        s.put(' ').put(CpuStat.toClockTicks(utime));
        s.put(' ').put(CpuStat.toClockTicks(stime));
        s.put(' ').put(CpuStat.toClockTicks(leader.cutimeNanos()));
        s.put(' ').put(CpuStat.toClockTicks(leader.cstimeNanos()));
        s.put(' ').put(20 + t.nice());
        s.put(' ').put(t.nice());
        s.put(' ').put(numThreads);
        s.put(" 0");
        s.put(' ').put(Clock.toClockTicks(t.startJiffies()));
        s.put(' ').put(mm == null ? 0 : mm.totalVm() << Page.PAGE_SHIFT);
        s.put(' ').put(mm == null ? 0 : mm.rssPages());
        s.put(' ').put(RLIM_INFINITY);
        s.put(' ').put(mm == null ? 0 : permitted ? mm.startCode() : 1);
        s.put(' ').put(mm == null ? 0 : permitted ? mm.endCode() : 1);
        s.put(' ').put(mm != null && permitted ? mm.startStack() : 0);
        s.put(" 0 0");
        s.put(" 0 0");
        s.put(' ').put(leader.sigIgnore() & 0x7fffffffL);
        s.put(' ').put(leader.sigCatch() & 0x7fffffffL);
        s.put(wchan ? " 1" : " 0");
        s.put(" 0 0");
        s.put(' ').put(exitSignal(t));
        s.put(' ').put(t.cpu());
        s.put(" 0 0 0 0 0");
        if (mm != null && permitted) {
            s.put(' ').put(mm.startData());
            s.put(' ').put(mm.endData());
            s.put(' ').put(mm.startBrk());
            s.put(' ').put(mm.argStart());
            s.put(' ').put(mm.argEnd());
            s.put(' ').put(mm.envStart());
            s.put(' ').put(mm.envEnd());
        } else {
            s.put(" 0 0 0 0 0 0 0");
        }
        s.put(' ').put(permitted ? t.exitCode() : 0);
        s.nl();
        return s.bytes();
    }

    /**
     * exit_signal: -1 for a thread (CLONE_THREAD), 0 for the tasks the kernel itself started (init and kthreadd,
     * whose parent is pid 0), SIGCHLD for everything forked.
     */
    static int exitSignal(Task t) {
        if (!t.isLeader()) {
            return -1;
        }
        return t.ppid() == 0 ? 0 : Processes.SIGCHLD;
    }
}
