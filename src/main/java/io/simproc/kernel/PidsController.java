package io.simproc.kernel;

import io.simproc.mm.KernelServices;
import io.simproc.uapi.Errno;

import java.util.ArrayList;
import java.util.List;

/**
 * pids_cgrp_subsys (kernel/cgroup/pids.c): the process number controller. Every task (thread) counts in its pids
 * css and each ancestor's below the root from fork (can_fork) until it is reaped (release); a move charges the
 * destination and uncharges the source (can_attach), whatever their limits; a fork that would take a group over its
 * pids.max fails with EAGAIN, counted in pids.events ("max": in the group whose limit was hit and its ancestors) and
 * pids.events.local (in the limiting group; the forking group's fork failures are only logged, once:
 * "cgroup: fork rejected by pids controller in PATH"). A v2 machine has it (its v1 machines mount the memory
 * hierarchy alone).
 */
final class PidsController implements CgroupSubsys<PidsController.PidsCgroup> {
    /** PIDS_MAX: PID_MAX_LIMIT (4 Mi pids on 64-bit) + 1, the "max" limit. */
    static final long PIDS_MAX = (4L << 20) + 1;

    /** struct pids_cgroup. */
    static final class PidsCgroup {
        final PidsCgroup parent;
        final Cgroup cgroup;
        long counter;
        long limit = PIDS_MAX;
        long watermark;
        /** events[PIDCG_MAX]: forks refused by this group's limit or a descendant's. */
        long eventsMax;
        /** events_local[PIDCG_MAX] and events_local[PIDCG_FORKFAIL]. */
        long eventsLocalMax;
        long eventsLocalForkfail;

        PidsCgroup(PidsCgroup parent, Cgroup cgroup) {
            this.parent = parent;
            this.cgroup = cgroup;
        }

        /** pids_update_watermark(). */
        void updateWatermark(long nr) {
            watermark = Math.max(watermark, nr);
        }
    }

    private final Kernel kernel;

    PidsController(Kernel kernel) {
        this.kernel = kernel;
    }

    @Override
    public String name() {
        return "pids";
    }

    @Override
    public PidsCgroup cssAlloc(PidsCgroup parent, Cgroup cgrp) {
        return new PidsCgroup(parent, cgrp);
    }

    /** pids_charge(): every level below the root, past its limit if need be (moves are never refused). */
    private static void charge(PidsCgroup pids, int num) {
        for (PidsCgroup p = pids; p.parent != null; p = p.parent) {
            p.counter += num;
            p.updateWatermark(p.counter);
        }
    }

    /** pids_uncharge(). */
    private static void uncharge(PidsCgroup pids, int num) {
        for (PidsCgroup p = pids; p.parent != null; p = p.parent) {
            p.counter -= num;
            if (p.counter < 0) {
                throw new IllegalStateException("pids: " + p.cgroup + " counter went negative");
            }
        }
    }

    /**
     * pids_try_charge(): charges level by level up to the root; at a level the charge would take past its limit,
     * every level is reverted and that group returned (the levels passed keep the peak they saw, as in the kernel).
     * Null when charged.
     */
    private static PidsCgroup tryCharge(PidsCgroup pids, int num) {
        for (PidsCgroup p = pids; p.parent != null; p = p.parent) {
            p.counter += num;
            if (p.counter > p.limit) {
                for (PidsCgroup q = pids; q != p.parent; q = q.parent) {
                    q.counter -= num;
                }
                return p;
            }
            p.updateWatermark(p.counter);
        }
        return null;
    }

    @Override
    public int canAttach(List<Move<PidsCgroup>> tasks) {
        for (Move<PidsCgroup> m : tasks) {
            charge(m.to(), 1);
            uncharge(m.from(), 1);
        }
        return 0;
    }

    @Override
    public void cancelAttach(List<Move<PidsCgroup>> tasks) {
        for (Move<PidsCgroup> m : tasks) {
            charge(m.from(), 1);
            uncharge(m.to(), 1);
        }
    }

