package io.simproc.kernel;

import io.simproc.uapi.Credentials;
import io.simproc.uapi.Errno;

import java.util.ArrayList;
import java.util.List;

/**
 * Moving tasks between cgroups (kernel/cgroup/cgroup.c): a write to cgroup.procs or cgroup.threads
 * (__cgroup_procs_write(): the task, the writer's permission over the common ancestor, cgroup_migrate_vet_dst()'s
 * no-internal-process rule), cgroup_attach_task() for a process or a thread, and cgroup_update_dfl_csses() when a
 * subtree's controllers change. A migration is all or nothing (cgroup_migrate_execute()): the controllers whose css
 * of a task changes are asked (can_attach) before anything moves, told (attach) after. Tasks that are exiting stay
 * where they are, as cgroup_migrate_add_task() skips them.
 */
public final class CgroupMigrate {
    private final Cgroups core;

    CgroupMigrate(Cgroups core) {
        this.core = core;
    }

    /** A task's destination: cgroup and csses. */
    private record Plan(Task task, Cgroup dst, CgroupSubsysState<?>[] css) {
    }

    /**
     * __cgroup_procs_write(): move process ({@code threadgroup}, cgroup.procs) or thread {@code pid} (0: the writer's
     * own task {@code current}) into {@code dst} on behalf of {@code who}. 0, or -ENODEV (dst removed), -ESRCH (no
     * such task), -EINVAL (a kernel thread that may not migrate: PF_NO_SETAFFINITY, or kthreadd), -EACCES (the
     * writer may not write cgroup.procs of the common ancestor of source and destination), -EOPNOTSUPP (threaded
     * rules, or a thread moved out of its resource domain), -EBUSY (dst enables controllers for its children: no
     * internal processes), or a controller's refusal.
     */
    public int procsWrite(Cgroup dst, int pid, boolean threadgroup, Credentials who, Task current) {
        assert core.kernel().isWriter();
        WriteStart start = writeStart(dst, pid, threadgroup, current);
        if (start.err() != 0) {
            return start.err();
        }
        Task task = start.task();
        Cgroup src = task.cgroup;
        int err = attachPermissions(src, dst, who, threadgroup);
        if (err != 0) {
            return err;
        }
        return attachTask(dst, task, threadgroup);
    }

    /**
     * __cgroup1_procs_write(): a write to a v1 cgroup's cgroup.procs ({@code threadgroup}: the process) or tasks (the
     * thread). 0, or -ENODEV (removed), -ESRCH, -EINVAL (a kernel thread that may not move), -EACCES (the writer is
     * neither root nor the task's owner), or a controller's refusal.
     */
    public int procs1Write(Cgroup dst, int pid, boolean threadgroup, Credentials who, Task current) {
        assert core.kernel().isWriter();
        WriteStart start = writeStart(dst, pid, threadgroup, current);
        if (start.err() != 0) {
            return start.err();
        }
        if (!who.isRoot() && who.uid() != start.task().uid()) {
            return -Errno.EACCES;
        }
        return attachTask(dst, start.task(), threadgroup);
    }

    /** The task a write names, or the write's refusal (-errno, task null). */
    private record WriteStart(Task task, int err) {
    }

    /**
     * cgroup_kn_lock_live() and cgroup_procs_write_start(): -ENODEV for a removed destination; the task of
     * {@code pid} (0: {@code current}), its leader for a process; -ESRCH when there is none, -EINVAL for a kernel
     * thread that may not migrate.
     */
    private WriteStart writeStart(Cgroup dst, int pid, boolean threadgroup, Task current) {
        if (!dst.online) {
            return new WriteStart(null, -Errno.ENODEV);
        }
        Task task = pid == 0 ? current : core.kernel().tasks().get(pid);
        if (task == null) {
            return new WriteStart(null, -Errno.ESRCH);
        }
        if (threadgroup) {
            task = core.kernel().processes().leaderOf(task);
        }
        if ((task.flags() & Task.PF_NO_SETAFFINITY) != 0 || noCgroupMigration(task)) {
            return new WriteStart(null, -Errno.EINVAL);
        }
        return new WriteStart(task, 0);
    }

