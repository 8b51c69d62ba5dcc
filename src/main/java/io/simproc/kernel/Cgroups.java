package io.simproc.kernel;

import io.simproc.uapi.Credentials;
import io.simproc.uapi.Errno;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The cgroup hierarchy the machine's controllers are bound to (kernel/cgroup/cgroup.c): the v2 one (cgrp_dfl_root),
 * or on a machine booted with the legacy layout the v1 memory hierarchy (a cgroup_root of kernel/cgroup/cgroup-v1.c,
 * {@link #onDfl()} false), which differs in what the core lets happen: every cgroup has a css of every bound
 * controller (no cgroup.subtree_control), processes may live anywhere, tasks move one by one through the v1 files,
 * and the files are v1's. Here: the root cgroup, the registered controllers, and
 * the operations on the tree — mkdir (cgroup_mkdir(), cgroup_create()), rmdir (cgroup_destroy_locked()) — and the
 * reference counts that keep a removed cgroup and its csses dying until nothing refers to them. The tasks'
 * lifecycle and the populated state are {@link CgroupTasks}, controller enabling {@link CgroupControl}, task
 * migration {@link CgroupMigrate}, the invariants {@link CgroupDebug}. Changed only by the machine's writer.
 */
public final class Cgroups {
    /**
     * The controllers' ids: their order in include/linux/cgroup_subsys.h, which is the order cgroup.controllers and
     * cgroup.stat list them in. Only controllers the simulation has are registered.
     */
    public static final List<String> SUBSYS_ORDER = List.of("cpuset", "cpu", "cpuacct", "io", "memory", "devices",
            "freezer", "net_cls", "perf_event", "net_prio", "hugetlb", "pids", "rdma", "misc", "dmem", "debug");
    /** CGROUP_SUBSYS_COUNT's bound (cgroup_init()'s BUILD_BUG_ON). */
    static final int SUBSYS_COUNT = 16;

    /** A registered controller and its id. */
    record Registered<S>(Cgroups core, CgroupSubsys<S> subsys, int id) {
    }

    private final Kernel kernel;
    /** cgroup_on_dfl(): the v2 hierarchy; false for the v1 hierarchy of the legacy layout. */
    private final boolean onDfl;
    private final Cgroup root;
    private final Registered<?>[] registered = new Registered<?>[SUBSYS_COUNT];
    /** cgrp_dfl_root.subsys_mask: the registered controllers. */
    private int subsysMask;
    /** cgrp_dfl_threaded_ss_mask. */
    private int threadedSsMask;
    /** css_serial_nr_next. */
    private long serialNext = 1;
    /** Every css not released yet, online or dying, in creation order. */
    final Set<CgroupSubsysState<?>> csses = new LinkedHashSet<>();
    /** Removed cgroups not released yet, in removal order. */
    private final Set<Cgroup> dying = new LinkedHashSet<>();
    private final CgroupControl control = new CgroupControl(this);
    private final CgroupMigrate migrate = new CgroupMigrate(this);
    private final CgroupTasks tasks = new CgroupTasks(this);

    Cgroups(Kernel kernel, boolean onDfl) {
        this.kernel = kernel;
        this.onDfl = onDfl;
        this.root = new Cgroup(this, null, "", serialNext++, 0, 0, 0555, null);
    }

    Kernel kernel() {
        return kernel;
    }

    /** The root cgroup (/sys/fs/cgroup, or /sys/fs/cgroup/memory on v1). */
    public Cgroup root() {
        return root;
    }

    /** cgroup_on_dfl(): whether this is the v2 hierarchy (false: the legacy layout's v1 memory hierarchy). */
    public boolean onDfl() {
        return onDfl;
    }

    /** root->hierarchy_id: 0 for the v2 hierarchy; the v1 memory hierarchy is the first (and only) v1 one. */
    public int hierarchyId() {
        return onDfl ? 0 : 1;
    }

    /** Where the hierarchy is mounted (the machine's mount table). */
    public String mountPoint() {
        return onDfl ? "/sys/fs/cgroup" : "/sys/fs/cgroup/memory";
    }

    /** root->nr_cgrps: the cgroups of the hierarchy not released yet, live or dying. */
    public int nrCgrps() {
        return preOrder(root).size() + dying.size();
    }

    /** Migration of tasks between cgroups (cgroup.procs, cgroup.threads). */
    public CgroupMigrate migrate() {
        return migrate;
    }

    /** The tasks' lifecycle in the hierarchy (fork, exit, reaping) and cgroup.kill. */
    public CgroupTasks tasks() {
        return tasks;
    }

    /** cgroup.subtree_control and cgroup.type writes. */
    public CgroupControl control() {
        return control;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Controllers

    /**
     * cgroup_init_subsys(): register a controller — its root css is allocated and brought online, and every task
     * gets it as its css (nothing below the root enables it yet). Returns its css of the root.
     */
    public <S> CgroupSubsysState<S> register(CgroupSubsys<S> ss) {
        assert kernel.isWriter();
        int id = SUBSYS_ORDER.indexOf(ss.name());
        if (id < 0) {
            throw new IllegalArgumentException("no cgroup controller named " + ss.name() + " (" + SUBSYS_ORDER + ")");
        }
        if (registered[id] != null) {
            throw new IllegalStateException("controller " + ss.name() + " registered twice");
        }
        Registered<S> r = new Registered<>(this, ss, id);
        registered[id] = r;
        subsysMask |= 1 << id;
        if (ss.threaded()) {
            threadedSsMask |= 1 << id;
        }
        CgroupSubsysState<S> css = new CgroupSubsysState<>(r, root, null, ss.cssAlloc(null, root), serialNext++);
        css.refs = 1;
        root.refs++;
        int err = ss.cssOnline(css.data);
        if (err != 0) {
            throw new IllegalStateException("css_online of the root " + ss.name() + " css failed: " + err);
        }
        css.flags |= CgroupSubsysState.CSS_ONLINE;
        root.subsys[id] = css;
        csses.add(css);
        if (!onDfl) {
            // rebind_subsystems(): a v1 root enables what is bound to it for its children.
            root.subtreeControl |= 1 << id;
            control.propagate(root);
        }
        for (Task t : kernel.tasks().all()) {
            if (t.cgroup != null) {
                t.css[id] = css;
                css.refs++;
            }
        }
        return css;
    }

    /** The controllers, by id (null where none is registered). */
    public List<CgroupSubsys<?>> subsystems() {
        List<CgroupSubsys<?>> out = new ArrayList<>();
        for (Registered<?> r : registered) {
            out.add(r == null ? null : r.subsys());
        }
        return Collections.unmodifiableList(out);
    }

    /** The id of a registered controller. */
    int ssid(CgroupSubsys<?> ss) {
        int id = SUBSYS_ORDER.indexOf(ss.name());
        if (id < 0 || registered[id] == null || registered[id].subsys() != ss) {
            throw new IllegalArgumentException("controller " + ss.name() + " is not registered");
        }
        return id;
    }

    Registered<?> registered(int id) {
        return registered[id];
    }

    /** The registered controllers as a mask of ids. */
    public int subsysMask() {
        return subsysMask;
    }

    int threadedSsMask() {
        return threadedSsMask;
    }

    /** The id of the controller named {@code name}, or -1 when none is registered under it. */
    public int ssidByName(String name) {
        int id = SUBSYS_ORDER.indexOf(name);
        return id >= 0 && registered[id] != null ? id : -1;
    }

    /** The controllers of a mask, space separated, in id order (cgroup_print_ss_mask() without the newline). */
    public String names(int mask) {
        StringBuilder sb = new StringBuilder();
        for (int id = 0; id < SUBSYS_COUNT; id++) {
            if ((mask & (1 << id)) != 0 && registered[id] != null) {
                sb.append(sb.length() > 0 ? " " : "").append(registered[id].subsys().name());
            }
        }
        return sb.toString();
    }

    /** cgroup_e_css(): the css of the nearest cgroup from {@code cgrp} up that has one. */
    @SuppressWarnings("unchecked")
    public <S> CgroupSubsysState<S> eCss(Cgroup cgrp, CgroupSubsys<S> ss) {
        return (CgroupSubsysState<S>) eCss(cgrp, ssid(ss));
    }

    CgroupSubsysState<?> eCss(Cgroup cgrp, int id) {
        for (Cgroup c = cgrp; c != null; c = c.parent) {
            if (c.subsys[id] != null) {
                return c.subsys[id];
            }
        }
        return root.subsys[id];
    }

    /** task_css(): the task's css of a controller (its cgroup's effective css when it last moved). */
    @SuppressWarnings("unchecked")
    public <S> CgroupSubsysState<S> taskCss(Task t, CgroupSubsys<S> ss) {
        return (CgroupSubsysState<S>) t.css[ssid(ss)];
    }

    // ---------------------------------------------------------------------------------------------------------
    // The tree

    /** The live cgroup at an absolute path ("/" is the root), or null. */
    public Cgroup lookup(String path) {
        if (!path.startsWith("/")) {
            return null;
        }
        Cgroup c = root;
        for (String part : path.split("/")) {
            if (part.isEmpty()) {
                continue;
            }
            c = c.children.get(part);
            if (c == null) {
                return null;
            }
        }
        return c;
    }

    /** The live cgroups, the root first, each before its children (cgroup_for_each_live_descendant_pre()). */
    public List<Cgroup> preOrder(Cgroup from) {
        List<Cgroup> out = new ArrayList<>();
        walkPre(from, out);
        return out;
    }

    private static void walkPre(Cgroup c, List<Cgroup> out) {
        out.add(c);
        for (Cgroup child : c.children.values()) {
            walkPre(child, out);
        }
    }

    /** Removed cgroups still dying (referenced by a zombie, a css, a dying child). */
    public Set<Cgroup> dying() {
        return Collections.unmodifiableSet(dying);
    }

    /**
     * cgroup_mkdir(): a child {@code name} of {@code parent} owned by {@code who}, the directory with {@code mode}.
     * Returns 0, or -EINVAL (a newline in the name, which would make /proc/PID/cgroup unparsable), -ENODEV (parent
     * removed), -EAGAIN (cgroup.max.depth or cgroup.max.descendants of an ancestor reached), -EEXIST, or what a
     * controller's css_online() refused with.
     */
    public int mkdir(Cgroup parent, String name, int mode, Credentials who) {
        assert kernel.isWriter();
        if (name.indexOf('\n') >= 0) {
            return -Errno.EINVAL;
        }
        if (!parent.online) {
            return -Errno.ENODEV;
        }
        if (!checkHierarchyLimits(parent)) {
            return -Errno.EAGAIN;
        }
        if (parent.children.containsKey(name)) {
            return -Errno.EEXIST;
        }
        Psi psi = new Psi(kernel.profile().nrCpus(), kernel.clock().nanos(), false);
        Cgroup cgrp = new Cgroup(this, parent, name, serialNext++, who.uid(), who.gid(), mode & 07777, psi);
        for (Cgroup a = parent; a != null; a = a.parent) {
            a.nrDescendants++;
        }
        parent.children.put(name, cgrp);
        parent.refs++;
        if (!onDfl) {
            // cgroup_create() on v1: children get every bound controller, and inherit the v1 flags.
            cgrp.subtreeControl = control.cgroupControl(cgrp);
            cgrp.notifyOnRelease = parent.notifyOnRelease;
            cgrp.cloneChildren = parent.cloneChildren;
        }
        control.propagate(cgrp);
        int err = control.enableCsses(cgrp);
        if (err != 0) {
            destroy(cgrp);
            return err;
        }
        kernel.sched().cgroupPsi().cgroupCreated(cgrp);
        return 0;
    }

    /** cgroup_max_depth_write() past its parsing: 0, or -ENOENT when the cgroup is removed. */
    public int setMaxDepth(Cgroup cgrp, int depth) {
        assert kernel.isWriter();
        if (!cgrp.online) {
            return -Errno.ENOENT;
        }
        cgrp.maxDepth = depth;
        return 0;
    }

    /** cgroup_max_descendants_write() past its parsing: 0, or -ENOENT when the cgroup is removed. */
    public int setMaxDescendants(Cgroup cgrp, int descendants) {
        assert kernel.isWriter();
        if (!cgrp.online) {
            return -Errno.ENOENT;
        }
        cgrp.maxDescendants = descendants;
        return 0;
    }

    /** cgroup_check_hierarchy_limits(): a new child of {@code parent} stays within every ancestor's limits. */
    private static boolean checkHierarchyLimits(Cgroup parent) {
        int level = 1;
        for (Cgroup c = parent; c != null; c = c.parent) {
            if (c.nrDescendants >= c.maxDescendants || level > c.maxDepth) {
                return false;
            }
            level++;
        }
        return true;
    }

    /**
     * cgroup_rmdir(): 0, or -EBUSY when the cgroup is populated or has a live child (the root: -EBUSY, a mount
     * point). The cgroup is dead from here on: it goes from its parent's directory at once, and is released when
     * nothing refers to it any more.
     */
    public int rmdir(Cgroup cgrp) {
        assert kernel.isWriter();
        if (cgrp.parent == null || cgrp.isPopulated() || !cgrp.children.isEmpty()) {
            return -Errno.EBUSY;
        }
        if (!cgrp.online) {
            return 0;
        }
        destroy(cgrp);
        return 0;
    }

    /** cgroup_destroy_locked() past its checks. */
    private void destroy(Cgroup cgrp) {
        cgrp.online = false;
        for (int id = 0; id < SUBSYS_COUNT; id++) {
            if (cgrp.subsys[id] != null) {
                control.killCss(cgrp.subsys[id]);
            }
        }
        cgrp.parent.children.remove(cgrp.name);
        if (cgrp.isThreaded()) {
            cgrp.parent.nrThreadedChildren--;
        }
        for (Cgroup a = cgrp.parent; a != null; a = a.parent) {
            a.nrDescendants--;
            a.nrDyingDescendants++;
        }
        dying.add(cgrp);
        cgroupPut(cgrp);
    }

    /** cgroup_put(): the last reference of a removed cgroup releases it (css_release_work_fn()) and frees it. */
    void cgroupPut(Cgroup cgrp) {
        if (--cgrp.refs > 0) {
            return;
        }
        if (cgrp.parent == null || cgrp.online || cgrp.refs < 0) {
            throw new IllegalStateException("cgroup " + cgrp + ": reference count " + cgrp.refs);
        }
        cgrp.released = true;
        dying.remove(cgrp);
        for (Cgroup a = cgrp.parent; a != null; a = a.parent) {
            a.nrDyingDescendants--;
        }
        kernel.sched().cgroupPsi().cgroupReleased(cgrp);
        cgroupPut(cgrp.parent);
    }

    /** css_put(). */
    <S> void cssPut(CgroupSubsysState<S> css) {
        if (--css.refs > 0) {
            return;
        }
        if (css.refs < 0 || (css.flags & CgroupSubsysState.CSS_DYING) == 0) {
            throw new IllegalStateException("css " + css + ": reference count " + css.refs + " while not dying");
        }
        css.flags |= CgroupSubsysState.CSS_RELEASED;
        csses.remove(css);
        int id = css.ss.id();
        for (Cgroup c = css.cgroup; c != null; c = c.parent) {
            c.nrDyingSubsys[id]--;
        }
        css.ss.subsys().cssReleased(css.data);
        css.ss.subsys().cssFree(css.data);
        cgroupPut(css.cgroup);
        if (css.parent != null) {
            cssPut(css.parent);
        }
    }

    long nextSerial() {
        return serialNext++;
    }

    /** The invariants of the hierarchy (CgroupDebug); violations are added to {@code errors}. */
    void check(List<String> errors) {
        CgroupDebug.check(this, errors);
        for (Registered<?> r : registered) {
            if (r != null) {
                r.subsys().check(this, errors);
            }
        }
    }
}
