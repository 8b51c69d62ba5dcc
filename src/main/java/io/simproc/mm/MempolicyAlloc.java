package io.simproc.mm;

import io.simproc.uapi.Page;

/**
 * The allocation side of mm/mempolicy.c: which node a user page comes from under its task's {@link Mempolicy}
 * (get_vma_policy, policy_nodemask, interleave_nid, alloc_pages_mpol) and do_set_mempolicy(). A task without a
 * policy goes straight to the page allocator with its own node, as get_task_policy()'s per-node preferred policy
 * does: the default adds one null test to a fault.
 */
public final class MempolicyAlloc {
    /** NO_INTERLEAVE_INDEX: an allocation without a VMA offset, interleaved by the task's round robin. */
    static final long NO_INTERLEAVE_INDEX = -1;

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

    /**
     * do_set_mempolicy(): the task owning {@code m} takes {@code pol} (null: back to the default); an interleave
     * policy restarts its round robin at the first node (il_prev = MAX_NUMNODES - 1).
     */
    public void setMempolicy(MmStruct m, Mempolicy pol) {
        mm.assertWriter();
        m.mempolicy = pol;
        m.ilPrev = Mempolicy.MAX_NUMNODES - 1;
    }

    /**
     * The task moves to a new address space (execve) or a child starts from a copy of it (fork: mpol_dup): its
     * policy and interleave position go along.
     */
    public void inherit(MmStruct from, MmStruct to) {
        to.mempolicy = from.mempolicy;
        to.ilPrev = from.ilPrev;
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
        long ilx = NO_INTERLEAVE_INDEX;
        if (pol.mode() == Mempolicy.Mode.INTERLEAVE) {
            // get_vma_policy(): the interleave index is the page's offset in the mapping, in units of the order.
            ilx = (vma.pgoff >>> order) + ((addr - vma.start) >>> (Page.PAGE_SHIFT + order));
        }
        return allocPagesMpol(gfp, order, pol, ilx, m, owner);
    }

    /**
     * alloc_pages_mpol() with policy_nodemask(): the preferred node and the nodemask the policy gives, then
     * __alloc_pages(); an interleaved page that landed on the node the interleave chose counts interleave_hit in
     * its zone.
     */
    int allocPagesMpol(int gfp, int order, Mempolicy pol, long ilx, MmStruct m, PageOwner owner) {
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
                nid = ilx == NO_INTERLEAVE_INDEX ? interleaveNodes(pol, m) : interleaveNid(pol, ilx);
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

    /** interleave_nodes(): the task's round robin, the next node of the mask after the last one used. */
    private int interleaveNodes(Mempolicy pol, MmStruct m) {
        int nid = pol.nextNodeIn(m.ilPrev);
        m.ilPrev = nid;
        return nid;
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
}