    /** task->no_cgroup_migration: kthreadd's, set by cgroup_init_kthreadd() and never cleared. */
    private static boolean noCgroupMigration(Task t) {
        return t.isKthread() && t.pid() == KernelThreads.KTHREADD_PID;
    }

    /** cgroup_attach_permissions(). */
    private int attachPermissions(Cgroup src, Cgroup dst, Credentials who, boolean threadgroup) {
        Cgroup com = src;
        while (!isDescendant(dst, com)) {
            com = com.parent;
        }
        if (!who.isRoot() && who.uid() != com.uid) {
            return -Errno.EACCES;
        }
        int err = vetDst(dst);
        if (err != 0) {
            return err;
        }
        return !threadgroup && src.domCgrp != dst.domCgrp ? -Errno.EOPNOTSUPP : 0;
    }

    /** cgroup_is_descendant(). */
    static boolean isDescendant(Cgroup cgrp, Cgroup ancestor) {
        for (Cgroup c = cgrp; c != null; c = c.parent) {
            if (c == ancestor) {
                return true;
            }
        }
        return false;
    }

    /**
     * cgroup_migrate_vet_dst(): a destination must be able to host resources (-EOPNOTSUPP), and one that enables
     * domain controllers for its children may not hold processes itself (-EBUSY), except the root.
     */
    public int vetDst(Cgroup dst) {
        if (!core.onDfl()) {
            return 0;
        }
        CgroupControl c = core.control();
        if (!c.isValidDomain(dst.domCgrp)) {
            return -Errno.EOPNOTSUPP;
        }
        if (c.canBeThreadRoot(dst) || dst.isThreaded()) {
            return 0;
        }
        return dst.subtreeControl != 0 ? -Errno.EBUSY : 0;
    }

    /**
     * cgroup_attach_task(): move {@code leader} (with all its threads when {@code threadgroup}) into {@code dst},
     * without the checks of a file write (a service manager placing what it starts). 0 or a controller's refusal.
     */
    public int attachTask(Cgroup dst, Task leader, boolean threadgroup) {
        assert core.kernel().isWriter();
        List<Task> tasks = new ArrayList<>();
        if (threadgroup) {
            for (int tid : core.kernel().processes().leaderOf(leader).threads()) {
                Task t = core.kernel().tasks().get(tid);
                if (t != null) {
                    tasks.add(t);
                }
            }
        } else {
            tasks.add(leader);
        }
        List<Plan> plans = new ArrayList<>();
        for (Task t : tasks) {
            plans.add(plan(t, dst));
        }
        return execute(plans);
    }

    /** cgroup_update_dfl_csses(): the live tasks below {@code cgrp} move to the csses their cgroups now have. */
    int updateDflCsses(Cgroup cgrp) {
        List<Plan> plans = new ArrayList<>();
        for (Cgroup d : core.preOrder(cgrp)) {
            if (d == cgrp) {
                continue;
            }
            for (Task t : d.tasks) {
                plans.add(plan(t, d));
            }
        }
        return execute(plans);
    }

    private Plan plan(Task t, Cgroup dst) {
        CgroupSubsysState<?>[] css = new CgroupSubsysState<?>[Cgroups.SUBSYS_COUNT];
        for (int id = 0; id < Cgroups.SUBSYS_COUNT; id++) {
            if (core.registered(id) != null) {
                css[id] = eCssByMask(dst, id);
            }
        }
        return new Plan(t, dst, css);
    }

    /** cgroup_e_css_by_mask(): the css of the nearest cgroup from {@code cgrp} up whose mask has the controller. */
    private CgroupSubsysState<?> eCssByMask(Cgroup cgrp, int id) {
        Cgroup c = cgrp;
        while ((core.control().ssMask(c) & (1 << id)) == 0) {
            c = c.parent;
        }
        return c.subsys[id];
    }

