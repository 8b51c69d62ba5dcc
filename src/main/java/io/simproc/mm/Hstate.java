package io.simproc.mm;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * struct hstate of mm/hugetlb.c for the default 2 MB hstate: its counters, its lists and the list operations every
 * path of {@link Hugetlb} shares. A pool folio is an order-9 compound block owned by {@link PageOwner#HUGETLB},
 * off the buddy and per-cpu lists, on exactly one list: a node's free list (hugepage_freelists, LIFO) or the active
 * list (in use by a mapping).
 *
 * <p>The counters: nr_huge_pages (free and in use, surplus included), free_huge_pages, resv_huge_pages (free pages
 * promised to mappings), surplus_huge_pages (pages beyond the persistent pool, allocated under
 * nr_overcommit_huge_pages and freed when no longer needed), each also per node but resv.
 */
final class Hstate {
    private final MemoryManager mm;
    long maxHugePages;
    long nrHugePages;
    long freeHugePages;
    long resvHugePages;
    long surplusHugePages;
    long nrOvercommitHugePages;
    final long[] nrHugePagesNode;
    final long[] freeHugePagesNode;
    final long[] surplusHugePagesNode;
    /** hugepage_freelists[nid]: head pfns of free pool folios, the most recently freed first. */
    private final List<ArrayDeque<Integer>> freelists = new ArrayList<>();
    /** hugepage_activelist: head pfns of the folios in use. */
    final Set<Integer> activelist = new LinkedHashSet<>();
    private final int[] nextNidToAlloc = {0};
    private final int[] nextNidToFree = {0};

    Hstate(MemoryManager mm) {
        this.mm = mm;
        int nodes = mm.nrNodes();
        nrHugePagesNode = new long[nodes];
        freeHugePagesNode = new long[nodes];
        surplusHugePagesNode = new long[nodes];
        for (int nid = 0; nid < nodes; nid++) {
            freelists.add(new ArrayDeque<>());
        }
    }

    /** persistent_huge_pages(). */
    long persistentHugePages() {
        return nrHugePages - surplusHugePages;
    }

    /** account_new_hugetlb_folio(). */
    void accountNewHugetlbFolio(int pfn) {
        nrHugePages++;
        nrHugePagesNode[nodeOf(pfn)]++;
    }

    /** enqueue_hugetlb_folio(): onto its node's free list, at the head. */
    void enqueueHugetlbFolio(int pfn) {
        int node = nodeOf(pfn);
        freelists.get(node).addFirst(pfn);
        freeHugePages++;
        freeHugePagesNode[node]++;
    }

    /** dequeue_hugetlb_folio_node_exact(): the folio at the head of node {@code node}'s free list, or -1. */
    int dequeueHugetlbFolioNode(int node) {
        Integer pfn = freelists.get(node).pollFirst();
        if (pfn == null) {
            return -1;
        }
        freeHugePages--;
        freeHugePagesNode[node]--;
        return pfn;
    }

    /** Whether node {@code node}'s free list is empty. */
    boolean freelistEmpty(int node) {
        return freelists.get(node).isEmpty();
    }

    /** remove_hugetlb_folio()'s counting: the folio (already off its list) leaves the pool. */
    void removeHugetlbFolio(int node, boolean adjustSurplus) {
        if (adjustSurplus) {
            surplusHugePages--;
            surplusHugePagesNode[node]--;
        }
        nrHugePages--;
        nrHugePagesNode[node]--;
    }

    int nodeOf(int pfn) {
        return mm.zoneOf(pfn).node().nodeId();
    }

    /** hstate_next_node_to_alloc(): the node after the last one tried, among the allowed. */
    int nextNodeToAlloc(BitSet nodesAllowed) {
        return nextNode(nextNidToAlloc, nodesAllowed);
    }

    /** hstate_next_node_to_free(). */
    int nextNodeToFree(BitSet nodesAllowed) {
        return nextNode(nextNidToFree, nodesAllowed);
    }

    /** get_valid_node_allowed() then next_node_allowed(): round robin over the mask, wrapping. */
    private static int nextNode(int[] next, BitSet nodesAllowed) {
        int nid = nodesAllowed.get(next[0]) ? next[0] : nodesAllowed.nextSetBit(0);
        int after = nodesAllowed.nextSetBit(nid + 1);
        next[0] = after >= 0 ? after : nodesAllowed.nextSetBit(0);
        return nid;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Invariants

    /**
     * The pool against the mem_map: every pool folio is an aligned order-9 compound block of HUGETLB pages, on
     * exactly one list (a node's free list or the active list), on that list's node; the pages of that owner are
     * those folios; the counters per node equal the lists and sum to the global ones; free ≤ total, surplus ≤
     * total, reservations ≤ free; NR_HUGETLB counts the folios in use.
     */
    void check(List<String> errors) {
        MemMap map = mm.memMap();
        Set<Integer> seen = new HashSet<>();
        long[] perNode = new long[mm.nrNodes()];
        long free = 0;
        for (int nid = 0; nid < mm.nrNodes(); nid++) {
            for (int pfn : freelists.get(nid)) {
                checkFolio(map, pfn, seen, errors);
                if (nodeOf(pfn) != nid) {
                    errors.add("hugetlb: free folio " + pfn + " on node " + nid + "'s list is on node " + nodeOf(pfn));
                }
                perNode[nid]++;
                free++;
            }
            if (freelists.get(nid).size() != freeHugePagesNode[nid]) {
                errors.add("hugetlb: node " + nid + " free list holds " + freelists.get(nid).size()
                        + ", free_huge_pages_node " + freeHugePagesNode[nid]);
            }
        }
        long[] inUsePerNode = new long[mm.nrNodes()];
        for (int pfn : activelist) {
            checkFolio(map, pfn, seen, errors);
            perNode[nodeOf(pfn)]++;
            inUsePerNode[nodeOf(pfn)]++;
        }
        long nr = 0;
        long surplus = 0;
        long freeNodes = 0;
        for (int nid = 0; nid < mm.nrNodes(); nid++) {
            if (perNode[nid] != nrHugePagesNode[nid]) {
                errors.add("hugetlb: node " + nid + " has " + perNode[nid] + " folios, nr_huge_pages_node "
                        + nrHugePagesNode[nid]);
            }
            if (surplusHugePagesNode[nid] < 0 || surplusHugePagesNode[nid] > nrHugePagesNode[nid]) {
                errors.add("hugetlb: node " + nid + " surplus " + surplusHugePagesNode[nid] + " of "
                        + nrHugePagesNode[nid]);
            }
            long nrHugetlb = mm.nodes().get(nid).state(NodeStatItem.NR_HUGETLB);
            if (nrHugetlb != inUsePerNode[nid] * Hugetlb.PAGES_PER_HUGE_PAGE) {
                errors.add("hugetlb: node " + nid + " nr_hugetlb " + nrHugetlb + " != " + inUsePerNode[nid]
                        + " folios in use");
            }
            nr += nrHugePagesNode[nid];
            surplus += surplusHugePagesNode[nid];
            freeNodes += freeHugePagesNode[nid];
        }
        if (nr != nrHugePages || surplus != surplusHugePages || freeNodes != freeHugePages || free != freeHugePages) {
            errors.add("hugetlb: nodes sum to nr " + nr + " free " + freeNodes + " surplus " + surplus + ", hstate "
                    + nrHugePages + "/" + freeHugePages + "/" + surplusHugePages + " (free lists " + free + ")");
        }
        if (freeHugePages > nrHugePages || resvHugePages < 0 || resvHugePages > freeHugePages) {
            errors.add("hugetlb: total " + nrHugePages + " free " + freeHugePages + " reserved " + resvHugePages);
        }
        if (mm.vmstat().ownerPages(PageOwner.HUGETLB) != nrHugePages * Hugetlb.PAGES_PER_HUGE_PAGE) {
            errors.add("hugetlb: " + mm.vmstat().ownerPages(PageOwner.HUGETLB) + " HUGETLB pages, pool of "
                    + nrHugePages + " folios");
        }
    }

    private static void checkFolio(MemMap map, int pfn, Set<Integer> seen, List<String> errors) {
        if (!seen.add(pfn)) {
            errors.add("hugetlb: folio " + pfn + " is on two lists");
            return;
        }
        if ((pfn & (Hugetlb.PAGES_PER_HUGE_PAGE - 1)) != 0 || !map.test(pfn, PageFlags.PG_HEAD)
                || map.priv(pfn) != Hugetlb.HUGETLB_PAGE_ORDER) {
            errors.add("hugetlb: folio " + pfn + " is not an aligned order-" + Hugetlb.HUGETLB_PAGE_ORDER
                    + " compound page");
        }
        for (int i = 0; i < Hugetlb.PAGES_PER_HUGE_PAGE; i++) {
            int f = map.flags(pfn + i);
            if (map.owner(pfn + i) != PageOwner.HUGETLB || (f & (PageFlags.PG_BUDDY | PageFlags.PG_PCP)) != 0) {
                errors.add("hugetlb: page " + (pfn + i) + " of folio " + pfn + " is " + map.owner(pfn + i)
                        + " flags 0x" + Integer.toHexString(f));
                return;
            }
        }
    }
}
