package io.simproc.kernel;

import io.simproc.mm.MemCgroup;
import io.simproc.mm.Memcontrol;
import io.simproc.mm.MmStruct;

import java.util.List;

/**
 * memory_cgrp_subsys (mm/memcontrol.c): the memory controller as the cgroup core sees it. A cgroup whose parent
 * enables "memory" gets a {@link MemCgroup} ({@link Memcontrol#cssAlloc}); removing it takes the group offline
 * (it lives on while pages are charged to it). A process moving to another group, or exec'ing a new address space,
 * takes its address space with it: the pages it charges from then on go to the new group, the ones it has stay
 * charged where they are (cgroup v2 never moves charges, and 6.18's v1 no longer does). The files are
 * {@link MemcgFiles}, on the v1 hierarchy {@link Memcg1Files}.
 */
final class MemoryController implements CgroupSubsys<MemCgroup> {
    private final Kernel kernel;

    MemoryController(Kernel kernel) {
        this.kernel = kernel;
    }

    @Override
    public String name() {
        return "memory";
    }

    @Override
    public MemCgroup cssAlloc(MemCgroup parent, Cgroup cgrp) {
        Memcontrol memcontrol = kernel.mm().memcontrol();
        return parent == null ? memcontrol.root() : memcontrol.cssAlloc(parent, cgrp.name());
    }

    @Override
    public void cssOffline(MemCgroup css) {
        kernel.mm().memcontrol().cssOffline(css);
    }

    /** mem_cgroup_attach() → mm_update_owner(): a moved thread group leader's address space charges its new group. */
    @Override
    public void attach(List<Move<MemCgroup>> tasks) {
        for (Move<MemCgroup> move : tasks) {
            Task t = move.task();
            MmStruct m = t.mm();
            if (m != null && t.isLeader()) {
                kernel.mm().memcontrol().setMmMemcg(m, move.to());
            }
        }
    }

    /**
     * Run {@code work} with the kernel memory it allocates charged to task {@code t}'s group, as when t is current
     * (set_active_memcg()); before the controller has groups, or for a task in the root group, nothing is charged.
     */
    <T> T chargingTo(Task t, java.util.function.Supplier<T> work) {
        CgroupSubsysState<MemCgroup> css = t == null ? null : kernel.cgroups().taskCss(t, this);
        if (css == null) {
            return work.get();
        }
        io.simproc.mm.MemcgKmem kmem = kernel.mm().memcontrol().kmem();
        MemCgroup old = kmem.setActiveMemcg(css.data());
        try {
            return work.get();
        } finally {
            kmem.setActiveMemcg(old);
        }
    }

    /** The memory cgroup a task's new address space charges (exec): its own group's. */
    void execMm(Task t, MmStruct m) {
        MemCgroup memcg = kernel.cgroups().taskCss(t, this).data();
        kernel.mm().memcontrol().setMmMemcg(m, memcg);
    }

    @Override
    public List<Cftype<MemCgroup>> dflCftypes() {
        return MemcgFiles.cftypes(kernel);
    }

    @Override
    public List<Cftype<MemCgroup>> legacyCftypes() {
        return Memcg1Files.cftypes(kernel);
    }
}
