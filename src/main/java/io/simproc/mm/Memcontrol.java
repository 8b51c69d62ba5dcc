package io.simproc.mm;

import io.simproc.uapi.Errno;

import java.util.ArrayList;
import java.util.List;

/**
 * The memory controller (mm/memcontrol.c): the memory cgroups, and the charging of user pages to them. Every page a
 * task faults in, reads into the page cache or swaps in is charged to a group — the task's (its address space
 * owner's, get_mem_cgroup_from_mm()), or for a swap-in the group that swapped the page out — before it is mapped
 * or cached ({@link MemcgCharge#charge}); the charge counts in the group's page counter and every ancestor's, and a charge
 * over a limit reclaims from the group ({@link MemcgReclaim}) and in the end invokes the OOM killer inside it
 * ({@link OomKill}). Freeing the page uncharges it ({@link MemcgCharge#uncharge}). A page's group is in the mem_map
 * ({@link MemMap#memcgId}); the page sits on that group's {@link Lruvec} of its node, and the node counters the
 * page moves move that lruvec's copy too ({@link #modLruvecPageState}), which memory.stat and memory.numa_stat
 * read. The root group is never charged (its usage is the machine's); its lruvecs are the nodes' own. Kernel memory
 * is charged through obj_cgroups ({@link MemcgKmem}).
 *
 * <p>Swap (cgroup v2): a slot written for a group's page is charged to the group's swap counter until the slot is
 * freed; the slot remembers the group (swap_cgroup), so the page swapped back in is charged to it again
 * ({@link MemcgSwap}).
 *
 * <p>On the v1 hierarchy (do_memsw_account(), {@link #useLegacyHierarchy}) every charge also goes through the
 * group's memsw counter, which limits memory and swap together: a page is charged to memory and memsw, a swap slot
 * to swap and memsw, so that memsw's usage is always memory's plus swap's. (The kernel hands a page's memsw charge
 * over to its slot at swap-out, mem_cgroup_swapout(); here a page in the swap cache and its slot are both counted
 * until the page is freed.) A charge that memsw refuses reclaims without swapping, which could not help.
 *
 * <p>The cgroup core creates and removes groups ({@link #cssAlloc}, {@link #cssOffline}); a removed group whose
 * pages are still charged stays, offline, until the last one is uncharged (a dying group).
 */
public final class Memcontrol {
    /** MEM_CGROUP_ID_MAX: ids are 16 bits wide (swap_cgroup stores them in an unsigned short). */
    public static final int MEM_CGROUP_ID_MAX = 0xffff;
    /** The root group's id. */
    static final int ROOT_ID = 1;
    /** MAX_RECLAIM_RETRIES: reclaim attempts of a charge before the OOM killer. */
    static final int MAX_RECLAIM_RETRIES = 16;
    /** The gfp mask of a user page's charge (mem_cgroup_charge(folio, mm, GFP_KERNEL) in the fault paths). */
    static final int CHARGE_GFP = Gfp.GFP_KERNEL;

    private final MemoryManager mm;
    private final MemMap map;
    private final MemCgroup root;
    /** mem_cgroup_ids: id → group, null where free. */
    private final MemCgroup[] byId = new MemCgroup[MEM_CGROUP_ID_MAX + 1];
    private final MemcgWrite write;
    private final MemcgKmem kmem;
    private final MemcgCharge charging;
    private final MemcgSwap swap;
    private int nrMemcgs;
    /** do_memsw_account(): the memory controller is on a v1 hierarchy. */
    private boolean memswAccount;

    Memcontrol(MemoryManager mm) {
        this.mm = mm;
        this.map = mm.memMap();
        this.write = new MemcgWrite(mm);
        this.kmem = new MemcgKmem(mm, this);
        this.charging = new MemcgCharge(mm, this);
        this.swap = new MemcgSwap(mm, this);
        this.root = new MemCgroup(ROOT_ID, null, "/", mm);
        byId[ROOT_ID] = root;
        for (PgData pgdat : mm.nodes()) {
            pgdat.lruvec = root.lruvec[pgdat.nodeId()];
        }
        nrMemcgs = 1;
    }

    /**
     * The memory controller is bound to a v1 hierarchy (!cgroup_subsys_on_dfl(memory_cgrp_subsys)): memsw counting,
     * per-group swappiness, v1's OOM report. Set at boot, before any group but the root exists.
     */
    public void useLegacyHierarchy() {
        mm.assertWriter();
        if (nrMemcgs != 1) {
            throw new IllegalStateException("the memory controller's hierarchy is chosen before groups exist");
        }
        memswAccount = true;
    }

