package io.simproc.kernel;

import io.simproc.uapi.Errno;

import java.util.List;

/**
 * Which controllers a cgroup's children get (kernel/cgroup/cgroup.c): cgroup.subtree_control writes
 * (cgroup_subtree_control_write(), with cgroup_vet_subtree_control_enable()'s no-internal-process rule), the
 * threaded mode of cgroup.type (cgroup_enable_threaded()), and what both apply to the subtree — the masks
 * (cgroup_control(), cgroup_ss_mask(), cgroup_propagate_control()), the csses created where a controller becomes
 * enabled (css_create()) and killed where it is disabled (kill_css()), and the tasks moved to their new csses
 * (cgroup_update_dfl_csses()). A change that fails half way is undone (cgroup_restore_control()).
 */
public final class CgroupControl {
    private final Cgroups core;

    CgroupControl(Cgroups core) {
        this.core = core;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Masks and domains

    /** cgroup_control(): the controllers visibly enabled on {@code cgrp} (its cgroup.controllers). */
    public int cgroupControl(Cgroup cgrp) {
        if (cgrp.parent != null) {
            int mask = cgrp.parent.subtreeControl;
            return cgrp.isThreaded() ? mask & core.threadedSsMask() : mask;
        }
        return core.subsysMask();
    }

    /** cgroup_ss_mask(): the controllers enabled on {@code cgrp} (it has a css of each). */
    int ssMask(Cgroup cgrp) {
        if (cgrp.parent != null) {
            int mask = cgrp.parent.subtreeSsMask;
            return cgrp.isThreaded() ? mask & core.threadedSsMask() : mask;
        }
        return core.subsysMask();
    }

    /** cgroup_is_mixable(): the root may hold processes and enable controllers for its children at once. */
    static boolean isMixable(Cgroup cgrp) {
        return cgrp.parent == null;
    }

    /** cgroup_can_be_thread_root(). */
    boolean canBeThreadRoot(Cgroup cgrp) {
        if (isMixable(cgrp)) {
            return true;
        }
        if (cgrp.isThreaded() || cgrp.nrPopulatedDomainChildren > 0) {
            return false;
        }
        return (cgrp.subtreeControl & ~core.threadedSsMask()) == 0;
    }

    /** cgroup_is_thread_root(). */
    boolean isThreadRoot(Cgroup cgrp) {
        if (cgrp.isThreaded()) {
            return false;
        }
        if (cgrp.nrThreadedChildren > 0) {
            return true;
        }
        return !cgrp.tasks.isEmpty() && (cgrp.subtreeControl & core.threadedSsMask()) != 0;
    }

    /** cgroup_is_valid_domain(): a domain connected to the root without a threaded cgroup in between. */
    boolean isValidDomain(Cgroup cgrp) {
        if (cgrp.isThreaded()) {
            return false;
        }
        for (Cgroup p = cgrp.parent; p != null; p = p.parent) {
            if (!isMixable(p) && isThreadRoot(p) || p.isThreaded()) {
                return false;
            }
        }
        return true;
    }

    /** cgroup_type_show(): threaded, domain invalid, domain threaded or domain. */
    public String type(Cgroup cgrp) {
        if (cgrp.isThreaded()) {
            return "threaded";
        }
        if (!isValidDomain(cgrp)) {
            return "domain invalid";
        }
        return isThreadRoot(cgrp) ? "domain threaded" : "domain";
    }

    // ---------------------------------------------------------------------------------------------------------
    // cgroup.subtree_control

    /**
     * cgroup_subtree_control_write() past its parsing: enable and disable controller masks (both given; a controller
     * in both was parsed as its last token says). 0, or -ENODEV (cgroup removed), -ENOENT (enabling a controller the
     * parent does not give this cgroup), -EBUSY (disabling one a child enables in its own subtree_control, or
     * enabling in a non-root cgroup with processes), -EOPNOTSUPP (threaded rules), or what a controller refused.
     */
    public int subtreeControlWrite(Cgroup cgrp, int enable, int disable) {
        assert core.kernel().isWriter();
        if (!cgrp.online) {
            return -Errno.ENODEV;
        }
        for (int id = 0; id < Cgroups.SUBSYS_COUNT; id++) {
            int bit = 1 << id;
            if ((enable & bit) != 0) {
                if ((cgrp.subtreeControl & bit) != 0) {
                    enable &= ~bit;
                } else if ((cgroupControl(cgrp) & bit) == 0) {
                    return -Errno.ENOENT;
                }
            } else if ((disable & bit) != 0) {
                if ((cgrp.subtreeControl & bit) == 0) {
                    disable &= ~bit;
                    continue;
                }
                for (Cgroup child : cgrp.children.values()) {
                    if ((child.subtreeControl & bit) != 0) {
                        return -Errno.EBUSY;
                    }
                }
            }
        }
        if (enable == 0 && disable == 0) {
            return 0;
        }
        int err = vetSubtreeControlEnable(cgrp, enable);
        if (err != 0) {
            return err;
        }
        saveControl(cgrp);
        cgrp.subtreeControl |= enable;
        cgrp.subtreeControl &= ~disable;
        err = applyControl(cgrp);
        finalizeControl(cgrp, err);
        return err;
    }

    /** cgroup_vet_subtree_control_enable(). */
    private int vetSubtreeControlEnable(Cgroup cgrp, int enable) {
        int domainEnable = enable & ~core.threadedSsMask();
        if (enable == 0) {
            return 0;
        }
        if (!isValidDomain(cgrp.domCgrp)) {
            return -Errno.EOPNOTSUPP;
        }
        if (isMixable(cgrp)) {
            return 0;
        }
        if (domainEnable != 0) {
            if (isThreadRoot(cgrp) || cgrp.isThreaded()) {
                return -Errno.EOPNOTSUPP;
            }
        } else if (canBeThreadRoot(cgrp) || cgrp.isThreaded()) {
            return 0;
        }
        return cgrp.tasks.isEmpty() ? 0 : -Errno.EBUSY;
    }

    // ---------------------------------------------------------------------------------------------------------
    // cgroup.type

    /**
     * cgroup_enable_threaded(): make {@code cgrp} threaded, joining its parent's resource domain. 0 (also when it
     * already is), -ENOENT (removed), -EOPNOTSUPP (populated, domain controllers enabled in it, or the parent's
     * domain cannot become a thread root).
     */
    public int enableThreaded(Cgroup cgrp) {
        assert core.kernel().isWriter();
        if (!cgrp.online) {
            return -Errno.ENOENT;
        }
        if (cgrp.isThreaded()) {
            return 0;
        }
        Cgroup dom = cgrp.parent.domCgrp;
        if (cgrp.isPopulated() || (cgrp.subtreeControl & ~core.threadedSsMask()) != 0) {
            return -Errno.EOPNOTSUPP;
        }
        if (!isValidDomain(dom) || !canBeThreadRoot(dom)) {
            return -Errno.EOPNOTSUPP;
        }
        saveControl(cgrp);
        for (Cgroup d : core.preOrder(cgrp)) {
            if (d == cgrp || d.isThreaded()) {
                d.domCgrp = dom;
            }
        }
        int err = applyControl(cgrp);
        if (err == 0) {
            cgrp.parent.nrThreadedChildren++;
        }
        finalizeControl(cgrp, err);
        return err;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Applying

    /** cgroup_save_control(). */
    private void saveControl(Cgroup cgrp) {
        for (Cgroup d : core.preOrder(cgrp)) {
            d.oldSubtreeControl = d.subtreeControl;
            d.oldSubtreeSsMask = d.subtreeSsMask;
            d.oldDomCgrp = d.domCgrp;
        }
    }

    /** cgroup_restore_control(). */
    private void restoreControl(Cgroup cgrp) {
        List<Cgroup> pre = core.preOrder(cgrp);
        for (int i = pre.size() - 1; i >= 0; i--) {
            Cgroup d = pre.get(i);
            d.subtreeControl = d.oldSubtreeControl;
            d.subtreeSsMask = d.oldSubtreeSsMask;
            d.domCgrp = d.oldDomCgrp;
        }
    }

    /** cgroup_propagate_control(): no descendant enables what it does not get; subtree_ss_mask follows. */
    void propagate(Cgroup cgrp) {
        for (Cgroup d : core.preOrder(cgrp)) {
            d.subtreeControl &= cgroupControl(d);
            d.subtreeSsMask = d.subtreeControl & ssMask(d);
        }
    }

    /** cgroup_apply_control(): masks, new csses, then the tasks' csses. */
    private int applyControl(Cgroup cgrp) {
        propagate(cgrp);
        int err = enableCsses(cgrp);
        if (err != 0) {
            return err;
        }
        return core.migrate().updateDflCsses(cgrp);
    }

    /** cgroup_finalize_control(): undo a failed change, then kill the csses no longer enabled. */
    private void finalizeControl(Cgroup cgrp, int err) {
        if (err != 0) {
            restoreControl(cgrp);
            propagate(cgrp);
        }
        List<Cgroup> pre = core.preOrder(cgrp);
        for (int i = pre.size() - 1; i >= 0; i--) {
            Cgroup d = pre.get(i);
            for (int id = 0; id < Cgroups.SUBSYS_COUNT; id++) {
                CgroupSubsysState<?> css = d.subsys[id];
                if (css != null && css.parent != null && (ssMask(d) & (1 << id)) == 0) {
                    killCss(css);
                }
            }
        }
    }

    /** cgroup_apply_control_enable(): a css for every controller a cgroup of the subtree gets and lacks. */
    int enableCsses(Cgroup cgrp) {
        for (Cgroup d : core.preOrder(cgrp)) {
            for (int id = 0; id < Cgroups.SUBSYS_COUNT; id++) {
                if ((ssMask(d) & (1 << id)) != 0 && d.subsys[id] == null) {
                    int err = cssCreate(d, core.registered(id));
                    if (err != 0) {
                        return err;
                    }
                }
            }
        }
        return 0;
    }

    /** css_create() and online_css(): 0, or css_online()'s refusal (the css is then freed). */
    private <S> int cssCreate(Cgroup cgrp, Cgroups.Registered<S> r) {
        @SuppressWarnings("unchecked")
        CgroupSubsysState<S> parentCss = (CgroupSubsysState<S>) cgrp.parent.subsys[r.id()];
        S data = r.subsys().cssAlloc(parentCss.data, cgrp);
        CgroupSubsysState<S> css = new CgroupSubsysState<>(r, cgrp, parentCss, data, core.nextSerial());
        css.refs = 1;
        cgrp.refs++;
        parentCss.refs++;
        int err = r.subsys().cssOnline(data);
        if (err != 0) {
            r.subsys().cssFree(data);
            cgrp.refs--;
            parentCss.refs--;
            return err;
        }
        css.flags |= CgroupSubsysState.CSS_ONLINE;
        cgrp.subsys[r.id()] = css;
        core.csses.add(css);
        for (CgroupSubsysState<S> p = parentCss; p != null; p = p.parent) {
            p.nrDescendants++;
        }
        return 0;
    }

    /**
     * kill_css() and offline_css(): the css is dying — counted in nr_dying_subsys from here up, no longer among
     * its ancestors' live descendants, gone from its cgroup, its controller told — and its base reference is put.
     */
    <S> void killCss(CgroupSubsysState<S> css) {
        if ((css.flags & CgroupSubsysState.CSS_DYING) != 0) {
            return;
        }
        int id = css.ss.id();
        css.flags |= CgroupSubsysState.CSS_DYING;
        css.cgroup.nrDyingSubsys[id]++;
        for (CgroupSubsysState<S> p = css.parent; p != null; p = p.parent) {
            p.nrDescendants--;
            p.cgroup.nrDyingSubsys[id]++;
        }
        css.ss.subsys().cssOffline(css.data);
        css.flags &= ~CgroupSubsysState.CSS_ONLINE;
        css.cgroup.subsys[id] = null;
        core.cssPut(css);
    }
}
