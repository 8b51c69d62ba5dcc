package io.simproc.mm;

import java.util.BitSet;

/**
 * Growing and shrinking the hugetlb pool (mm/hugetlb.c): folios come from the buddy allocator one order-9 block at
 * a time (alloc_pool_huge_folio: __GFP_THISNODE, __GFP_RETRY_MAYFAIL unless a hard try on the node already failed,
 * round robin over the allowed nodes), so a fragmented machine reaches a smaller pool than a fresh one; the pool
 * shrinks by giving free folios back (update_and_free_hugetlb_folio). This is what nr_hugepages and
 * nr_overcommit_hugepages drive (set_max_huge_pages), and where surplus folios come from and go back to.
 */
final class HugetlbPool {
    /** ULONG_MAX, the per-node count's overflow guard in set_max_huge_pages(). */
    private static final long ULONG_MAX = -1L;

    private final MemoryManager mm;
    private final Hstate h;

    HugetlbPool(MemoryManager mm, Hstate h) {
        this.mm = mm;
        this.h = h;
    }

    /** node_states[N_MEMORY]: the nodes with memory, where the pool may grow. */
    BitSet nodesWithMemory() {
        BitSet nodes = new BitSet();
        for (PgData p : mm.nodes()) {
            if (p.nodePresentPages() > 0) {
                nodes.set(p.nodeId());
            }
        }
        return nodes;
    }

    /**
     * __nr_hugepages_store_common() + set_max_huge_pages(): make the persistent pool {@code count} pages, on all
     * nodes with memory ({@code nid} &lt; 0, NUMA_NO_NODE) or with {@code count} the size of node {@code nid}'s
     * share. Surplus pages become persistent first; then fresh folios are allocated until the target is reached or
     * an allocation fails on every allowed node (a partial success, not an error). Shrinking frees free folios
     * (keeping those reservations need) and turns the rest of the excess into surplus, freed as they come back.
     */
    void setMaxHugePages(long count, int nid) {
        BitSet nodesAllowed = new BitSet();
        if (nid < 0) {
            nodesAllowed.or(nodesWithMemory());
        } else {
            nodesAllowed.set(nid);
            long oldCount = count;
            count += h.persistentHugePages() - (h.nrHugePagesNode[nid] - h.surplusHugePagesNode[nid]);
            if (Long.compareUnsigned(count, oldCount) < 0) {
                count = ULONG_MAX;
            }
        }
        while (h.surplusHugePages > 0 && Long.compareUnsigned(count, h.persistentHugePages()) > 0) {
            if (!adjustPoolSurplus(nodesAllowed, -1)) {
                break;
            }
        }
        BitSet nodeAllocNoretry = new BitSet();
        while (Long.compareUnsigned(count, h.persistentHugePages()) > 0) {
            int pfn = allocPoolHugeFolio(nodesAllowed, nodeAllocNoretry);
            if (pfn < 0) {
                h.maxHugePages = h.persistentHugePages();
                return;
            }
            h.accountNewHugetlbFolio(pfn);
            h.enqueueHugetlbFolio(pfn);
        }
        long minCount = h.resvHugePages + h.nrHugePages - h.freeHugePages;
        minCount = Long.compareUnsigned(count, minCount) > 0 ? count : minCount;
        while (Long.compareUnsigned(minCount, h.persistentHugePages()) < 0) {
            int pfn = removePoolHugetlbFolio(nodesAllowed, false);
            if (pfn < 0) {
                break;
            }
            updateAndFreeHugetlbFolio(pfn);
        }
        while (Long.compareUnsigned(count, h.persistentHugePages()) < 0) {
            if (!adjustPoolSurplus(nodesAllowed, 1)) {
                break;
            }
        }
        h.maxHugePages = h.persistentHugePages();
    }

    /**
     * alloc_pool_huge_folio(): a fresh folio from the next allowed node in turn (for_each_node_mask_to_alloc),
     * trying each allowed node once. Returns the head pfn, or -1 when every node failed.
     */
    private int allocPoolHugeFolio(BitSet nodesAllowed, BitSet nodeAllocNoretry) {
        for (int n = nodesAllowed.cardinality(); n > 0; n--) {
            int node = h.nextNodeToAlloc(nodesAllowed);
            int pfn = allocBuddyHugetlbFolio(node, nodeAllocNoretry);
            if (pfn >= 0) {
                return pfn;
            }
        }
        return -1;
    }

