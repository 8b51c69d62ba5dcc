package io.simproc.kernel;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The cgroup hierarchy's invariants, checked after every step in tests ({@link Kernel#setDebugChecks}): every task
 * is in exactly one cgroup — a live task among the live tasks of a live cgroup, an exited one among its cgroup's
 * dying tasks — with the effective csses of that cgroup; populated states, nr_descendants, nr_dying_descendants and
 * nr_dying_subsys agree with a walk of the tree; every reference count is what holds it; controllers are enabled
 * only where the parent gives them, and a non-root domain that enables domain controllers has no processes (v2); on
 * the v1 hierarchy every cgroup has every bound controller and none is threaded.
 */
final class CgroupDebug {
    private CgroupDebug() {
    }

    /** What a walk of the tree finds for each cgroup, gathered once per check. */
    private static final class Walk {
        final Map<Cgroup, Integer> descendants = new HashMap<>();
        final Map<Cgroup, Boolean> populated = new HashMap<>();
        final Map<Cgroup, Integer> dyingDescendants = new HashMap<>();
        final Map<Cgroup, Integer> dyingChildren = new HashMap<>();
        final Map<Cgroup, Integer> csses = new HashMap<>();
        final Map<Cgroup, int[]> dyingSubsys = new HashMap<>();

        Walk(Cgroups core) {
            subtree(core.root());
            for (Cgroup d : core.dying()) {
                dyingChildren.merge(d.parent, 1, Integer::sum);
                for (Cgroup a = d.parent; a != null; a = a.parent) {
                    dyingDescendants.merge(a, 1, Integer::sum);
                }
            }
            for (CgroupSubsysState<?> css : core.csses) {
                csses.merge(css.cgroup, 1, Integer::sum);
                if (css.dying()) {
                    for (Cgroup a = css.cgroup; a != null; a = a.parent) {
                        dyingSubsys.computeIfAbsent(a, x -> new int[Cgroups.SUBSYS_COUNT])[css.ss.id()]++;
                    }
                }
            }
        }

        /** Post-order: live descendants and whether a live task is at or below {@code c}. */
        private int subtree(Cgroup c) {
            int n = 0;
            boolean pop = !c.tasks.isEmpty();
            for (Cgroup child : c.children.values()) {
                n += 1 + subtree(child);
                pop |= populated.get(child);
            }
            descendants.put(c, n);
            populated.put(c, pop);
            return n;
        }
    }

    static void check(Cgroups core, List<String> errors) {
        Kernel k = core.kernel();
        List<Cgroup> live = core.preOrder(core.root());
        Walk walk = new Walk(core);
        Map<Task, Integer> seen = new HashMap<>();
        for (Cgroup c : live) {
            count(c, seen, errors);
        }
        for (Cgroup c : core.dying()) {
            if (!c.tasks.isEmpty()) {
                errors.add("cgroup: removed " + c + " has live tasks " + c.threads());
            }
            count(c, seen, errors);
        }
        for (Task t : k.tasks().all()) {
            Integer n = seen.get(t);
            boolean exited = (t.flags() & Task.PF_EXITING) != 0;
            if (n == null || n != 1) {
                errors.add("cgroup: pid " + t.pid() + " is in " + (n == null ? 0 : n) + " cgroups");
            } else if (exited != t.cgroup.dyingTasks.contains(t)) {
                errors.add("cgroup: pid " + t.pid() + (exited ? " exited but is live in " : " is dying in ")
                        + t.cgroup);
            } else if (!exited && !t.cgroup.online) {
                errors.add("cgroup: live pid " + t.pid() + " in removed " + t.cgroup);
            }
            checkTaskCss(core, t, errors);
        }
        if (seen.size() != k.tasks().size()) {
            errors.add("cgroup: " + seen.size() + " tasks in cgroups, " + k.tasks().size() + " in the task list");
        }
        for (Cgroup c : live) {
            checkCgroup(core, walk, c, errors);
        }
        for (Cgroup c : core.dying()) {
            checkRefs(walk, c, errors);
            checkDyingSubsys(walk, c, errors);
        }
        checkCsses(core, errors);
    }

    private static void count(Cgroup c, Map<Task, Integer> seen, List<String> errors) {
        for (Task t : c.tasks) {
            seen.merge(t, 1, Integer::sum);
            if (t.cgroup != c) {
                errors.add("cgroup: pid " + t.pid() + " listed in " + c + " but belongs to " + t.cgroup);
            }
        }
        for (Task t : c.dyingTasks) {
            seen.merge(t, 1, Integer::sum);
            if (t.cgroup != c) {
                errors.add("cgroup: dying pid " + t.pid() + " listed in " + c + " but belongs to " + t.cgroup);
            }
        }
    }

    private static void checkTaskCss(Cgroups core, Task t, List<String> errors) {
        boolean exited = (t.flags() & Task.PF_EXITING) != 0;
        for (int id = 0; id < Cgroups.SUBSYS_COUNT; id++) {
            boolean registered = core.registered(id) != null;
            if (registered != (t.css[id] != null)) {
                errors.add("cgroup: pid " + t.pid() + " css of controller " + id + " is " + t.css[id]);
            } else if (registered && !exited && t.css[id] != core.eCss(t.cgroup, id)) {
                errors.add("cgroup: pid " + t.pid() + " in " + t.cgroup + " has css " + t.css[id] + ", not "
                        + core.eCss(t.cgroup, id));
            }
        }
    }

