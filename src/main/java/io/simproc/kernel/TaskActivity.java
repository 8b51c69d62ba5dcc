package io.simproc.kernel;

import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * What a task does from now on: the stretches of simulated time its work takes, each in one scheduling state, laid
 * end to end from when it was asked for (or from the end of the work before it, when the task is still busy). Between
 * and after them the task sleeps (S). {@link Sched} appends a stretch per cost of a piece of work and consumes them as
 * time passes; PSI and the load average read the state a task is in at an instant.
 */
final class TaskActivity {
    /** A scheduling state a stretch of work is spent in, with the psi task flags (include/linux/psi_types.h) it sets. */
    enum Kind {
        /** On the CPU: R, TSK_RUNNING | TSK_ONCPU. */
        RUNNING('R', false, false),
        /**
         * Reclaiming or compacting for an allocation, or kswapd and kcompactd at work: still R on the CPU, inside
         * psi_memstall_enter() (TSK_MEMSTALL | TSK_MEMSTALL_RUNNING).
         */
        RECLAIM('R', false, true),
        /** Waiting for a read from the disk, a writeback throttle: D with in_iowait set (io_schedule()), TSK_IOWAIT. */
        IOWAIT('D', true, false),
        /**
         * Waiting for the read of a page that was evicted while in use (a workingset refault, a swap-in): D with
         * in_iowait and in_memstall, TSK_IOWAIT | TSK_MEMSTALL.
         */
        THRASHING('D', true, true),
        /**
         * Sleeping memory.high's penalty (mm/memcontrol.c: mem_cgroup_handle_over_high() sleeps in
         * schedule_timeout_killable() inside psi_memstall_enter()): D, TSK_MEMSTALL without iowait.
         */
        HIGH_THROTTLED('D', false, true);

        final char letter;
        final boolean iowait;
        final boolean memstall;
        final boolean running;

        Kind(char letter, boolean iowait, boolean memstall) {
            this.letter = letter;
            this.iowait = iowait;
            this.memstall = memstall;
            this.running = letter == 'R';
        }
    }

    /** One stretch: [start, end) in uptime nanoseconds. */
    record Stretch(long start, long end, Kind kind) {
    }

    private final ArrayDeque<Stretch> stretches = new ArrayDeque<>();

    /** When the last stretch ends (the task is busy until then). */
    long busyUntil() {
        Stretch last = stretches.peekLast();
        return last == null ? Long.MIN_VALUE : last.end;
    }

    /** Append {@code nanos} of {@code kind} after what is queued; returns where it ends. */
    long append(long from, long nanos, Kind kind) {
        if (nanos <= 0) {
            return from;
        }
        Stretch last = stretches.peekLast();
        if (last != null && last.kind == kind && last.end == from) {
            stretches.pollLast();
            stretches.addLast(new Stretch(last.start, from + nanos, kind));
        } else {
            stretches.addLast(new Stretch(from, from + nanos, kind));
        }
        return from + nanos;
    }

    /** The state at {@code now}, or null when the task is not working then. */
    Kind at(long now) {
        for (Stretch s : stretches) {
            if (s.start > now) {
                return null;
            }
            if (now < s.end) {
                return s.kind;
            }
        }
        return null;
    }

    /** The stretches, oldest first (PSI walks them). */
    Iterable<Stretch> stretches() {
        return stretches;
    }

    /** Forget what ended by {@code t}. */
    void expire(long t) {
        while (!stretches.isEmpty() && stretches.peekFirst().end <= t) {
            stretches.pollFirst();
        }
    }

    /** The task stopped at {@code t} (it exited): nothing of its work goes on past it. */
    void truncate(long t) {
        Iterator<Stretch> it = stretches.descendingIterator();
        while (it.hasNext()) {
            Stretch s = it.next();
            if (s.start >= t) {
                it.remove();
            } else {
                if (s.end > t) {
                    it.remove();
                    stretches.addLast(new Stretch(s.start, t, s.kind));
                }
                break;
            }
        }
    }

    boolean isEmpty() {
        return stretches.isEmpty();
    }
}
