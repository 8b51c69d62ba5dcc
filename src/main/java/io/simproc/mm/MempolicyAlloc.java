package io.simproc.mm;

import io.simproc.uapi.Page;

import java.util.List;

/**
 * The allocation side of mm/mempolicy.c: which node a user page comes from under its task's {@link Mempolicy}
 * (get_vma_policy, policy_nodemask, interleave_nid, alloc_pages_mpol) and do_set_mempolicy(). A task without a
 * policy goes straight to the page allocator with its own node, as get_task_policy()'s per-node preferred policy
 * does: the default adds one null test to a fault.
 *
 * <p>The policy applies to the pages a task faults in (anonymous pages, huge pages, copies on write, swap-ins),
 * which all have a VMA and so an interleave index. The kernel applies it to the task's other allocations too
 * (page cache read or written by the task, its page tables), interleaving those by a per-task round robin; here
 * those come from the node the task runs on.
 */
public final class MempolicyAlloc {
    private final MemoryManager mm;

    MempolicyAlloc(MemoryManager mm) {
        this.mm = mm;
    }

    /** node_states[N_MEMORY]: the nodes with memory, as a mask. */
    public long memoryNodes() {
        long mask = 0;
        for (PgData pgdat : mm.nodes()) {
            for (Zone z : pgdat.zones) {
                if (z.isPopulated()) {
                    mask |= 1L << pgdat.nodeId();
                }
            }
        }
        return mask;
    }

    /** do_set_mempolicy(): the task owning {@code m} takes {@code pol} (null: back to the default). */
    public void setMempolicy(MmStruct m, Mempolicy pol) {
        mm.assertWriter();
        m.mempolicy = pol;
    }

    /**
     * The task moves to a new address space (execve) or a child starts from a copy of it (fork: mpol_dup): its
     * policy goes along.
     */
    public void inherit(MmStruct from, MmStruct to) {
        to.mempolicy = from.mempolicy;
    }

    /**
     * vma_alloc_folio(): a page of 2^order for {@code addr} of {@code vma}, under the policy of the task faulting
     * in {@code m} (there are no VMA policies, mbind(2), in the simulation). Returns the first pfn or -1.
     */
    int vmaAllocPages(int gfp, int order, MmStruct m, Vma vma, long addr, PageOwner owner) {
        Mempolicy pol = m.mempolicy;
        if (pol == null) {
            return mm.pageAlloc().allocPages(gfp, order, m.homeNid, m.homeCpu, owner);
        }
        // get_vma_policy(): the interleave index is the page's offset in the mapping, in units of the order.
        long ilx = (vma.pgoff >>> order) + ((addr - vma.start) >>> (Page.PAGE_SHIFT + order));
        return allocPagesMpol(gfp, order, pol, ilx, m, owner);
    }

    /**
     * huge_node(): the node a hugetlb fault at {@code addr} of {@code vma} prefers under the task's policy — the
     * interleave index counted in huge pages; a bind prefers the local node when the policy allows it.
     */
    int hugeNode(MmStruct m, Vma vma, long addr) {
        Mempolicy pol = m.mempolicy;
        if (pol == null) {
            return m.homeNid;
        }
        int order = Hugetlb.HUGETLB_PAGE_ORDER;
        long ilx = (vma.pgoff >>> order) + ((addr - vma.start) >>> (Page.PAGE_SHIFT + order));
        return switch (pol.mode()) {
            case PREFERRED -> pol.firstNode();
            case BIND -> (pol.nodes() & (1L << m.homeNid)) != 0 ? m.homeNid : pol.firstNode();
            case INTERLEAVE -> interleaveNid(pol, ilx);
            default -> m.homeNid;
        };
    }

    /**
     * alloc_pages_mpol() with policy_nodemask(): the preferred node and the nodemask the policy gives, then
     * __alloc_pages(); an interleaved page that landed on the node the interleave chose counts interleave_hit in
     * its zone.
     */
    private int allocPagesMpol(int gfp, int order, Mempolicy pol, long ilx, MmStruct m, PageOwner owner) {
        int nid = m.homeNid;
        long nodemask = 0;
        switch (pol.mode()) {
            case PREFERRED:
                nid = pol.firstNode();
                break;
            case BIND:
                if (applyPolicyZone(gfp)) {
                    nodemask = pol.nodes();
                }
                break;
            case INTERLEAVE:
                nid = interleaveNid(pol, ilx);
                break;
            default:
                break;
        }
        int pfn = mm.pageAlloc().allocPages(gfp, order, nid, nodemask, m.homeCpu, owner);
        if (pfn >= 0 && pol.mode() == Mempolicy.Mode.INTERLEAVE) {
            Zone z = mm.zoneOf(pfn);
            if (z.node().nodeId() == nid) {
                z.numaEvents[NumaStatItem.NUMA_INTERLEAVE_HIT.ordinal()]++;
            }
        }
        return pfn;
    }

    /**
     * apply_policy_zone(): a bind applies to allocations that may use policy_zone, the highest populated zone below
     * ZONE_MOVABLE (check_highest_zone()); kernel allocations limited to DMA or DMA32 on a machine with Normal
     * memory ignore it.
     */
    private boolean applyPolicyZone(int gfp) {
        int policyZone = 0;
        for (PgData pgdat : mm.nodes()) {
            for (Zone z : pgdat.zones) {
                if (z.isPopulated() && z.type() != ZoneType.MOVABLE) {
                    policyZone = Math.max(policyZone, z.type().ordinal());
                }
            }
        }
        return Gfp.gfpZone(gfp).ordinal() >= policyZone;
    }

    /** interleave_nid(): the (ilx mod weight)-th node of the mask. */
    static int interleaveNid(Mempolicy pol, long ilx) {
        long target = Long.remainderUnsigned(ilx, pol.weight());
        int nid = pol.firstNode();
        for (long i = 0; i < target; i++) {
            nid = pol.nextNodeIn(nid);
        }
        return nid;
    }

    /**
     * Invariants: every live address space's policy names only nodes with memory, in the shape mpol_new() gives
     * its mode (local: no node, prefer: one, bind and interleave: at least one; MPOL_DEFAULT is never stored), and
     * no node is left marked as under node reclaim between steps.
     */
    void check(List<String> errors) {
        long memory = memoryNodes();
        for (MmStruct m : mm.mmStructs().all()) {
            Mempolicy pol = m.mempolicy;
            if (pol == null) {
                continue;
            }
            int w = pol.weight();
            boolean shaped = switch (pol.mode()) {
                case DEFAULT -> false;
                case LOCAL -> w == 0;
                case PREFERRED -> w == 1;
                case BIND, INTERLEAVE -> w >= 1;
            };
            if (!shaped || !pol.within(memory)) {
                errors.add("an address space has memory policy " + pol + " on a machine whose nodes with memory are "
                        + Mempolicy.nodelist(memory));
            }
        }
        for (PgData pgdat : mm.nodes()) {
            if (pgdat.nodeReclaimLocked) {
                errors.add("node " + pgdat.nodeId() + " is still marked PGDAT_RECLAIM_LOCKED");
            }
        }
    }
}
