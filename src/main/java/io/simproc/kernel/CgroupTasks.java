package io.simproc.kernel;

import java.util.ArrayList;
import java.util.List;

/**
 * The tasks of the cgroup hierarchy (kernel/cgroup/cgroup.c): a new task joins its parent's cgroup and csses
 * (cgroup_post_fork()), an exiting one leaves the live tasks but keeps its cgroup and csses until it is reaped
 * (cgroup_exit(), cgroup_release(), cgroup_free()); a cgroup's populated state follows its live tasks and its
 * children's (cgroup_update_populated()); cgroup.kill signals a subtree (cgroup_kill()).
 */
public final class CgroupTasks {
    private final Cgroups core;

    CgroupTasks(Cgroups core) {
        this.core = core;
    }

    /**
     * cgroup_post_fork(): a new task joins its parent's cgroup and csses ({@code parent} null: a task the kernel
     * starts, in the root).
     */
    void postFork(Task child, Task parent) {
        Cgroup cgrp = parent != null ? parent.cgroup : core.root();
        child.cgroup = cgrp;
        cgrp.refs++;
        for (int id = 0; id < Cgroups.SUBSYS_COUNT; id++) {
            CgroupSubsysState<?> css = parent != null ? parent.css[id] : core.root().subsys[id];
            child.css[id] = css;
            if (css != null) {
                css.refs++;
            }
        }
        taskAdded(cgrp, child);
        for (int id = 0; id < Cgroups.SUBSYS_COUNT; id++) {
            if (core.registered(id) != null) {
                fork(core.registered(id), child);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static <S> void fork(Cgroups.Registered<S> r, Task child) {
        r.subsys().fork(child, ((CgroupSubsysState<S>) child.css[r.id()]).data);
    }

    /**
     * cgroup_can_fork(): every controller is asked, in id order, with the csses the child of {@code parent} would
     * get; a refusal cancels the fork with the controllers asked before it, and its errno fails the fork.
     */
    int canFork(Task parent) {
        for (int id = 0; id < Cgroups.SUBSYS_COUNT; id++) {
            Cgroups.Registered<?> r = core.registered(id);
            if (r == null) {
                continue;
            }
            int err = canFork(r, parent.css[id]);
            if (err != 0) {
                cancelFork(parent, id);
                return err;
            }
        }
        return 0;
    }

    /** cgroup_cancel_fork(): a fork every controller accepted failed later. */
    void cancelFork(Task parent) {
        cancelFork(parent, Cgroups.SUBSYS_COUNT);
    }

    private void cancelFork(Task parent, int below) {
        for (int id = 0; id < below; id++) {
            Cgroups.Registered<?> r = core.registered(id);
            if (r != null) {
                cancelFork(r, parent.css[id]);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static <S> int canFork(Cgroups.Registered<S> r, CgroupSubsysState<?> css) {
        return r.subsys().canFork(((CgroupSubsysState<S>) css).data);
    }

    @SuppressWarnings("unchecked")
    private static <S> void cancelFork(Cgroups.Registered<S> r, CgroupSubsysState<?> css) {
        r.subsys().cancelFork(((CgroupSubsysState<S>) css).data);
    }

    /** cgroup_exit(): an exiting task leaves its cgroup's live tasks but keeps its cgroup and csses referenced. */
    void exit(Task t) {
        if (t.cgroup == null || !t.cgroup.tasks.contains(t)) {
            return;
        }
        taskRemoved(t.cgroup, t);
        t.cgroup.dyingTasks.add(t);
        for (int id = 0; id < Cgroups.SUBSYS_COUNT; id++) {
            if (core.registered(id) != null) {
                exit(core.registered(id), t);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static <S> void exit(Cgroups.Registered<S> r, Task t) {
        r.subsys().exit(t, ((CgroupSubsysState<S>) t.css[r.id()]).data);
    }

    @SuppressWarnings("unchecked")
    private static <S> void release(Cgroups.Registered<S> r, Task t) {
        r.subsys().release(t, ((CgroupSubsysState<S>) t.css[r.id()]).data);
    }

    /** cgroup_release() and cgroup_free(): a reaped task lets go of its cgroup and csses. */
    void release(Task t) {
        exit(t);
        Cgroup cgrp = t.cgroup;
        if (cgrp == null) {
            return;
        }
        cgrp.dyingTasks.remove(t);
        for (int id = 0; id < Cgroups.SUBSYS_COUNT; id++) {
            if (core.registered(id) != null && t.css[id] != null) {
                release(core.registered(id), t);
            }
        }
        for (int id = 0; id < Cgroups.SUBSYS_COUNT; id++) {
            if (t.css[id] != null) {
                core.cssPut(t.css[id]);
            }
        }
        core.cgroupPut(cgrp);
    }

    /** A live task joins {@code cgrp} (css_set_move_task() to it): populated from its first. */
    void taskAdded(Cgroup cgrp, Task t) {
        boolean was = cgrp.isPopulated();
        cgrp.tasks.add(t);
        if (!was) {
            updatePopulated(cgrp);
        }
    }

    /** A live task leaves {@code cgrp}. */
    void taskRemoved(Cgroup cgrp, Task t) {
        cgrp.tasks.remove(t);
        if (!cgrp.isPopulated()) {
            updatePopulated(cgrp);
        }
    }

    /**
     * cgroup_update_populated(): {@code cgrp} became populated or empty; each ancestor counts its populated
     * children and changes state with its first or last.
     */
    private static void updatePopulated(Cgroup cgrp) {
        int adj = cgrp.isPopulated() ? 1 : -1;
        Cgroup child = cgrp;
        for (Cgroup p = cgrp.parent; p != null; child = p, p = p.parent) {
            boolean was = p.isPopulated();
            if (child.isThreaded()) {
                p.nrPopulatedThreadedChildren += adj;
            } else {
                p.nrPopulatedDomainChildren += adj;
            }
            if (was == p.isPopulated()) {
                break;
            }
        }
    }

    /**
     * cgroup.kill (cgroup_kill()): SIGKILL to every process of the cgroup and its live descendants, except kernel
     * threads and the ones already dying; init ignores it (SIGNAL_UNKILLABLE).
     */
    public void kill(Cgroup cgrp) {
        assert core.kernel().isWriter();
        List<Task> victims = new ArrayList<>();
        for (Cgroup c : core.preOrder(cgrp)) {
            for (Task t : c.tasks) {
                Task leader = core.kernel().processes().leaderOf(t);
                if (!t.isKthread() && leader.pid() != Processes.INIT_PID && !victims.contains(leader)) {
                    victims.add(leader);
                }
            }
        }
        for (Task t : victims) {
            core.kernel().processes().kill(t, Processes.SIGKILL);
        }
    }
}
