package io.simproc.mm;

import io.simproc.uapi.Errno;

/**
 * Charging pages to memory cgroups and uncharging them (mm/memcontrol.c: mem_cgroup_charge(), try_charge_memcg(),
 * mem_cgroup_uncharge()): a new user page is charged to a group before it is mapped or cached; the charge is taken
 * from the charging CPU's stock of pre-charged pages ({@link MemcgStock}) or counted in the group's page counter and
 * every ancestor's a batch at a time; a charge over a limit reclaims from the group ({@link MemcgReclaim}), drains the
 * stocks, and in the end invokes the OOM killer inside it ({@link OomKill}). Freeing the page uncharges it, an unmap's
 * pages together per group.
 */
public final class MemcgCharge {
    private final MemoryManager mm;
    private final MemMap map;
    private final Memcontrol memcontrol;
    private final MemcgStock stock;
    /** An uncharge_gather is open ({@link #beginUnchargeGather}): the group of the pages gathered and their number. */
    private boolean gathering;
    private MemCgroup gatherMemcg;
    private int gatherNr;

    MemcgCharge(MemoryManager mm, Memcontrol memcontrol) {
        this.mm = mm;
        this.map = mm.memMap();
        this.memcontrol = memcontrol;
        this.stock = new MemcgStock(this, mm.nrCpus());
    }

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
        return charge(pfn, nrPages, memcontrol.mmMemcg(m), Memcontrol.CHARGE_GFP, m.homeCpu);
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
        int retries = Memcontrol.MAX_RECLAIM_RETRIES;
        boolean passedOom = false;
        boolean drained = false;
        while (true) {
            if (stock.consume(memcg, nrPages, cpu)) {
                return 0;
            }
            PageCounter refused = memcontrol.memswAccount() ? memcg.memsw.tryCharge(batch) : null;
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
                if (memcontrol.memswAccount()) {
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
            memcontrol.memoryEvent(overLimit, MemcgEvent.MAX);
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
                retries = Memcontrol.MAX_RECLAIM_RETRIES;
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
        memcontrol.memoryEvent(memcg, MemcgEvent.OOM);
        return !memcg.oomKillDisable && mm.oomKill().memcgOutOfMemory(memcg, gfp, order);
    }

    /** try_charge_memcg()'s nomem/force exits: -ENOMEM unless the request may not fail. */
    private int forceOrFail(MemCgroup memcg, int nrPages, int gfp) {
        if ((gfp & (Gfp.__GFP_NOFAIL | Gfp.__GFP_HIGH)) == 0) {
            return -Errno.ENOMEM;
        }
        memcg.memory.charge(nrPages);
        if (memcontrol.memswAccount()) {
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
        if (memcontrol.memswAccount()) {
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
            if (memcontrol.memswAccount()) {
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
        MemCgroup memcg = memcontrol.fromId(id);
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
            memcontrol.cssFreeIfUnused(memcg);
        }
    }
}