    private static void checkCgroup(Cgroups core, Walk walk, Cgroup c, List<String> errors) {
        CgroupControl control = core.control();
        int descendants = walk.descendants.get(c);
        if (c.nrDescendants != descendants) {
            errors.add("cgroup: " + c + " nr_descendants " + c.nrDescendants + ", walk " + descendants);
        }
        int dyingBelow = walk.dyingDescendants.getOrDefault(c, 0);
        if (c.nrDyingDescendants != dyingBelow) {
            errors.add("cgroup: " + c + " nr_dying_descendants " + c.nrDyingDescendants + ", walk " + dyingBelow);
        }
        boolean populated = walk.populated.get(c);
        int domain = 0;
        int threaded = 0;
        int threadedChildren = 0;
        for (Cgroup child : c.children.values()) {
            threadedChildren += child.isThreaded() ? 1 : 0;
            if (walk.populated.get(child)) {
                if (child.isThreaded()) {
                    threaded++;
                } else {
                    domain++;
                }
            }
        }
        if (populated != c.isPopulated() || domain != c.nrPopulatedDomainChildren
                || threaded != c.nrPopulatedThreadedChildren) {
            errors.add("cgroup: " + c + " populated " + c.isPopulated() + " (" + c.nrPopulatedDomainChildren + "/"
                    + c.nrPopulatedThreadedChildren + " children), walk " + populated + " (" + domain + "/"
                    + threaded + ")");
        }
        if (threadedChildren != c.nrThreadedChildren) {
            errors.add("cgroup: " + c + " nr_threaded_children " + c.nrThreadedChildren + ", walk "
                    + threadedChildren);
        }
        if ((c.subtreeControl & ~control.cgroupControl(c)) != 0) {
            errors.add("cgroup: " + c + " enables " + core.names(c.subtreeControl) + " but gets only "
                    + core.names(control.cgroupControl(c)));
        }
        if (!core.onDfl() && (c.subtreeControl != core.subsysMask() || c.isThreaded())) {
            errors.add("cgroup: v1 " + c + " enables " + core.names(c.subtreeControl) + " of "
                    + core.names(core.subsysMask()) + (c.isThreaded() ? ", threaded" : ""));
        }
        if (core.onDfl() && c.parent != null && !c.isThreaded() && control.isValidDomain(c)
                && (c.subtreeControl & ~core.threadedSsMask()) != 0 && !c.tasks.isEmpty()) {
            errors.add("cgroup: " + c + " enables " + core.names(c.subtreeControl) + " and holds processes");
        }
        for (int id = 0; id < Cgroups.SUBSYS_COUNT; id++) {
            boolean enabled = (control.ssMask(c) & (1 << id)) != 0;
            CgroupSubsysState<?> css = c.subsys[id];
            if (enabled != (css != null) || css != null && (!css.online() || css.cgroup != c)) {
                errors.add("cgroup: " + c + " controller " + id + " enabled " + enabled + " but css " + css);
            }
        }
        checkRefs(walk, c, errors);
        checkDyingSubsys(walk, c, errors);
    }

    /** cgroup->self.refcnt: base, tasks, its unreleased csses, its unreleased children. */
    private static void checkRefs(Walk walk, Cgroup c, List<String> errors) {
        if (c.parent == null) {
            return;
        }
        int refs = (c.online ? 1 : 0) + c.tasks.size() + c.dyingTasks.size() + c.children.size()
                + walk.csses.getOrDefault(c, 0) + walk.dyingChildren.getOrDefault(c, 0);
        if (refs != c.refs) {
            errors.add("cgroup: " + c + (c.online ? "" : " (removed)") + " holds " + c.refs + " references, "
                    + refs + " counted");
        }
    }

    /** cgroup->nr_dying_subsys[]: the dying csses at and below the cgroup. */
    private static void checkDyingSubsys(Walk walk, Cgroup c, List<String> errors) {
        int[] n = walk.dyingSubsys.getOrDefault(c, new int[Cgroups.SUBSYS_COUNT]);
        for (int id = 0; id < Cgroups.SUBSYS_COUNT; id++) {
            if (n[id] != c.nrDyingSubsys[id]) {
                errors.add("cgroup: " + c + " nr_dying_subsys[" + id + "] " + c.nrDyingSubsys[id] + ", walk "
                        + n[id]);
            }
        }
    }

    /** Per css: references (base, child csses, tasks, controller pins), live descendants, dying counts. */
    private static void checkCsses(Cgroups core, List<String> errors) {
        Map<CgroupSubsysState<?>, Integer> refs = new HashMap<>();
        Map<CgroupSubsysState<?>, Integer> descendants = new HashMap<>();
        for (CgroupSubsysState<?> css : core.csses) {
            refs.merge(css, ((css.flags & CgroupSubsysState.CSS_DYING) == 0 ? 1 : 0) + css.pins, Integer::sum);
            if (css.parent != null) {
                refs.merge(css.parent, 1, Integer::sum);
            }
            for (CgroupSubsysState<?> p = css.parent; p != null && css.online(); p = p.parent) {
                descendants.merge(p, 1, Integer::sum);
            }
        }
        for (Task t : core.kernel().tasks().all()) {
            for (CgroupSubsysState<?> css : t.css) {
                if (css != null) {
                    refs.merge(css, 1, Integer::sum);
                }
            }
        }
        for (CgroupSubsysState<?> css : core.csses) {
            if (css.parent != null && refs.getOrDefault(css, 0) != css.refs) {
                errors.add("cgroup: css " + css + " holds " + css.refs + " references, "
                        + refs.getOrDefault(css, 0) + " counted");
            }
            if (css.online() && descendants.getOrDefault(css, 0) != css.nrDescendants) {
                errors.add("cgroup: css " + css + " nr_descendants " + css.nrDescendants + ", walk "
                        + descendants.getOrDefault(css, 0));
            }
        }
    }
}
