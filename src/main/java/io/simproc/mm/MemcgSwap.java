package io.simproc.mm;

/**
 * Swap slots charged to memory cgroups (mm/memcontrol.c, CONFIG_SWAP part): a slot written for a group's page is
 * charged to the group's swap counter (on the v1 hierarchy to memsw as well) until it is freed, and remembers the
 * group (swap_cgroup), so that the page swapped back in is charged to it again; memory.swap.max limits what a group
 * may swap.
 */
final class MemcgSwap {
    private final MemoryManager mm;
    private final Memcontrol memcontrol;

    MemcgSwap(MemoryManager mm, Memcontrol memcontrol) {
        this.mm = mm;
        this.memcontrol = memcontrol;
    }

    /**
     * __mem_cgroup_try_charge_swap(): a slot is being given to a page of a group: charge the group's swap counter
     * (unless the group is the root) and record the group for the slot. False (a "max" swap event, and the page
     * stays in memory) when memory.swap.max refuses. On v1, where no swap.max exists, the slot is charged to memsw
     * as well (forced: the memsw limit was checked when the page was charged).
     */
    boolean tryChargeSwap(int pfn, int entry) {
        MemCgroup memcg = memcontrol.folioMemcg(pfn);
        if (memcg == null) {
            return true;
        }
        if (!memcg.isRoot()) {
            PageCounter refused = memcg.swap.tryCharge(1);
            if (refused != null) {
                memcontrol.memoryEvent(memcg, MemcgEvent.SWAP_MAX);
                return false;
            }
            if (memcontrol.memswAccount()) {
                memcg.memsw.charge(1);
            }
        }
        memcg.nrSwapLocal++;
        mm.swap().recordSwapCgroup(entry, memcg.id);
        return true;
    }

    /** mem_cgroup_uncharge_swap(): the slot last charged to group {@code id} is free. */
    void unchargeSwap(int id) {
        MemCgroup memcg = memcontrol.fromId(id);
        if (memcg == null) {
            return;
        }
        memcg.nrSwapLocal--;
        if (memcg.isRoot()) {
            return;
        }
        memcg.swap.uncharge(1);
        if (memcontrol.memswAccount()) {
            memcg.memsw.uncharge(1);
        }
        if (!memcg.online) {
            memcontrol.cssFreeIfUnused(memcg);
        }
    }

    /**
     * mem_cgroup_swapin_charge_folio(): the group to charge a page read back from {@code entry} — the one that
     * swapped it out if it is still online, else the faulting address space's.
     */
    MemCgroup swapinMemcg(int entry, MmStruct m) {
        MemCgroup memcg = memcontrol.fromId(mm.swap().swapCgroup(entry));
        return memcg != null && memcg.online ? memcg : memcontrol.mmMemcg(m);
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
}