    /** do_memsw_account(): whether the groups count memory and swap together (the v1 hierarchy). */
    public boolean memswAccount() {
        return memswAccount;
    }

    /**
     * mem_cgroup_swappiness(): a v1 group's own memory.swappiness, vm.swappiness for the root and on cgroup v2 (which
     * has no per-group swappiness).
     */
    public int swappiness(MemCgroup memcg) {
        return !memswAccount || memcg.isRoot() ? mm.tunables().swappiness : memcg.swappiness;
    }

    /**
     * mem_cgroup_usage() of the v1 files: a group's memory (or memsw) counter; the root, which is never charged, is
     * approximated from the machine's state — file and anonymous pages, plus the swap in use.
     */
    public long usage(MemCgroup memcg, boolean swap) {
        if (!memcg.isRoot()) {
            return swap ? memcg.memsw.usage : memcg.memory.usage;
        }
        long v = mm.vmstat().globalNodeState(NodeStatItem.NR_FILE_PAGES)
                + mm.vmstat().globalNodeState(NodeStatItem.NR_ANON_MAPPED);
        return swap ? v + mm.swap().totalSwapPages() - mm.swap().nrSwapPagesFree() : v;
    }

    /** The handlers of the groups' writable files. */
    public MemcgWrite write() {
        return write;
    }

    /** The charging and uncharging of pages to the groups, and the per-CPU charge stocks. */
    public MemcgCharge charging() {
        return charging;
    }

    /** The charging of swap slots to the groups. */
    MemcgSwap swap() {
        return swap;
    }

    /** The charging of kernel memory to the groups. */
    public MemcgKmem kmem() {
        return kmem;
    }

    /** Groups not yet freed, the root included. */
    int nrMemcgs() {
        return nrMemcgs;
    }

    /** root_mem_cgroup. */
    public MemCgroup root() {
        return root;
    }

    /** mem_cgroup_from_id(): the group with this id, or null. */
    public MemCgroup fromId(int id) {
        return id > 0 && id <= MEM_CGROUP_ID_MAX ? byId[id] : null;
    }

    /** Every group, online or dying, in pre-order from the root (css_for_each_descendant_pre). */
    public List<MemCgroup> all() {
        List<MemCgroup> out = new ArrayList<>(nrMemcgs);
        preorder(root, out);
        return out;
    }

    private static void preorder(MemCgroup m, List<MemCgroup> out) {
        out.add(m);
        for (MemCgroup c : m.children) {
            preorder(c, out);
        }
    }

    /**
     * mem_cgroup_css_alloc() + css_online(): a new group {@code name} under {@code parent}, with the lowest free id
     * (xa_alloc),
     * no limits and the parent's swappiness and oom_kill_disable. Throws {@link MemcgException} with ENOSPC when
     * every id is taken.
     */
    public MemCgroup cssAlloc(MemCgroup parent, String name) {
        mm.assertWriter();
        if (parent == null || !parent.online) {
            throw new IllegalArgumentException("a memory cgroup needs an online parent");
        }
        int id = 2;
        while (id <= MEM_CGROUP_ID_MAX && byId[id] != null) {
            id++;
        }
        if (id > MEM_CGROUP_ID_MAX) {
            throw new MemcgException(Errno.ENOSPC, "no free memory cgroup id");
        }
        MemCgroup memcg = new MemCgroup(id, parent, parent.isRoot() ? "/" + name : parent.path + "/" + name, mm);
        memcg.oomKillDisable = parent.oomKillDisable;
        memcg.swappiness = swappiness(parent);
        byId[id] = memcg;
        parent.children.add(memcg);
        nrMemcgs++;
        return memcg;
    }

    /**
     * mem_cgroup_css_offline(): the group's directory is gone. Its protections drop to 0; its pages stay charged
     * (and on its lruvecs, reclaimed first as an offline group's are) until they are freed, when the group itself
     * goes ({@link #cssFreeIfUnused}).
     */
    public void cssOffline(MemCgroup memcg) {
        mm.assertWriter();
        if (memcg.isRoot()) {
            throw new IllegalArgumentException("the root memory cgroup cannot go offline");
        }
        memcg.online = false;
        charging.drainAllStock(memcg);
        memcg.memory.min = 0;
        memcg.memory.low = 0;
        kmem.reparentObjcgs(memcg);
        cssFreeIfUnused(memcg);
    }

