package io.simproc.kernel;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Pressure stall information of one group (kernel/sched/psi.c, struct psi_group): the system group, or a cgroup's
 * (psi_cgroup_alloc()), whose tasks are those of the cgroup's subtree. Per CPU, the time the group's tasks spent in
 * the SOME and FULL states of io, memory and cpu and the time it was non-idle; every PSI_FREQ the averaging work
 * folds them, weighted by each CPU's non-idle time, into the totals and the 10 s, 60 s and 300 s running averages
 * that /proc/pressure/{io,memory,cpu} and a cgroup's {io,memory,cpu}.pressure show. A disabled group (a cgroup's
 * cgroup.pressure set to 0) accrues nothing.
 *
 * <p>The task counts of a CPU come from its tasks' {@link TaskActivity} stretches: {@link #integrate} walks the
 * instants where one begins or ends and adds each interval to the states test_state() gives for the counts in it,
 * as record_times() does at each psi_group_change(). The kernel also folds the per-CPU times when a pressure file
 * is read; here a read changes nothing, so the files show the totals as of the last averaging work (at most
 * PSI_FREQ old).
 */
final class Psi {
    /** enum psi_states. */
    static final int IO_SOME = 0;
    static final int IO_FULL = 1;
    static final int MEM_SOME = 2;
    static final int MEM_FULL = 3;
    static final int CPU_SOME = 4;
    static final int CPU_FULL = 5;
    static final int NONIDLE = 6;
    static final int NR_PSI_STATES = 7;
    /** enum psi_res, in the order psi_show() indexes avg[res * 2 + full]. */
    static final int PSI_IO = 0;
    static final int PSI_MEM = 1;
    static final int PSI_CPU = 2;

    /** PSI_FREQ: 2 s intervals (plus a tick, as LOAD_FREQ). */
    static final long PSI_FREQ = 2L * Clock.HZ + 1;
    static final long EXP_10S = 1677;
    static final long EXP_60S = 1981;
    static final long EXP_300S = 2034;

    private final long psiPeriod = PSI_FREQ * Clock.NSEC_PER_JIFFY;
    /** groupc->times per CPU: cumulative nanoseconds in each state. */
    private final long[][] times;
    /** groupc->times_prev[PSI_AVGS]. */
    private final long[][] timesPrev;
    /** group->total[PSI_AVGS]: nanoseconds, never decreasing. */
    private final long[] total = new long[NR_PSI_STATES - 1];
    private final long[] avgTotal = new long[NR_PSI_STATES - 1];
    /** group->avg: the running averages in percent, fixed point with FSHIFT bits. */
    private final long[][] avg = new long[NR_PSI_STATES - 1][3];
    private long avgLastUpdate;
    private long avgNextUpdate;
    /** How far the per-CPU times have been integrated. */
    private long integratedUntil;
    /** psi_system, whose cpu FULL is undefined and shown as zero. */
    private final boolean system;
    /** group->enabled. */
    private boolean enabled = true;

    Psi(int nrCpus, long now) {
        this(nrCpus, now, true);
    }

    /** A group starting at {@code now}; {@code system} for psi_system. */
    Psi(int nrCpus, long now, boolean system) {
        this.system = system;
        times = new long[nrCpus][NR_PSI_STATES];
        timesPrev = new long[nrCpus][NR_PSI_STATES];
        avgLastUpdate = now;
        avgNextUpdate = now + psiPeriod;
        integratedUntil = now;
    }

    /** group_init(): the averaging work first runs a tick after avg_next_update. */
    long firstWorkDelayJiffies(long nowNanos) {
        return nsecsToJiffies(avgNextUpdate - nowNanos) + 1;
    }

    /**
     * psi_avgs_work(): integrate the CPUs' states up to {@code now}, fold them into the totals and, when a period has
     * passed, into the averages. Returns the delay to the next run in jiffies.
     */
    long avgsWork(long now, List<List<TaskActivity.Stretch>> byCpu) {
        integrate(now, byCpu);
        collectPercpuTimes();
        if (now >= avgNextUpdate) {
            avgNextUpdate = updateAverages(now);
        }
        return nsecsToJiffies(avgNextUpdate - now) + 1;
    }

