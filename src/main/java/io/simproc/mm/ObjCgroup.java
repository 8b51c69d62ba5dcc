package io.simproc.mm;

/**
 * struct obj_cgroup (include/linux/memcontrol.h): what a kernel object or page charged to a memory cgroup points
 * to, so that its free uncharges the right group even after the allocating task moved or exited. A group has one
 * live objcg ({@link MemCgroup#objcg}); when the group is removed its objcgs are reparented (memcg_reparent_objcgs():
 * they point to the parent from then on, and the parent's list holds them), and one that no live object uses any
 * more is released (obj_cgroup_release(): its pre-charged bytes go back).
 *
 * <p>Charges are byte-granular above page-granular counters: {@code nrPages} pages are charged through this objcg
 * to its group's memory counter (and MEMCG_KMEM); {@code nrBytes} of them are pre-charged and not used yet (the
 * obj_stock's nr_bytes and objcg->nr_charged_bytes, one stock per objcg here); {@code usedBytes} are the live
 * objects' and pages' sizes. Invariant: nrPages × PAGE_SIZE = usedBytes + nrBytes.
 */
public final class ObjCgroup {
    /** objcg->memcg: the group charged; the nearest live ancestor's once its own was removed. */
    MemCgroup memcg;
    long nrPages;
    long nrBytes;
    long usedBytes;
    /** percpu_ref_kill() at reparenting: the objcg is released when its last user goes. */
    boolean killed;

    ObjCgroup(MemCgroup memcg) {
        this.memcg = memcg;
    }

    /** obj_cgroup_memcg(). */
    public MemCgroup memcg() {
        return memcg;
    }

    @Override
    public String toString() {
        return "objcg of " + memcg + (killed ? " (reparented)" : "");
    }
}
