package io.simproc.mm;

import io.simproc.uapi.Page;

import java.util.HashMap;
import java.util.Map;

/**
 * Kernel memory charged to memory cgroups (mm/memcontrol.c's kmem part, CONFIG_MEMCG_KMEM). An allocation the
 * kernel accounts — an object of a SLAB_ACCOUNT cache or a kmalloc with __GFP_ACCOUNT (mm/slub.c:
 * memcg_slab_post_alloc_hook), a page allocated with __GFP_ACCOUNT such as a user page table (GFP_PGTABLE_USER) or
 * a large kmalloc (__memcg_kmem_charge_page), a kernel stack (kernel/fork.c: memcg_charge_kernel_stack), a percpu
 * allocation with __GFP_ACCOUNT (mm/percpu.c: pcpu_memcg_pre_alloc_hook) — is charged to the obj_cgroup of
 * current's group ({@link #currentObjcg}: set_active_memcg()'s group if one is set, else current's; nothing for the
 * root). Objects are charged in bytes over page-granular counters ({@link #objCgroupCharge}, the obj_stock's
 * arithmetic, {@link ObjCgroup}); the pages go into the group's memory counter and MEMCG_KMEM through
 * {@link #accountKmem}, the one place every kernel-memory page charge and uncharge passes (memcg_account_kmem()).
 * The stat of each kind (slab bytes, kernel stack KiB, page tables, percpu bytes) moves in the group the objcg
 * charges, on the node of the memory.
 *
 * <p>A removed group's objcgs are reparented ({@link #reparentObjcgs}): objects freed later uncharge the parent.
 * The kernel leaves the removed group's counters as they are (nobody reads them again); here the removed group's
 * kernel pages and stats are handed to the parent at that moment, which shows the same numbers in every file and
 * lets the group go once its user pages are gone.
 */
public final class MemcgKmem {
    private final MemoryManager mm;
    private final Memcontrol memcontrol;
    /** Page-granular charges (page->memcg_data with MEMCG_DATA_KMEM): first pfn → objcg. */
    private final Map<Integer, ObjCgroup> kmemPages = new HashMap<>();
    /** set_active_memcg(): the group kernel allocations are charged to instead of current's; null when none. */
    private MemCgroup activeMemcg;

    MemcgKmem(MemoryManager mm, Memcontrol memcontrol) {
        this.mm = mm;
        this.memcontrol = memcontrol;
    }

    /** set_active_memcg(): charge what follows to {@code memcg} (null: current's group again); returns the old one. */
    public MemCgroup setActiveMemcg(MemCgroup memcg) {
        MemCgroup old = activeMemcg;
        activeMemcg = memcg;
        return old;
    }

    /**
     * current_obj_cgroup(): the objcg of the active memcg or of current's group, the nearest ancestor's if the
     * group has none; null for the root (kernel threads, tasks in the root group), which is never charged. With
     * the root as the only group this returns at once.
     */
    public ObjCgroup currentObjcg() {
        if (activeMemcg == null && memcontrol.nrMemcgs() == 1) {
            return null;
        }
        MemCgroup memcg = activeMemcg != null ? activeMemcg : memcontrol.mmMemcg(mm.services().currentMm());
        for (; !memcg.isRoot(); memcg = memcg.parent) {
            if (memcg.objcg != null) {
                return memcg.objcg;
            }
        }
        return null;
    }

    // ---------------------------------------------------------------------------------------------------------
    // byte-granular charges

    /**
     * obj_cgroup_charge(): {@code size} bytes from the pre-charged bytes if they hold them (consume_obj_stock),
     * else whole pages charged to the group (try_charge_memcg(): reclaim, the group's OOM killer) with the rest of
     * the last page kept pre-charged. Returns 0 or -ENOMEM.
     */
    public int objCgroupCharge(ObjCgroup objcg, int gfp, long size) {
        if (objcg.nrBytes >= size) {
            objcg.nrBytes -= size;
            objcg.usedBytes += size;
            return 0;
        }
        long nrPages = size >>> Page.PAGE_SHIFT;
        long nrBytes = size & (Page.PAGE_SIZE - 1);
        if (nrBytes != 0) {
            nrPages++;
        }
        int r = chargePages(objcg, gfp, nrPages);
        if (r != 0) {
            return r;
        }
        objcg.usedBytes += nrPages << Page.PAGE_SHIFT;
        if (nrBytes != 0) {
            refillObjStock(objcg, Page.PAGE_SIZE - nrBytes, false);
        }
        return 0;
    }

