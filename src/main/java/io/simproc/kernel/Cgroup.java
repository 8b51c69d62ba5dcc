package io.simproc.kernel;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * struct cgroup of the default (v2) hierarchy: a directory of /sys/fs/cgroup with its tasks (css_set's task lists:
 * the live ones in the order they joined, and the exited ones not reaped yet), its children by name, the controllers
 * it enables for them (subtree_control), its css per controller, the limits on its subtree (max.depth,
 * max.descendants) and the counters cgroup.stat and cgroup.events show. Threaded cgroups share their domain's
 * resource domain ({@link #domCgrp}). Changed only by {@link Cgroups} as the machine's writer; the getters are what
 * the files render.
 */
public final class Cgroup {
    /** INT_MAX: no limit (cgroup.max.depth and cgroup.max.descendants show "max"). */
    public static final int MAX = Integer.MAX_VALUE;

    final Cgroups core;
    final Cgroup parent;
    final String name;
    final int level;
    final long serial;
    /** Owner of the directory and its files (the creator, cgroup_kn_set_ugid()), and the directory's mode. */
    final int uid;
    final int gid;
    final int mode;
    final Map<String, Cgroup> children = new LinkedHashMap<>();
    /** Live tasks (not exiting), in the order they joined. */
    final Set<Task> tasks = new LinkedHashSet<>();
    /** Exited tasks not reaped yet (css_set->dying_tasks): they keep the cgroup and their csses referenced. */
    final Set<Task> dyingTasks = new LinkedHashSet<>();
    final CgroupSubsysState<?>[] subsys = new CgroupSubsysState<?>[Cgroups.SUBSYS_COUNT];
    final int[] nrDyingSubsys = new int[Cgroups.SUBSYS_COUNT];
    int subtreeControl;
    int subtreeSsMask;
    int maxDepth = MAX;
    int maxDescendants = MAX;
    int nrDescendants;
    int nrDyingDescendants;
    int nrPopulatedDomainChildren;
    int nrPopulatedThreadedChildren;
    int nrThreadedChildren;
    Cgroup domCgrp = this;
    /** Self's CSS_ONLINE: cleared by rmdir, after which the cgroup is dead (dying until released). */
    boolean online = true;
    boolean released;
    /** The self css's references: base (until rmdir), tasks, its csses, its children (until freed). */
    int refs = 1;
    /** Kept across a failed cgroup.subtree_control write (cgroup_save_control()). */
    int oldSubtreeControl;
    int oldSubtreeSsMask;
    Cgroup oldDomCgrp;
    /** The pressure stall information of the tasks in this cgroup's subtree (psi_group). */
    final Psi psi;
    /** v1's CGRP_NOTIFY_ON_RELEASE and CGRP_CPUSET_CLONE_CHILDREN flags (notify_on_release, cgroup.clone_children). */
    boolean notifyOnRelease;
    boolean cloneChildren;

    Cgroup(Cgroups core, Cgroup parent, String name, long serial, int uid, int gid, int mode, Psi psi) {
        this.core = core;
        this.parent = parent;
        this.name = name;
        this.level = parent == null ? 0 : parent.level + 1;
        this.serial = serial;
        this.uid = uid;
        this.gid = gid;
        this.mode = mode;
        this.psi = psi;
    }

    /** The directory name ("" for the root). */
    public String name() {
        return name;
    }

    /** The parent cgroup, null for the root. */
    public Cgroup parent() {
        return parent;
    }

    /** cgroup->level: 0 for the root. */
    public int level() {
        return level;
    }

    /** The path from the root as /proc/PID/cgroup prints it (cgroup_path_ns()): "/" for the root. */
    public String path() {
        if (parent == null) {
            return "/";
        }
        StringBuilder sb = new StringBuilder();
        for (Cgroup c = this; c.parent != null; c = c.parent) {
            sb.insert(0, c.name).insert(0, '/');
        }
        return sb.toString();
    }

    public int uid() {
        return uid;
    }

    public int gid() {
        return gid;
    }

    /** The directory's permission bits. */
    public int mode() {
        return mode;
    }

    /** The live children, in the order they were made. */
    public Collection<Cgroup> children() {
        return Collections.unmodifiableCollection(children.values());
    }

    /** The live child of that name, or null. */
    public Cgroup child(String childName) {
        return children.get(childName);
    }

    /** !cgroup_is_dead(): not removed. */
    public boolean isOnline() {
        return online;
    }

    /** cgroup_is_populated(): it or a descendant has a live task. */
    public boolean isPopulated() {
        return !tasks.isEmpty() || nrPopulatedDomainChildren + nrPopulatedThreadedChildren > 0;
    }

    /** cgroup_is_threaded(). */
    public boolean isThreaded() {
        return domCgrp != this;
    }

    /** The live tasks (threads) in this cgroup itself, in the order they joined. */
    public Collection<Task> tasks() {
        return Collections.unmodifiableCollection(tasks);
    }

    /**
     * cgroup.procs' pids (css_task_iter with CSS_TASK_ITER_PROCS | CSS_TASK_ITER_THREADED): the thread group
     * leaders among the live tasks of this cgroup and, for a domain, of the threaded cgroups whose domain it is.
     */
    public List<Integer> procs() {
        List<Integer> out = new ArrayList<>();
        for (Cgroup c : threadedDomainMembers()) {
            for (Task t : c.tasks) {
                if (t.isLeader()) {
                    out.add(t.pid());
                }
            }
        }
        return out;
    }

    /** cgroup.threads' pids: every live task of this cgroup. */
    public List<Integer> threads() {
        List<Integer> out = new ArrayList<>();
        for (Task t : tasks) {
            out.add(t.pid());
        }
        return out;
    }

    /** This cgroup and, when it is a thread root, the threaded cgroups of its subtree (their css_sets). */
    private List<Cgroup> threadedDomainMembers() {
        List<Cgroup> out = new ArrayList<>();
        out.add(this);
        if (!isThreaded()) {
            addThreaded(this, out);
        }
        return out;
    }

    private static void addThreaded(Cgroup c, List<Cgroup> out) {
        for (Cgroup child : c.children.values()) {
            if (child.isThreaded()) {
                out.add(child);
                addThreaded(child, out);
            }
        }
    }

    /**
     * The v1 pidlist of the cgroup (cgroup_pidlist_load()): its live tasks' pids ({@code procs}: their thread group
     * ids), sorted, each once.
     */
    public List<Integer> pidlist(boolean procs) {
        java.util.TreeSet<Integer> out = new java.util.TreeSet<>();
        for (Task t : tasks) {
            out.add(procs ? t.tgid() : t.pid());
        }
        return new ArrayList<>(out);
    }

    /** notify_on_release (v1). */
    public boolean notifyOnRelease() {
        return notifyOnRelease;
    }

    /** cgroup.clone_children (v1). */
    public boolean cloneChildren() {
        return cloneChildren;
    }

    /** cgroup_write_notify_on_release(). */
    public void setNotifyOnRelease(boolean on) {
        assert core.kernel().isWriter();
        notifyOnRelease = on;
    }

    /** cgroup_clone_children_write(). */
    public void setCloneChildren(boolean on) {
        assert core.kernel().isWriter();
        cloneChildren = on;
    }

    /** cgroup->subtree_control as a mask of controller ids. */
    public int subtreeControl() {
        return subtreeControl;
    }

    public int maxDepth() {
        return maxDepth;
    }

    public int maxDescendants() {
        return maxDescendants;
    }

    /** Live descendants (cgroup.stat nr_descendants). */
    public int nrDescendants() {
        return nrDescendants;
    }

    /** Removed descendants not released yet (nr_dying_descendants). */
    public int nrDyingDescendants() {
        return nrDyingDescendants;
    }

    /** cgroup->nr_dying_subsys[ssid]: dying csses of that controller at and below this cgroup. */
    public int nrDyingSubsys(int ssid) {
        return nrDyingSubsys[ssid];
    }

    /** cgroup_css(): this cgroup's own css of a controller, null when the controller is not enabled here. */
    @SuppressWarnings("unchecked")
    public <S> CgroupSubsysState<S> css(CgroupSubsys<S> ss) {
        return (CgroupSubsysState<S>) subsys[core.ssid(ss)];
    }

    /** The css at a controller id (for rendering), or null. */
    public CgroupSubsysState<?> css(int ssid) {
        return subsys[ssid];
    }

    /** The pressure stall information of this cgroup's subtree. */
    Psi psi() {
        return psi;
    }

    @Override
    public String toString() {
        return path();
    }
}