    /**
     * alloc_buddy_hugetlb_folio() with htlb_alloc_mask() | __GFP_THISNODE: try hard (__GFP_RETRY_MAYFAIL: reclaim
     * and compaction, never the OOM killer) unless a hard try on this node failed earlier in the same resize; a
     * failed hard try marks the node, a success without trying hard clears it. Without a mask ({@code null}: a
     * surplus folio) the node is preferred, not required. Counts htlb_buddy_alloc_success or
     * htlb_buddy_alloc_fail.
     */
    private int allocBuddyHugetlbFolio(int nid, BitSet nodeAllocNoretry) {
        boolean tryHard = nodeAllocNoretry == null || !nodeAllocNoretry.get(nid);
        int gfp = htlbAllocMask() | Gfp.__GFP_COMP | Gfp.__GFP_NOWARN;
        if (nodeAllocNoretry != null) {
            gfp |= Gfp.__GFP_THISNODE;
        }
        if (tryHard) {
            gfp |= Gfp.__GFP_RETRY_MAYFAIL;
        }
        int pfn = mm.pageAlloc().allocPages(gfp, Hugetlb.HUGETLB_PAGE_ORDER, nid, cpuOf(nid), PageOwner.HUGETLB);
        mm.vmstat().countEvent(pfn >= 0 ? VmEvent.HTLB_BUDDY_ALLOC_SUCCESS : VmEvent.HTLB_BUDDY_ALLOC_FAIL, 1);
        if (nodeAllocNoretry != null) {
            if (pfn >= 0 && !tryHard) {
                nodeAllocNoretry.clear(nid);
            } else if (pfn < 0 && tryHard) {
                nodeAllocNoretry.set(nid);
            }
        }
        return pfn;
    }

    /** htlb_alloc_mask(): 2 MB pages can migrate, so they come from movable memory. */
    private static int htlbAllocMask() {
        return Gfp.GFP_HIGHUSER_MOVABLE;
    }

    /** The CPU the allocation runs on: the first of the node (the resize runs where the writer runs). */
    private int cpuOf(int nid) {
        for (int cpu = 0; cpu < mm.nrCpus(); cpu++) {
            if (mm.cpuToNode(cpu) == nid) {
                return cpu;
            }
        }
        return 0;
    }

    /**
     * adjust_pool_surplus(): move one page of {@code delta} -1 (surplus to persistent, a node with surplus in
     * allocation order) or +1 (persistent to surplus, a node with persistent pages in freeing order).
     */
    private boolean adjustPoolSurplus(BitSet nodesAllowed, int delta) {
        for (int n = nodesAllowed.cardinality(); n > 0; n--) {
            int node = delta < 0 ? h.nextNodeToAlloc(nodesAllowed) : h.nextNodeToFree(nodesAllowed);
            boolean found = delta < 0 ? h.surplusHugePagesNode[node] > 0
                    : h.surplusHugePagesNode[node] < h.nrHugePagesNode[node];
            if (found) {
                h.surplusHugePages += delta;
                h.surplusHugePagesNode[node] += delta;
                return true;
            }
        }
        return false;
    }

    /**
     * remove_pool_hugetlb_folio(): take a free folio off the pool from the next node in freeing order that has one
     * (with {@code acctSurplus}, only a node with surplus pages, whose count drops too). Returns its pfn or -1.
     */
    int removePoolHugetlbFolio(BitSet nodesAllowed, boolean acctSurplus) {
        for (int n = nodesAllowed.cardinality(); n > 0; n--) {
            int node = h.nextNodeToFree(nodesAllowed);
            if ((!acctSurplus || h.surplusHugePagesNode[node] > 0) && !h.freelistEmpty(node)) {
                int pfn = h.dequeueHugetlbFolioNode(node);
                h.removeHugetlbFolio(node, acctSurplus);
                return pfn;
            }
        }
        return -1;
    }

    /**
     * alloc_surplus_hugetlb_folio(): a fresh folio beyond the persistent pool, if fewer than nr_overcommit_hugepages
     * surplus pages exist; preferring {@code nid}, from any node. It is counted in the pool and as surplus but not
     * yet on a list. Returns its pfn or -1.
     */
    int allocSurplusHugetlbFolio(int nid) {
        if (h.surplusHugePages >= h.nrOvercommitHugePages) {
            return -1;
        }
        int pfn = allocBuddyHugetlbFolio(nid, null);
        if (pfn < 0) {
            return -1;
        }
        h.accountNewHugetlbFolio(pfn);
        h.surplusHugePages++;
        h.surplusHugePagesNode[h.nodeOf(pfn)]++;
        return pfn;
    }

    /** update_and_free_hugetlb_folio(): the folio, out of the pool, goes back to the buddy allocator. */
    void updateAndFreeHugetlbFolio(int pfn) {
        mm.pageAlloc().freePages(pfn, Hugetlb.HUGETLB_PAGE_ORDER, cpuOf(h.nodeOf(pfn)));
    }
}