    /** pids_can_fork(). */
    @Override
    public int canFork(PidsCgroup pids) {
        PidsCgroup over = tryCharge(pids, 1);
        if (over == null) {
            return 0;
        }
        event(pids, over);
        return -Errno.EAGAIN;
    }

    /** pids_event() on the default hierarchy (no pids_localevents). */
    private void event(PidsCgroup forking, PidsCgroup overLimit) {
        if (++forking.eventsLocalForkfail == 1) {
            kernel.printk(KernelServices.KERN_INFO, "cgroup: fork rejected by pids controller in "
                    + forking.cgroup.path());
        }
        overLimit.eventsLocalMax++;
        for (PidsCgroup p = overLimit; p.parent != null; p = p.parent) {
            p.eventsMax++;
        }
    }

    @Override
    public void cancelFork(PidsCgroup pids) {
        uncharge(pids, 1);
    }

    @Override
    public void release(Task task, PidsCgroup pids) {
        uncharge(pids, 1);
    }

    @Override
    public List<Cftype<PidsCgroup>> dflCftypes() {
        List<Cftype<PidsCgroup>> f = legacyCftypes();
        f.add(new Cftype<>("events.local", Cftype.CFTYPE_NOT_ON_ROOT, p -> "max " + p.eventsLocalMax + "\n", null));
        return f;
    }

    /** pids_files_legacy[]: max, current, peak, events (the first four of pids_files[]). */
    @Override
    public List<Cftype<PidsCgroup>> legacyCftypes() {
        int notOnRoot = Cftype.CFTYPE_NOT_ON_ROOT;
        List<Cftype<PidsCgroup>> f = new ArrayList<>();
        f.add(new Cftype<>("max", notOnRoot, p -> (p.limit >= PIDS_MAX ? "max" : Long.toString(p.limit)) + "\n",
                (p, buf, who, current) -> maxWrite(p, buf)));
        f.add(new Cftype<>("current", notOnRoot, p -> p.counter + "\n", null));
        f.add(new Cftype<>("peak", notOnRoot, p -> p.watermark + "\n", null));
        f.add(new Cftype<>("events", notOnRoot, p -> "max " + p.eventsMax + "\n", null));
        return f;
    }

    /** pids_max_write(): "max", or kstrtoll(buf, 0) in [0, PIDS_MAX); EINVAL otherwise (kstrtoll's own errnos first). */
    private static int maxWrite(PidsCgroup p, String buf) {
        String s = buf.strip();
        if (s.equals("max")) {
            p.limit = PIDS_MAX;
            return 0;
        }
        boolean negative = s.startsWith("-");
        long v = Memcg1Files.kstrtoull(negative ? s.substring(1) : s);
        if (v < 0) {
            return (int) v;
        }
        if (negative || v >= PIDS_MAX) {
            return -Errno.EINVAL;
        }
        p.limit = v;
        return 0;
    }

    /**
     * The invariant: each group's counter is the tasks not reaped yet whose pids css is that group's or a
     * descendant's, and never past its watermark.
     */
    @Override
    public void check(Cgroups core, List<String> errors) {
        java.util.Map<PidsCgroup, Long> expected = new java.util.IdentityHashMap<>();
        Cgroups.Registered<?> r = core.registered(Cgroups.SUBSYS_ORDER.indexOf(name()));
        for (Task t : kernel.tasks().all()) {
            if (t.css[r.id()] == null) {
                continue;
            }
            for (PidsCgroup p = (PidsCgroup) t.css[r.id()].data(); p.parent != null; p = p.parent) {
                expected.merge(p, 1L, Long::sum);
            }
        }
        for (Cgroup c : core.preOrder(core.root())) {
            if (c.subsys[r.id()] == null) {
                continue;
            }
            PidsCgroup p = (PidsCgroup) c.subsys[r.id()].data();
            if (p.parent != null && p.counter != expected.getOrDefault(p, 0L)) {
                errors.add("pids: " + c + " pids.current " + p.counter + ", tasks " + expected.getOrDefault(p, 0L));
            }
            if (p.counter > p.watermark) {
                errors.add("pids: " + c + " pids.current " + p.counter + " above pids.peak " + p.watermark);
            }
        }
    }
}
