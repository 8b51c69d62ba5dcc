package io.simproc.kernel;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The cgroups' pressure stall information (kernel/sched/psi.c with CONFIG_CGROUPS: psi_cgroup_alloc(),
 * cgroup_psi()): each cgroup has a group of its own whose tasks are those of its subtree, averaged by its own work
 * from the cgroup's creation until it is freed; the root's group is the system one. A task's work counts in the
 * groups of the cgroup it is in when the work happens: before tasks move, every group takes what happened up to
 * then.
 */
public final class CgroupPsi {
    private final Kernel kernel;
    private final Sched sched;
    /** The cgroups' groups (psi_cgroup_alloc() to psi_cgroup_free()). */
    private final Set<Cgroup> groups = new LinkedHashSet<>();

    CgroupPsi(Kernel kernel, Sched sched) {
        this.kernel = kernel;
        this.sched = sched;
    }

    /** psi_cgroup_alloc() and group_init(): a new cgroup's group, its averaging work started. */
    void cgroupCreated(Cgroup cgrp) {
        groups.add(cgrp);
        kernel.schedule(cgrp.psi.firstWorkDelayJiffies(kernel.clock().nanos()), () -> cgroupAvgsWork(cgrp));
    }

    /** psi_avgs_work() of a cgroup's group, until the cgroup is freed. */
    private void cgroupAvgsWork(Cgroup cgrp) {
        if (!groups.contains(cgrp)) {
            return;
        }
        long delay = cgrp.psi.avgsWork(kernel.clock().nanos(), sched.stretchesByCpu(cgrp));
        kernel.schedule(delay, () -> cgroupAvgsWork(cgrp));
    }

    /** psi_cgroup_free(). */
    void cgroupReleased(Cgroup cgrp) {
        groups.remove(cgrp);
    }

    /**
     * Every cgroup's group takes what its tasks did up to {@code now}: before tasks change cgroups (cgroup_move_task():
     * psi_task_change() moves their state from the old groups to the new ones), so that from then on their work
     * counts in the groups they join; and before the system group's averaging forgets the work it integrated.
     */
    void integrate(long now) {
        for (Cgroup c : groups) {
            c.psi.integrate(now, sched.stretchesByCpu(c));
        }
    }

    /** Tasks are about to change cgroups. */
    void cgroupsChanging() {
        integrate(kernel.clock().nanos());
    }

    /**
     * A cgroup's {io,memory,cpu}.pressure (cgroup_io_pressure_show()...): its group's, the root's being the system
     * group (cgroup_psi()).
     */
    public String pressure(Cgroup cgrp, String resource) {
        return (cgrp.parent() == null ? sched.psi() : cgrp.psi).show(Sched.resource(resource));
    }

    /** psi->enabled of a cgroup's group (cgroup.pressure). */
    public boolean psiEnabled(Cgroup cgrp) {
        return (cgrp.parent() == null ? sched.psi() : cgrp.psi).enabled();
    }

    /** cgroup_pressure_write() past its parsing: 0, or -ENOENT when the cgroup is removed. */
    public int setPsiEnabled(Cgroup cgrp, boolean on) {
        assert kernel.isWriter();
        if (!cgrp.isOnline()) {
            return -io.simproc.uapi.Errno.ENOENT;
        }
        (cgrp.parent() == null ? sched.psi() : cgrp.psi).setEnabled(on, kernel.clock().nanos());
        return 0;
    }
}