    /**
     * record_times() over [integratedUntil, now) for every CPU: walking the instants at which one of the CPU's
     * stretches starts or ends in time order, the task counts change there and stay constant in between; each
     * interval accrues to the states test_state() derives from the counts (with psi_group_change()'s rule that a CPU
     * whose current task is in a memory stall is FULL). The current task is the running one that has been running
     * longest.
     */
    void integrate(long now, List<List<TaskActivity.Stretch>> byCpu) {
        long from = integratedUntil;
        if (now <= from) {
            return;
        }
        if (!enabled) {
            integratedUntil = now;
            return;
        }
        for (int cpu = 0; cpu < times.length; cpu++) {
            List<long[]> events = new ArrayList<>();
            List<TaskActivity.Stretch> stretches = byCpu.get(cpu);
            for (int i = 0; i < stretches.size(); i++) {
                TaskActivity.Stretch s = stretches.get(i);
                if (s.end() > from && s.start() < now) {
                    events.add(new long[] {Math.max(from, s.start()), 1, i});
                    events.add(new long[] {Math.min(now, s.end()), -1, i});
                }
            }
            if (events.isEmpty()) {
                continue;
            }
            events.sort((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
            Counts c = new Counts();
            long t = from;
            for (long[] e : events) {
                if (e[0] > t) {
                    recordTimes(times[cpu], c.stateMask(), e[0] - t);
                    t = e[0];
                }
                c.change(stretches.get((int) e[2]), (int) e[1], (int) e[2]);
            }
        }
        integratedUntil = now;
    }

    /** groupc->tasks[] of one CPU while integrating, and which running task is current. */
    static final class Counts {
        int nrIowait;
        int nrMemstall;
        int nrRunning;
        int nrMemstallRunning;
        /** Running stretches by (start, index): the first is the current task. */
        private final TreeSet<long[]> running = new TreeSet<>((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0])
                : Long.compare(a[1], b[1]));
        private final java.util.Map<Integer, TaskActivity.Stretch> byIndex = new java.util.HashMap<>();

        /** A stretch begins ({@code sign} 1) or ends (-1). */
        void change(TaskActivity.Stretch s, int sign, int index) {
            TaskActivity.Kind k = s.kind();
            if (k.iowait) {
                nrIowait += sign;
            }
            if (k.memstall) {
                nrMemstall += sign;
            }
            if (k.running) {
                nrRunning += sign;
                if (k.memstall) {
                    nrMemstallRunning += sign;
                }
                long[] key = {s.start(), index};
                if (sign > 0) {
                    running.add(key);
                    byIndex.put(index, s);
                } else {
                    running.remove(key);
                    byIndex.remove(index);
                }
            }
        }

        /** test_state() for every state, then the current task's memory stall making it FULL. */
        int stateMask() {
            boolean oncpu = !running.isEmpty();
            int mask = 0;
            if (nrIowait > 0) {
                mask |= 1 << IO_SOME;
                if (nrRunning == 0) {
                    mask |= 1 << IO_FULL;
                }
            }
            if (nrMemstall > 0) {
                mask |= 1 << MEM_SOME;
                if (nrRunning == nrMemstallRunning) {
                    mask |= 1 << MEM_FULL;
                }
            }
            if (nrRunning > (oncpu ? 1 : 0)) {
                mask |= 1 << CPU_SOME;
            }
            if (nrRunning > 0 && !oncpu) {
                mask |= 1 << CPU_FULL;
            }
            if (nrIowait > 0 || nrMemstall > 0 || nrRunning > 0) {
                mask |= 1 << NONIDLE;
            }
            if (oncpu && byIndex.get((int) running.first()[1]).kind().memstall) {
                mask |= 1 << MEM_FULL;
            }
            return mask;
        }
    }

    /** record_times(): FULL accrues only with SOME, as the kernel nests them. */
    private static void recordTimes(long[] t, int mask, long delta) {
        for (int some : new int[] {IO_SOME, MEM_SOME, CPU_SOME}) {
            if ((mask & (1 << some)) != 0) {
                t[some] += delta;
                if ((mask & (1 << (some + 1))) != 0) {
                    t[some + 1] += delta;
                }
            }
        }
        if ((mask & (1 << NONIDLE)) != 0) {
            t[NONIDLE] += delta;
        }
    }

    /**
     * collect_percpu_times() for PSI_AVGS: each CPU's state times since the last collection, weighted by its
     * non-idle time in whole jiffies, averaged into the totals.
     */
    private void collectPercpuTimes() {
        long[] deltas = new long[NR_PSI_STATES - 1];
        long nonidleTotal = 0;
        for (int cpu = 0; cpu < times.length; cpu++) {
            long[] delta = new long[NR_PSI_STATES];
            for (int s = 0; s < NR_PSI_STATES; s++) {
                delta[s] = times[cpu][s] - timesPrev[cpu][s];
                timesPrev[cpu][s] = times[cpu][s];
            }
            long nonidle = nsecsToJiffies(delta[NONIDLE]);
            nonidleTotal += nonidle;
            for (int s = 0; s < NONIDLE; s++) {
                deltas[s] += delta[s] * nonidle;
            }
        }
        for (int s = 0; s < NR_PSI_STATES - 1; s++) {
            total[s] += deltas[s] / Math.max(nonidleTotal, 1);
        }
    }

    /** update_averages(): one sample per state for the period, catching up on missed periods. */
    private long updateAverages(long now) {
        long missedPeriods = 0;
        long expires = avgNextUpdate;
        if (now - expires >= psiPeriod) {
            missedPeriods = (now - expires) / psiPeriod;
        }
        long next = expires + (1 + missedPeriods) * psiPeriod;
        long period = now - (avgLastUpdate + missedPeriods * psiPeriod);
        avgLastUpdate = now;
        for (int s = 0; s < NR_PSI_STATES - 1; s++) {
            long sample = total[s] - avgTotal[s];
            if (sample > period) {
                sample = period;
            }
            avgTotal[s] += sample;
            calcAvgs(avg[s], (int) missedPeriods, sample, period);
        }
        return next;
    }

    /** calc_avgs(). */
    static void calcAvgs(long[] a, int missedPeriods, long time, long period) {
        if (missedPeriods > 0) {
            a[0] = LoadAvg.calcLoadN(a[0], EXP_10S, 0, missedPeriods);
            a[1] = LoadAvg.calcLoadN(a[1], EXP_60S, 0, missedPeriods);
            a[2] = LoadAvg.calcLoadN(a[2], EXP_300S, 0, missedPeriods);
        }
        long pct = time * 100 / period;
        pct *= LoadAvg.FIXED_1;
        a[0] = LoadAvg.calcLoad(a[0], EXP_10S, pct);
        a[1] = LoadAvg.calcLoad(a[1], EXP_60S, pct);
        a[2] = LoadAvg.calcLoad(a[2], EXP_300S, pct);
    }

    static long nsecsToJiffies(long ns) {
        return ns / Clock.NSEC_PER_JIFFY;
    }

    /**
     * psi_show() for one resource: the "some" line, then the "full" one (zero for cpu in the system group, whose
     * FULL is undefined at the system level): {@code some avg10=%lu.%02lu avg60=%lu.%02lu avg300=%lu.%02lu
     * total=%llu}, total in µs.
     */
    String show(int res) {
        StringBuilder sb = new StringBuilder(128);
        for (int full = 0; full < 2; full++) {
            int s = res * 2 + full;
            boolean undefined = system && res == PSI_CPU && full == 1;
            sb.append(full == 1 ? "full" : "some");
            String[] names = {" avg10=", " avg60=", " avg300="};
            for (int w = 0; w < 3; w++) {
                long v = undefined ? 0 : avg[s][w];
                long frac = ((v & (LoadAvg.FIXED_1 - 1)) * 100) >> LoadAvg.FSHIFT;
                sb.append(names[w]).append(v >> LoadAvg.FSHIFT).append('.').append(frac < 10 ? "0" : "").append(frac);
            }
            sb.append(" total=").append(undefined ? 0 : total[s] / 1000).append('\n');
        }
        return sb.toString();
    }

    /** group->total[PSI_AVGS][state] in nanoseconds. */
    long total(int state) {
        return total[state];
    }

    /** group->avg[state][window] (window 0, 1, 2: 10 s, 60 s, 300 s), percent in FSHIFT fixed point. */
    long avg(int state, int window) {
        return avg[state][window];
    }

    /** Per-CPU cumulative state times (for the invariants). */
    long cpuTime(int cpu, int state) {
        return times[cpu][state];
    }

    int nrCpus() {
        return times.length;
    }

    boolean enabled() {
        return enabled;
    }

    /**
     * cgroup_pressure_write(): stop or resume accruing; re-enabled, the group starts afresh from {@code now}
     * (psi_cgroup_restart(): the per-CPU counts are rebuilt, nothing of the disabled time is recorded).
     */
    void setEnabled(boolean on, long now) {
        if (on && !enabled) {
            integratedUntil = Math.max(integratedUntil, now);
        }
        enabled = on;
    }

    long integratedUntil() {
        return integratedUntil;
    }
}