    /** obj_cgroup_uncharge(): the bytes go back to the pre-charged ones; whole pages beyond one are uncharged. */
    public void objCgroupUncharge(ObjCgroup objcg, long size) {
        refillObjStock(objcg, size, true);
    }

    /**
     * refill_obj_stock(): {@code bytes} of used charge become pre-charged; with {@code allowUncharge}, more than a
     * page of them goes back as whole pages. A reparented objcg whose last user this was is released.
     */
    private void refillObjStock(ObjCgroup objcg, long bytes, boolean allowUncharge) {
        objcg.usedBytes -= bytes;
        objcg.nrBytes += bytes;
        if (allowUncharge && objcg.nrBytes > Page.PAGE_SIZE) {
            long nrPages = objcg.nrBytes >>> Page.PAGE_SHIFT;
            objcg.nrBytes &= Page.PAGE_SIZE - 1;
            unchargePages(objcg, nrPages);
        }
        if (objcg.killed && objcg.usedBytes == 0) {
            release(objcg);
        }
    }

    /** obj_cgroup_release(): the last user of a reparented objcg went; its pre-charged pages are uncharged. */
    private void release(ObjCgroup objcg) {
        long nrPages = objcg.nrBytes >>> Page.PAGE_SHIFT;
        objcg.nrBytes = 0;
        if (nrPages > 0) {
            unchargePages(objcg, nrPages);
        }
        objcg.memcg.objcgList.remove(objcg);
    }

    /** obj_cgroup_charge_pages(): try_charge_memcg() on the objcg's group, then memcg_account_kmem(). */
    private int chargePages(ObjCgroup objcg, int gfp, long nrPages) {
        MemCgroup memcg = objcg.memcg;
        int r = memcontrol.charging().tryCharge(memcg, (int) nrPages, gfp);
        if (r != 0) {
            return r;
        }
        objcg.nrPages += nrPages;
        accountKmem(memcg, nrPages);
        return 0;
    }

    /**
     * obj_cgroup_uncharge_pages(): memcg_account_kmem() down, then the pages go to the current CPU's charge stock
     * (refill_stock(); the root's, charged only through its children, straight off the counters).
     */
    private void unchargePages(ObjCgroup objcg, long nrPages) {
        MemCgroup memcg = objcg.memcg;
        objcg.nrPages -= nrPages;
        accountKmem(memcg, -nrPages);
        if (memcg.isRoot()) {
            memcontrol.charging().cancelCharge(memcg, (int) nrPages);
        } else {
            memcontrol.charging().refillStock(memcg, (int) nrPages);
        }
    }

    /**
     * memcg_account_kmem(): MEMCG_KMEM of the group moves by {@code nrPages} (negative: an uncharge). Every kernel
     * page charged to or uncharged from a group passes here; on the v1 hierarchy memcg1's kmem counter moves with it
     * (mm/memcontrol-v1.c: memcg1_account_kmem(), a counter never limited).
     */
    void accountKmem(MemCgroup memcg, long nrPages) {
        memcg.memcgState[MemcgStatItem.MEMCG_KMEM.ordinal()] += nrPages;
        if (memcontrol.memswAccount()) {
            if (nrPages > 0) {
                memcg.kmem.charge(nrPages);
            } else {
                memcg.kmem.uncharge(-nrPages);
            }
        }
    }

    /** mod_objcg_state(): a node counter of the objcg's group moves on node {@code nid}. */
    public void modObjcgState(ObjCgroup objcg, int nid, NodeStatItem item, long delta) {
        objcg.memcg.lruvec[nid].state[item.ordinal()] += delta;
    }

    /** mod_memcg_state() of a memcg_stat_item in the objcg's group. */
    public void modMemcgState(ObjCgroup objcg, MemcgStatItem item, long delta) {
        objcg.memcg.memcgState[item.ordinal()] += delta;
    }

    // ---------------------------------------------------------------------------------------------------------
    // page-granular charges