    /**
     * cgroup_migrate_execute(): the tasks that are not exiting and whose cgroup or csses change are asked of the
     * controllers concerned, moved, and told of.
     */
    private int execute(List<Plan> all) {
        List<Plan> plans = new ArrayList<>();
        int ssMask = 0;
        for (Plan p : all) {
            Task t = p.task();
            if ((t.flags() & Task.PF_EXITING) != 0 || !t.cgroup.tasks.contains(t)) {
                continue;
            }
            boolean moves = t.cgroup != p.dst();
            for (int id = 0; id < Cgroups.SUBSYS_COUNT; id++) {
                if (t.css[id] != p.css()[id]) {
                    ssMask |= 1 << id;
                    moves = true;
                }
            }
            if (moves) {
                plans.add(p);
            }
        }
        if (plans.isEmpty()) {
            return 0;
        }
        List<List<? extends CgroupSubsys.Move<?>>> moves = new ArrayList<>();
        for (int id = 0; id < Cgroups.SUBSYS_COUNT; id++) {
            moves.add((ssMask & (1 << id)) == 0 ? null : moves(core.registered(id), plans));
        }
        for (int id = 0; id < Cgroups.SUBSYS_COUNT; id++) {
            if (moves.get(id) == null) {
                continue;
            }
            int err = canAttach(core.registered(id), moves.get(id));
            if (err != 0) {
                for (int prev = 0; prev < id; prev++) {
                    if (moves.get(prev) != null) {
                        cancelAttach(core.registered(prev), moves.get(prev));
                    }
                }
                return err;
            }
        }
        core.kernel().sched().cgroupPsi().cgroupsChanging();
        for (Plan p : plans) {
            move(p);
        }
        for (int id = 0; id < Cgroups.SUBSYS_COUNT; id++) {
            if (moves.get(id) != null) {
                attach(core.registered(id), moves.get(id));
            }
        }
        return 0;
    }

    /** css_set_move_task() with the css_sets' references: the task joins the end of its destination's tasks. */
    private void move(Plan p) {
        Task t = p.task();
        Cgroup from = t.cgroup;
        core.tasks().taskRemoved(from, t);
        t.cgroup = p.dst();
        p.dst().refs++;
        core.tasks().taskAdded(p.dst(), t);
        for (int id = 0; id < Cgroups.SUBSYS_COUNT; id++) {
            CgroupSubsysState<?> old = t.css[id];
            if (old != p.css()[id]) {
                p.css()[id].refs++;
                t.css[id] = p.css()[id];
                core.cssPut(old);
            }
        }
        core.cgroupPut(from);
    }

    @SuppressWarnings("unchecked")
    private static <S> List<CgroupSubsys.Move<S>> moves(Cgroups.Registered<S> r, List<Plan> plans) {
        List<CgroupSubsys.Move<S>> out = new ArrayList<>();
        for (Plan p : plans) {
            CgroupSubsysState<S> to = (CgroupSubsysState<S>) p.css()[r.id()];
            CgroupSubsysState<S> from = (CgroupSubsysState<S>) p.task().css[r.id()];
            out.add(new CgroupSubsys.Move<>(p.task(), from.data, to.data));
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static <S> int canAttach(Cgroups.Registered<S> r, List<? extends CgroupSubsys.Move<?>> moves) {
        return r.subsys().canAttach((List<CgroupSubsys.Move<S>>) moves);
    }

    @SuppressWarnings("unchecked")
    private static <S> void cancelAttach(Cgroups.Registered<S> r, List<? extends CgroupSubsys.Move<?>> moves) {
        r.subsys().cancelAttach((List<CgroupSubsys.Move<S>>) moves);
    }

    @SuppressWarnings("unchecked")
    private static <S> void attach(Cgroups.Registered<S> r, List<? extends CgroupSubsys.Move<?>> moves) {
        r.subsys().attach((List<CgroupSubsys.Move<S>>) moves);
    }
}
