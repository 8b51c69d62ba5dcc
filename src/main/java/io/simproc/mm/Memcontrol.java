package io.simproc.mm;

import io.simproc.uapi.Errno;

import java.util.ArrayList;
import java.util.List;

/**
 * The memory controller (mm/memcontrol.c): the memory cgroups, and the charging of user pages to them. Every page a
 * task faults in, reads into the page cache or swaps in is charged to a group — the task's (its address space
 * owner's, get_mem_cgroup_from_mm()), or for a swap-in the group that swapped the page out — before it is mapped
 * or cached ({@link #charge}); the charge counts in the group's page counter and every ancestor's, and a charge
 * over a limit reclaims from the group ({@link MemcgReclaim}) and in the end invokes the OOM killer inside it
 * ({@link OomKill}). Freeing the page uncharges it ({@link #uncharge}). A page's group is in the mem_map
 * ({@link MemMap#memcgId}); the page sits on that group's {@link Lruvec} of its node, and the node counters the
 * page moves move that lruvec's copy too ({@link #modLruvecPageState}), which memory.stat and memory.numa_stat
 * read. The root group is never charged (its usage is the machine's); its lruvecs are the nodes' own. Kernel memory
 * is charged through obj_cgroups ({@link MemcgKmem}).
 *
 * <p>Swap (cgroup v2): a slot written for a group's page is charged to the group's swap counter until the slot is
 * freed; the slot remembers the group (swap_cgroup), so the page swapped back in is charged to it again.
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
    private final MemcgStock stock;
    private int nrMemcgs;
    /** do_memsw_account(): the memory controller is on a v1 hierarchy. */
    private boolean memswAccount;
    /** An uncharge_gather is open ({@link #beginUnchargeGather}): the group of the pages gathered and their number. */
    private boolean gathering;
    private MemCgroup gatherMemcg;
    private int gatherNr;

    Memcontrol(MemoryManager mm) {
        this.mm = mm;
        this.map = mm.memMap();
        this.write = new MemcgWrite(mm);
        this.kmem = new MemcgKmem(mm, this);
        this.stock = new MemcgStock(this, mm.nrCpus());
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
        stock.drainAll(memcg);
        memcg.memory.min = 0;
        memcg.memory.low = 0;
        kmem.reparentObjcgs(memcg);
        cssFreeIfUnused(memcg);
    }

    /** mem_cgroup_css_free(): an offline group with no charge left, and no child, leaves the tree and frees its id. */
    private void cssFreeIfUnused(MemCgroup memcg) {
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

    // ---------------------------------------------------------------------------------------------------------
    // charging

    /**
     * mem_cgroup_charge() of the {@code nrPages} pages from {@code pfn} (a new folio, not yet mapped or cached) to
     * {@code memcg} by a task on {@code cpu}: try_charge_memcg(), then commit_charge(). Returns 0, or -ENOMEM when
     * the group is at its limit, reclaim cannot make room and the OOM killer did not either (or killed the charging
     * task).
     */
    int charge(int pfn, int nrPages, MemCgroup memcg, int gfp, int cpu) {
        if (!memcg.isRoot()) {
            int r = tryCharge(memcg, nrPages, gfp, cpu);
            if (r != 0) {
                return r;
            }
        }
        for (int i = 0; i < nrPages; i++) {
            map.setMemcgId(pfn + i, memcg.id);
        }
        memcg.vmEvents[VmEvent.PGPGIN.ordinal()] += nrPages;
        return 0;
    }

    /** mem_cgroup_charge() of a new user page to the group of the address space it is faulted into. */
    int chargeMm(int pfn, int nrPages, MmStruct m) {
        return charge(pfn, nrPages, mmMemcg(m), CHARGE_GFP, m.homeCpu);
    }

    /** try_charge_memcg() by the current task, on its CPU (kernel memory charges). */
    int tryCharge(MemCgroup memcg, int nrPages, int gfp) {
        return tryCharge(memcg, nrPages, gfp, currentCpu());
    }

    /**
     * try_charge_memcg(): take the pages from {@code cpu}'s charge stock if it holds enough of the group's
     * ({@link MemcgStock}); else charge the counters (on v1 memsw first, then memory) a batch of
     * max(MEMCG_CHARGE_BATCH, nrPages) and stock the surplus, or, refused, just {@code nrPages}. A refused charge is
     * a memory.events "max", then reclaim from the group over its limit, then once a drain of every CPU's stock of
     * that group's subtree (drain_all_stock()), then more reclaim (MAX_RECLAIM_RETRIES times while it makes progress
     * or room; without swapping when memsw refused), then that group's OOM killer; after an OOM kill the charge is
     * retried, unless the charging task is the one dying. A charge that may not fail (__GFP_NOFAIL) is forced over
     * the limit.
     */
    int tryCharge(MemCgroup memcg, int nrPages, int gfp, int cpu) {
        int batch = Math.max(MemcgStock.MEMCG_CHARGE_BATCH, nrPages);
        int retries = MAX_RECLAIM_RETRIES;
        boolean passedOom = false;
        boolean drained = false;
        while (true) {
            if (stock.consume(memcg, nrPages, cpu)) {
                return 0;
            }
            PageCounter refused = memswAccount ? memcg.memsw.tryCharge(batch) : null;
            boolean maySwap = refused == null;
            if (refused == null) {
                refused = memcg.memory.tryCharge(batch);
                if (refused == null) {
                    if (batch > nrPages) {
                        stock.refill(memcg, batch - nrPages, cpu);
                    }
                    mm.memcgHigh().charged(memcg, batch, gfp);
                    return 0;
                }
                if (memswAccount) {
                    memcg.memsw.uncharge(batch);
                }
            }
            if (batch > nrPages) {
                batch = nrPages;
                continue;
            }
            MemCgroup overLimit = counterOwner(memcg, refused);
            if ((gfp & Gfp.__GFP_DIRECT_RECLAIM) == 0) {
                return forceOrFail(memcg, nrPages, gfp);
            }
            memoryEvent(overLimit, MemcgEvent.MAX);
            long reclaimed = mm.memcgReclaim().tryToFreeMemCgroupPages(overLimit, nrPages, gfp, maySwap);
            if (margin(overLimit) >= nrPages) {
                continue;
            }
            if (!drained) {
                stock.drainAll(overLimit);
                drained = true;
                continue;
            }
            if ((gfp & Gfp.__GFP_NORETRY) != 0) {
                return forceOrFail(memcg, nrPages, gfp);
            }
            if (reclaimed > 0 && nrPages <= 1 << PageAlloc.PAGE_ALLOC_COSTLY_ORDER) {
                continue;
            }
            if (retries-- > 0) {
                continue;
            }
            if ((gfp & Gfp.__GFP_RETRY_MAYFAIL) != 0 || passedOom && mm.services().currentIsOomVictim()) {
                return forceOrFail(memcg, nrPages, gfp);
            }
            if (memcgOom(overLimit, gfp, orderOf(nrPages))) {
                passedOom = true;
                retries = MAX_RECLAIM_RETRIES;
                continue;
            }
            return forceOrFail(memcg, nrPages, gfp);
        }
    }

    /**
     * mem_cgroup_oom(): count the group's "oom" event and invoke its OOM killer, except for a costly order (the
     * charge fails instead) or a group whose v1 oom_kill_disable is set.
     */
    private boolean memcgOom(MemCgroup memcg, int gfp, int order) {
        if (order > PageAlloc.PAGE_ALLOC_COSTLY_ORDER) {
            return false;
        }
        memoryEvent(memcg, MemcgEvent.OOM);
        return !memcg.oomKillDisable && mm.oomKill().memcgOutOfMemory(memcg, gfp, order);
    }

    /** try_charge_memcg()'s nomem/force exits: -ENOMEM unless the request may not fail. */
    private int forceOrFail(MemCgroup memcg, int nrPages, int gfp) {
        if ((gfp & (Gfp.__GFP_NOFAIL | Gfp.__GFP_HIGH)) == 0) {
            return -Errno.ENOMEM;
        }
        memcg.memory.charge(nrPages);
        if (memswAccount) {
            memcg.memsw.charge(nrPages);
        }
        return 0;
    }

    /**
     * The group whose memory (or memsw) counter {@code c} is, walking up from {@code memcg}
     * (mem_cgroup_from_counter()).
     */
    private static MemCgroup counterOwner(MemCgroup memcg, PageCounter c) {
        for (MemCgroup m = memcg; m != null; m = m.parent) {
            if (m.memory == c || m.memsw == c) {
                return m;
            }
        }
        throw new IllegalStateException("page counter of no ancestor");
    }

    /** memcg_uncharge(): {@code nr} pages charged to the group, not to any page, go back (memory, and memsw on v1). */
    void cancelCharge(MemCgroup memcg, int nr) {
        memcg.memory.uncharge(nr);
        if (memswAccount) {
            memcg.memsw.uncharge(nr);
        }
    }

    /**
     * refill_stock() of {@code nr} pages charged to {@code memcg} that no longer back anything (an obj_cgroup's
     * pages given back): pre-charged on the current CPU.
     */
    void refillStock(MemCgroup memcg, int nr) {
        stock.refill(memcg, nr, currentCpu());
    }

    /** drain_all_stock(): the stocks of every CPU holding pages of {@code memcg} or a group below it are drained. */
    public void drainAllStock(MemCgroup memcg) {
        stock.drainAll(memcg);
    }

    /** The charge stock of every CPU. */
    MemcgStock stock() {
        return stock;
    }

    /** smp_processor_id() of the current task: its address space's CPU; CPU 0 for a kernel thread. */
    int currentCpu() {
        MmStruct m = mm.services().currentMm();
        return m == null ? 0 : m.homeCpu;
    }

    /** get_order() of a charge of nrPages. */
    private static int orderOf(int nrPages) {
        return 32 - Integer.numberOfLeadingZeros(Math.max(1, nrPages) - 1);
    }

    /**
     * mem_cgroup_margin(): pages the group can still charge before its (or an ancestor's) max — on v1 its memsw
     * limit too.
     */
    public long margin(MemCgroup memcg) {
        long margin = Long.MAX_VALUE;
        for (MemCgroup m = memcg; m != null && !m.isRoot(); m = m.parent) {
            margin = Math.min(margin, Math.max(0, m.memory.max - m.memory.usage));
            if (memswAccount) {
                margin = Math.min(margin, Math.max(0, m.memsw.max - m.memsw.usage));
            }
        }
        return margin;
    }

    /**
     * mem_cgroup_uncharge() of one page being freed: the page forgets its group, and the group's counters drop — at
     * once, or, inside an unmap ({@link #beginUnchargeGather}), together with the group's other pages of the same
     * unmap when the run of pages of one group ends (uncharge_folio() into the uncharge_gather).
     */
    void uncharge(int pfn) {
        int id = map.memcgId(pfn);
        if (id == 0) {
            return;
        }
        map.setMemcgId(pfn, 0);
        MemCgroup memcg = byId[id];
        if (!gathering) {
            unchargeBatch(memcg, 1);
            return;
        }
        if (memcg != gatherMemcg) {
            flushUnchargeGather();
            gatherMemcg = memcg;
        }
        gatherNr++;
    }

    /**
     * An unmap begins to free pages (mem_cgroup_uncharge_folios() over the folios an mmu_gather frees): their
     * uncharges are gathered per group until {@link #endUnchargeGather}. False when one is already open (nested
     * unmaps gather into the outer one).
     */
    boolean beginUnchargeGather() {
        if (gathering) {
            return false;
        }
        gathering = true;
        return true;
    }

    /** The unmap that {@link #beginUnchargeGather} opened (when it returned true) is done: uncharge what it gathered. */
    void endUnchargeGather(boolean started) {
        if (!started) {
            return;
        }
        gathering = false;
        flushUnchargeGather();
    }

    private void flushUnchargeGather() {
        MemCgroup memcg = gatherMemcg;
        int nr = gatherNr;
        gatherMemcg = null;
        gatherNr = 0;
        if (nr > 0) {
            unchargeBatch(memcg, nr);
        }
    }

    /**
     * uncharge_batch(): {@code nr} pages of the group were freed: PGPGOUT, and its counters drop (the root's are not
     * charged); a dying group whose last pages these were is freed.
     */
    private void unchargeBatch(MemCgroup memcg, int nr) {
        memcg.vmEvents[VmEvent.PGPGOUT.ordinal()] += nr;
        if (memcg.isRoot()) {
            return;
        }
        cancelCharge(memcg, nr);
        if (!memcg.online) {
            cssFreeIfUnused(memcg);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // swap

    /**
     * __mem_cgroup_try_charge_swap(): a slot is being given to a page of a group: charge the group's swap counter
     * (unless the group is the root) and record the group for the slot. False (a "max" swap event, and the page
     * stays in memory) when memory.swap.max refuses. On v1, where no swap.max exists, the slot is charged to memsw
     * as well (forced: the memsw limit was checked when the page was charged).
     */
    boolean tryChargeSwap(int pfn, int entry) {
        MemCgroup memcg = byId[map.memcgId(pfn)];
        if (memcg == null) {
            return true;
        }
        if (!memcg.isRoot()) {
            PageCounter refused = memcg.swap.tryCharge(1);
            if (refused != null) {
                memoryEvent(memcg, MemcgEvent.SWAP_MAX);
                return false;
            }
            if (memswAccount) {
                memcg.memsw.charge(1);
            }
        }
        memcg.nrSwapLocal++;
        mm.swap().recordSwapCgroup(entry, memcg.id);
        return true;
    }

    /** mem_cgroup_uncharge_swap(): the slot last charged to group {@code id} is free. */
    void unchargeSwap(int id) {
        MemCgroup memcg = fromId(id);
        if (memcg == null) {
            return;
        }
        memcg.nrSwapLocal--;
        if (memcg.isRoot()) {
            return;
        }
        memcg.swap.uncharge(1);
        if (memswAccount) {
            memcg.memsw.uncharge(1);
        }
        if (!memcg.online) {
            cssFreeIfUnused(memcg);
        }
    }

    /**
     * mem_cgroup_swapin_charge_folio(): the group to charge a page read back from {@code entry} — the one that
     * swapped it out if it is still online, else the faulting address space's.
     */
    MemCgroup swapinMemcg(int entry, MmStruct m) {
        MemCgroup memcg = fromId(mm.swap().swapCgroup(entry));
        return memcg != null && memcg.online ? memcg : mmMemcg(m);
    }

    /**
     * mem_cgroup_get_nr_swap_pages(): the slots a group may still use, the least any group from it up leaves under
     * its swap.max, and no more than are free.
     */
    long nrSwapPages(MemCgroup memcg) {
        long n = mm.swap().nrSwapPagesFree();
        for (MemCgroup m = memcg; m != null && !m.isRoot(); m = m.parent) {
            n = Math.min(n, Math.max(0, m.swap.max - m.swap.usage));
        }
        return n;
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