    /**
     * __memcg_kmem_charge_page(): the {@code 1 << order} pages from {@code pfn}, just allocated, are charged to
     * current's objcg. Returns 0 (also when current is in the root group) or -ENOMEM: the caller frees the pages.
     */
    public int chargePage(int pfn, int order, int gfp) {
        ObjCgroup objcg = currentObjcg();
        if (objcg == null) {
            return 0;
        }
        int r = chargePages(objcg, gfp, 1L << order);
        if (r != 0) {
            return r;
        }
        objcg.usedBytes += (long) Page.PAGE_SIZE << order;
        kmemPages.put(pfn, objcg);
        return 0;
    }

    /** __memcg_kmem_uncharge_page(): the pages from {@code pfn} are being freed; their objcg is uncharged. */
    public void unchargePage(int pfn, int order) {
        if (kmemPages.isEmpty()) {
            return;
        }
        ObjCgroup objcg = kmemPages.remove(pfn);
        if (objcg == null) {
            return;
        }
        objcg.usedBytes -= (long) Page.PAGE_SIZE << order;
        unchargePages(objcg, 1L << order);
        if (objcg.killed && objcg.usedBytes == 0) {
            release(objcg);
        }
    }

    /**
     * mod_lruvec_page_state() of a kernel page: the node's counter, and the share of the group the page is charged
     * to, if any.
     */
    public void modKmemPageState(int pfn, NodeStatItem item, long delta) {
        PgData pgdat = mm.zoneOf(pfn).node();
        pgdat.vmStat[item.ordinal()] += delta;
        if (kmemPages.isEmpty()) {
            return;
        }
        ObjCgroup objcg = kmemPages.get(pfn);
        if (objcg != null) {
            objcg.memcg.lruvec[pgdat.nodeId()].state[item.ordinal()] += delta;
        }
    }

    /** The objcg the page-granular charge at {@code pfn} went to, or null. */
    ObjCgroup pageObjcg(int pfn) {
        return kmemPages.get(pfn);
    }

    Map<Integer, ObjCgroup> kmemPages() {
        return kmemPages;
    }

    // ---------------------------------------------------------------------------------------------------------
    // removal

    /** The node counters kernel memory moves in a group (what reparenting hands over). */
    static final NodeStatItem[] KMEM_NODE_ITEMS = {NodeStatItem.NR_SLAB_RECLAIMABLE_B,
        NodeStatItem.NR_SLAB_UNRECLAIMABLE_B, NodeStatItem.NR_KERNEL_STACK_KB, NodeStatItem.NR_PAGETABLE};

    /**
     * memcg_offline_kmem() → memcg_reparent_objcgs(): the removed group's objcg and the ones reparented to it
     * before now charge its parent, and the live one is killed (released when its last user goes). Its kernel
     * pages and stats pass to the parent with them.
     */
    void reparentObjcgs(MemCgroup memcg) {
        MemCgroup parent = memcg.parent;
        ObjCgroup objcg = memcg.objcg;
        memcg.objcg = null;
        if (objcg == null) {
            return;
        }
        memcg.objcgList.add(objcg);
        for (ObjCgroup o : memcg.objcgList) {
            o.memcg = parent;
        }
        parent.objcgList.addAll(memcg.objcgList);
        memcg.objcgList.clear();
        objcg.killed = true;
        long kmem = memcg.memcgState[MemcgStatItem.MEMCG_KMEM.ordinal()];
        memcg.memory.reparent(kmem);
        if (memcontrol.memswAccount()) {
            memcg.memsw.reparent(kmem);
            memcg.kmem.reparent(kmem);
        }
        for (MemcgStatItem item : MemcgStatItem.values()) {
            parent.memcgState[item.ordinal()] += memcg.memcgState[item.ordinal()];
            memcg.memcgState[item.ordinal()] = 0;
        }
        for (int nid = 0; nid < memcg.lruvec.length; nid++) {
            for (NodeStatItem item : KMEM_NODE_ITEMS) {
                parent.lruvec[nid].state[item.ordinal()] += memcg.lruvec[nid].state[item.ordinal()];
                memcg.lruvec[nid].state[item.ordinal()] = 0;
            }
        }
        if (objcg.usedBytes == 0) {
            release(objcg);
        }
    }
}
