package io.simproc.kernel;

import java.util.PriorityQueue;

/**
 * Simulated time: jiffies at HZ=250 since boot and the timer queue that drives everything that happens on the
 * machine. Timers due at the same jiffy run in the order they were added, so a seed reproduces a run exactly.
 * Threading: only the simulation thread adds and runs timers.
 */
public final class Clock {
    public static final int HZ = io.simproc.mm.KernelServices.HZ;
    /** USER_HZ: the tick /proc/stat and /proc/PID/stat report in. */
    public static final int USER_HZ = 100;
    public static final long NSEC_PER_JIFFY = 1_000_000_000L / HZ;

    private record Timer(long at, long seq, Runnable task) implements Comparable<Timer> {
        @Override
        public int compareTo(Timer o) {
            int c = Long.compare(at, o.at);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    private final PriorityQueue<Timer> timers = new PriorityQueue<>();
    private long jiffies;
    private long seq;
    private long timersRun;

    public long jiffies() {
        return jiffies;
    }

    /** Uptime in nanoseconds (the boottime clock). */
    public long nanos() {
        return jiffies * NSEC_PER_JIFFY;
    }

    void schedule(long delayJiffies, Runnable task) {
        timers.add(new Timer(jiffies + Math.max(0, delayJiffies), seq++, task));
    }

    /** When the next timer is due, or Long.MAX_VALUE when none is pending. */
    long nextTimer() {
        Timer t = timers.peek();
        return t == null ? Long.MAX_VALUE : t.at;
    }

    /** Run the timer that is due next if it is due by {@code limit}; returns false when none is. */
    boolean runNext(long limit) {
        Timer t = timers.peek();
        if (t == null || t.at > limit) {
            return false;
        }
        timers.poll();
        jiffies = Math.max(jiffies, t.at);
        timersRun++;
        t.task.run();
        return true;
    }

    void setJiffies(long j) {
        if (j < jiffies) {
            throw new IllegalStateException("time cannot go back: " + j + " < " + jiffies);
        }
        jiffies = j;
    }

    /** Timers run since boot: the simulation's event count. */
    public long timersRun() {
        return timersRun;
    }

    public static long secondsToJiffies(double seconds) {
        return Math.round(seconds * HZ);
    }

    /** jiffies → USER_HZ clock ticks (jiffies_64_to_clock_t). */
    public static long toClockTicks(long jiffies) {
        return jiffies * USER_HZ / HZ;
    }
}