    /** mem_cgroup_css_free(): an offline group with no charge left, and no child, leaves the tree and frees its id. */
    void cssFreeIfUnused(MemCgroup memcg) {
        MemCgroup m = memcg;
        while (m != null && !m.online && m.children.isEmpty() && m.memory.usage == 0 && m.swap.usage == 0
                && m.memsw.usage == 0 && lruvecsEmpty(m)) {
            m.parent.children.remove(m);
            m.freed = true;
            byId[m.id] = null;
            nrMemcgs--;
            m = m.parent;
        }
    }

    private static boolean lruvecsEmpty(MemCgroup m) {
        for (Lruvec l : m.lruvec) {
            for (int lru = 0; lru < Lruvec.NR_LRU_LISTS; lru++) {
                if (l.size(lru) != 0) {
                    return false;
                }
            }
        }
        return true;
    }

    /** The groups not yet freed that are offline (nr_dying_descendants of the root). */
    public int nrDying() {
        int n = 0;
        for (MemCgroup m : all()) {
            n += m.online ? 0 : 1;
        }
        return n;
    }

    /** get_mem_cgroup_from_mm(): the group the address space's owner is in, the root for a kernel one. */
    public MemCgroup mmMemcg(MmStruct m) {
        return m == null || m.memcg == null ? root : m.memcg;
    }

    /**
     * The address space's owner moved to {@code memcg} (mem_cgroup_attach → mm_update_owner): its new pages are
     * charged there; the pages it has stay charged where they were (cgroup v2 does not move charges).
     */
    public void setMmMemcg(MmStruct m, MemCgroup memcg) {
        mm.assertWriter();
        m.memcg = memcg.isRoot() ? null : memcg;
    }

    /** folio_memcg(): the group the page is charged to, null when it is not charged. */
    public MemCgroup folioMemcg(int pfn) {
        return byId[map.memcgId(pfn)];
    }

    /** folio_lruvec(): the lruvec the page belongs on — its group's on its node (the root's when uncharged). */
    Lruvec folioLruvec(int pfn) {
        int id = map.memcgId(pfn);
        PgData node = mm.zoneOf(pfn).node();
        return id <= ROOT_ID ? node.lruvec : byId[id].lruvec[node.nodeId()];
    }

    /**
     * __lruvec_stat_mod_folio(): a node counter of the page moves, with its group's share on that node (an
     * uncharged page moves the node's alone).
     */
    void modLruvecPageState(int pfn, NodeStatItem item, long delta) {
        modPageState(pfn, mm.zoneOf(pfn).node(), item, delta);
    }

    /** mod_lruvec_state() on node {@code pgdat} for the group of page {@code pfn}. */
    void modPageState(int pfn, PgData pgdat, NodeStatItem item, long delta) {
        pgdat.vmStat[item.ordinal()] += delta;
        MemCgroup m = byId[map.memcgId(pfn)];
        if (m != null) {
            m.lruvec[pgdat.nodeId()].state[item.ordinal()] += delta;
        }
    }

    /** count_memcg_events(). */
    void countMemcgEvents(MemCgroup memcg, VmEvent event, long n) {
        memcg.vmEvents[event.ordinal()] += n;
    }

    /** count_memcg_event_mm(): an event of a task, in its address space's group. */
    void countMemcgEventMm(MmStruct m, VmEvent event, long n) {
        mmMemcg(m).vmEvents[event.ordinal()] += n;
    }

    /**
     * memcg_memory_event(): count {@code event} in the group's local counts and in its and every ancestor's
     * hierarchical ones (memory.events.local, memory.events).
     */
    void memoryEvent(MemCgroup memcg, MemcgEvent event) {
        memcg.eventsLocal[event.ordinal()]++;
        for (MemCgroup m = memcg; m != null && !m.isRoot(); m = m.parent) {
            m.events[event.ordinal()]++;
        }
    }

    /** A write to a memory cgroup file the kernel refuses, with its errno. */
    public static final class MemcgException extends RuntimeException {
        private final int errno;

        public MemcgException(int errno, String message) {
            super(message);
            this.errno = errno;
        }

        public int errno() {
            return errno;
        }
    }
}
