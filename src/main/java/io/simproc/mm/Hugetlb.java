package io.simproc.mm;

import io.simproc.uapi.Errno;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The hugetlb pool of mm/hugetlb.c for the one hstate an x86-64 machine without gbpages has, 2 MB pages
 * (huge_page_order 9, the default hstate). Its pages come from the buddy allocator one order-9 block at a time
 * (alloc_pool_huge_folio: __GFP_THISNODE, __GFP_RETRY_MAYFAIL unless a hard try on the node already failed, round
 * robin over the allowed nodes), so a fragmented machine reaches a smaller pool than a fresh one; the pool shrinks
 * by giving free folios back to the buddy allocator. A pool folio is an order-9 compound block owned by
 * {@link PageOwner#HUGETLB}, off the buddy and per-cpu lists, on exactly one of the hstate's lists: a node's free
 * list (hugepage_freelists, LIFO) or the active list (in use by a mapping).
 *
 * <p>The counters are struct hstate's: nr_huge_pages (free and in use, surplus included), free_huge_pages,
 * resv_huge_pages (free pages promised to mappings), surplus_huge_pages (pages beyond the persistent pool,
 * allocated under nr_overcommit_huge_pages and freed when no longer needed), each also per node but resv.
 */
public final class Hugetlb {
    /** huge_page_order(&default_hstate). */
    public static final int HUGETLB_PAGE_ORDER = HugeMemory.HPAGE_PMD_ORDER;
    /** pages_per_huge_page(&default_hstate). */
    public static final int PAGES_PER_HUGE_PAGE = 1 << HUGETLB_PAGE_ORDER;
    /** huge_page_size(&default_hstate) / SZ_1K, the hstate's name hugepages-2048kB. */
    public static final long HUGE_PAGE_SIZE_KB = (long) PAGES_PER_HUGE_PAGE * io.simproc.uapi.Page.PAGE_SIZE / 1024;
    /** ULONG_MAX, the per-node count's overflow guard in set_max_huge_pages(). */
    private static final long ULONG_MAX = -1L;

    private final MemoryManager mm;
    private long maxHugePages;
    private long nrHugePages;
    private long freeHugePages;
    private long resvHugePages;
    private long surplusHugePages;
    private long nrOvercommitHugePages;
    private final long[] nrHugePagesNode;
    private final long[] freeHugePagesNode;
    private final long[] surplusHugePagesNode;
    /** hugepage_freelists[nid]: head pfns of free pool folios, the most recently freed first. */
    private final List<ArrayDeque<Integer>> freelists = new ArrayList<>();
    /** hugepage_activelist: head pfns of the folios in use. */
    private final Set<Integer> activelist = new LinkedHashSet<>();
    private final int[] nextNidToAlloc = {0};
    private final int[] nextNidToFree = {0};

    Hugetlb(MemoryManager mm) {
        this.mm = mm;
        int nodes = mm.nrNodes();
        nrHugePagesNode = new long[nodes];
        freeHugePagesNode = new long[nodes];
        surplusHugePagesNode = new long[nodes];
        for (int nid = 0; nid < nodes; nid++) {
            freelists.add(new ArrayDeque<>());
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // The counters, as /proc/meminfo, the sysctls and sysfs show them

    /** h->max_huge_pages: the persistent pool size last set (what vm.nr_hugepages reads). */
    public long maxHugePages() {
        return maxHugePages;
    }

    public long nrHugePages() {
        return nrHugePages;
    }

    public long freeHugePages() {
        return freeHugePages;
    }

    public long resvHugePages() {
        return resvHugePages;
    }

    public long surplusHugePages() {
        return surplusHugePages;
    }

    public long nrOvercommitHugePages() {
        return nrOvercommitHugePages;
    }

    public long nrHugePagesNode(int nid) {
        return nrHugePagesNode[nid];
    }

    public long freeHugePagesNode(int nid) {
        return freeHugePagesNode[nid];
    }

    public long surplusHugePagesNode(int nid) {
        return surplusHugePagesNode[nid];
    }

    /** hugetlb_total_pages(): the pool in base pages, which vm_commit_limit() takes out of the RAM it shares. */
    public long hugetlbTotalPages() {
        return nrHugePages * PAGES_PER_HUGE_PAGE;
    }

    /** persistent_huge_pages(). */
    private long persistentHugePages() {
        return nrHugePages - surplusHugePages;
    }

    /** node_states[N_MEMORY]: the nodes with memory, where the pool may grow. */
    public BitSet nodesWithMemory() {
        BitSet nodes = new BitSet();
        for (PgData p : mm.nodes()) {
            if (p.nodePresentPages() > 0) {
                nodes.set(p.nodeId());
            }
        }
        return nodes;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Sizing the pool

    /**
     * __nr_hugepages_store_common() + set_max_huge_pages(): make the persistent pool {@code count} pages, on all
     * nodes with memory ({@code nid} &lt; 0, NUMA_NO_NODE) or with {@code count} the size of node {@code nid}'s
     * share. Surplus pages become persistent first; then fresh folios are allocated until the target is reached or
     * an allocation fails on every allowed node (a partial success, not an error). Shrinking frees free folios
     * (keeping those reservations need) and turns the rest of the excess into surplus, freed as they come back.
     */
    public void setMaxHugePages(long count, int nid) {
        mm.assertWriter();
        BitSet nodesAllowed = new BitSet();
        if (nid < 0) {
            nodesAllowed.or(nodesWithMemory());
        } else {
            nodesAllowed.set(nid);
            long oldCount = count;
            count += persistentHugePages() - (nrHugePagesNode[nid] - surplusHugePagesNode[nid]);
            if (Long.compareUnsigned(count, oldCount) < 0) {
                count = ULONG_MAX;
            }
        }
        while (surplusHugePages > 0 && Long.compareUnsigned(count, persistentHugePages()) > 0) {
            if (!adjustPoolSurplus(nodesAllowed, -1)) {
                break;
            }
        }
        BitSet nodeAllocNoretry = new BitSet();
        while (Long.compareUnsigned(count, persistentHugePages()) > 0) {
            int pfn = allocPoolHugeFolio(nodesAllowed, nodeAllocNoretry);
            if (pfn < 0) {
                maxHugePages = persistentHugePages();
                return;
            }
            accountNewHugetlbFolio(pfn);
            enqueueHugetlbFolio(pfn);
        }
        long minCount = resvHugePages + nrHugePages - freeHugePages;
        minCount = Long.compareUnsigned(count, minCount) > 0 ? count : minCount;
        while (Long.compareUnsigned(minCount, persistentHugePages()) < 0) {
            int pfn = removePoolHugetlbFolio(nodesAllowed, false);
            if (pfn < 0) {
                break;
            }
            updateAndFreeHugetlbFolio(pfn);
        }
        while (Long.compareUnsigned(count, persistentHugePages()) < 0) {
            if (!adjustPoolSurplus(nodesAllowed, 1)) {
                break;
            }
        }
        maxHugePages = persistentHugePages();
    }

    /** nr_overcommit_hugepages_store() / hugetlb_overcommit_handler(): how many surplus pages may exist. */
    public void setNrOvercommitHugePages(long count) {
        mm.assertWriter();
        nrOvercommitHugePages = count;
    }

    /**
     * alloc_pool_huge_folio(): a fresh folio from the next allowed node in turn (for_each_node_mask_to_alloc),
     * trying each allowed node once. Returns the head pfn, or -1 when every node failed.
     */
    private int allocPoolHugeFolio(BitSet nodesAllowed, BitSet nodeAllocNoretry) {
        for (int n = nodesAllowed.cardinality(); n > 0; n--) {
            int node = nextNodeToAlloc(nodesAllowed);
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
     * failed hard try marks the node, a success without trying hard clears it. Counts htlb_buddy_alloc_success
     * or htlb_buddy_alloc_fail.
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
        int pfn = mm.pageAlloc().allocPages(gfp, HUGETLB_PAGE_ORDER, nid, cpuOf(nid), PageOwner.HUGETLB);
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
            int node = delta < 0 ? nextNodeToAlloc(nodesAllowed) : nextNodeToFree(nodesAllowed);
            boolean found = delta < 0 ? surplusHugePagesNode[node] > 0
                    : surplusHugePagesNode[node] < nrHugePagesNode[node];
            if (found) {
                surplusHugePages += delta;
                surplusHugePagesNode[node] += delta;
                return true;
            }
        }
        return false;
    }

    /**
     * remove_pool_hugetlb_folio(): take a free folio off the pool from the next node in freeing order that has one
     * (with {@code acctSurplus}, only a node with surplus pages, whose count drops too). Returns its pfn or -1.
     */
    private int removePoolHugetlbFolio(BitSet nodesAllowed, boolean acctSurplus) {
        for (int n = nodesAllowed.cardinality(); n > 0; n--) {
            int node = nextNodeToFree(nodesAllowed);
            if ((!acctSurplus || surplusHugePagesNode[node] > 0) && !freelists.get(node).isEmpty()) {
                int pfn = freelists.get(node).pollFirst();
                freeHugePages--;
                freeHugePagesNode[node]--;
                removeHugetlbFolio(node, acctSurplus);
                return pfn;
            }
        }
        return -1;
    }

    /** remove_hugetlb_folio()'s counting: the folio (already off its list) leaves the pool. */
    private void removeHugetlbFolio(int node, boolean adjustSurplus) {
        if (adjustSurplus) {
            surplusHugePages--;
            surplusHugePagesNode[node]--;
        }
        nrHugePages--;
        nrHugePagesNode[node]--;
    }

    /** account_new_hugetlb_folio(). */
    private void accountNewHugetlbFolio(int pfn) {
        nrHugePages++;
        nrHugePagesNode[nodeOf(pfn)]++;
    }

    /** enqueue_hugetlb_folio(): onto its node's free list, at the head. */
    private void enqueueHugetlbFolio(int pfn) {
        int node = nodeOf(pfn);
        freelists.get(node).addFirst(pfn);
        freeHugePages++;
        freeHugePagesNode[node]++;
    }

    /** update_and_free_hugetlb_folio(): the folio, out of the pool, goes back to the buddy allocator. */
    private void updateAndFreeHugetlbFolio(int pfn) {
        mm.pageAlloc().freePages(pfn, HUGETLB_PAGE_ORDER, cpuOf(nodeOf(pfn)));
    }

    private int nodeOf(int pfn) {
        return mm.zoneOf(pfn).node().nodeId();
    }

    /** hstate_next_node_to_alloc(): the node after the last one tried, among the allowed. */
    private int nextNodeToAlloc(BitSet nodesAllowed) {
        return nextNode(nextNidToAlloc, nodesAllowed);
    }

    /** hstate_next_node_to_free(). */
    private int nextNodeToFree(BitSet nodesAllowed) {
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
    // Reservations and the folios mappings use

    /**
     * hugetlb_acct_memory(): reserve {@code delta} pages for a mapping (delta &gt; 0: gather_surplus_pages, growing
     * the pool by surplus pages within nr_overcommit_hugepages when the free pages do not cover the reservations)
     * or release {@code -delta} reservations (return_unused_surplus_pages). Returns 0 or -ENOMEM.
     */
    public int hugetlbAcctMemory(long delta) {
        mm.assertWriter();
        if (delta > 0) {
            if (gatherSurplusPages(delta) < 0) {
                return -Errno.ENOMEM;
            }
            if (delta > freeHugePages) {
                returnUnusedSurplusPages(delta);
                return -Errno.ENOMEM;
            }
        } else if (delta < 0) {
            returnUnusedSurplusPages(-delta);
        }
        return 0;
    }

    /** gather_surplus_pages(): make free_huge_pages cover resv_huge_pages + delta, with surplus pages if needed. */
    private int gatherSurplusPages(long delta) {
        long needed = resvHugePages + delta - freeHugePages;
        if (needed <= 0) {
            resvHugePages += delta;
            return 0;
        }
        List<Integer> surplus = new ArrayList<>();
        int home = mm.cpuToNode(0);
        for (long i = 0; i < needed; i++) {
            int pfn = allocSurplusHugetlbFolio(home);
            if (pfn < 0) {
                for (int pfnFreed : surplus) {
                    freeUnlistedHugeFolio(pfnFreed);
                }
                return -Errno.ENOMEM;
            }
            surplus.add(pfn);
        }
        resvHugePages += delta;
        for (int pfn : surplus) {
            enqueueHugetlbFolio(pfn);
        }
        return 0;
    }

    /**
     * alloc_surplus_hugetlb_folio(): a fresh folio beyond the persistent pool, if fewer than nr_overcommit_hugepages
     * surplus pages exist; preferring {@code nid}, from any node. It is counted in the pool and as surplus but not
     * yet on a list. Returns its pfn or -1.
     */
    private int allocSurplusHugetlbFolio(int nid) {
        if (surplusHugePages >= nrOvercommitHugePages) {
            return -1;
        }
        int pfn = allocBuddyHugetlbFolio(nid, null);
        if (pfn < 0) {
            return -1;
        }
        accountNewHugetlbFolio(pfn);
        surplusHugePages++;
        surplusHugePagesNode[nodeOf(pfn)]++;
        return pfn;
    }

    /** return_unused_surplus_pages(): drop the reservations and free as many surplus pages, free ones first. */
    private void returnUnusedSurplusPages(long unusedResvPages) {
        resvHugePages -= unusedResvPages;
        long nrPages = Math.min(unusedResvPages, surplusHugePages);
        BitSet all = nodesWithMemory();
        while (nrPages-- > 0) {
            int pfn = removePoolHugetlbFolio(all, true);
            if (pfn < 0) {
                return;
            }
            updateAndFreeHugetlbFolio(pfn);
        }
    }

    /**
     * alloc_hugetlb_folio(): a folio for a fault of a hugetlb mapping, preferring node {@code nid}. With
     * {@code reserved} the mapping holds a reservation for it (resv_huge_pages drops); without, only pages not
     * promised to others are taken, else a surplus page if overcommit allows. NR_HUGETLB counts it. Returns the
     * head pfn, or -1 (the fault's VM_FAULT_SIGBUS).
     */
    public int allocHugetlbFolio(int nid, boolean reserved) {
        mm.assertWriter();
        int pfn = -1;
        if (reserved || freeHugePages - resvHugePages > 0) {
            pfn = dequeueHugetlbFolio(nid);
        }
        if (pfn < 0) {
            if (reserved) {
                return -1;
            }
            pfn = allocSurplusHugetlbFolio(nid);
            if (pfn < 0) {
                return -1;
            }
        }
        activelist.add(pfn);
        if (reserved) {
            resvHugePages--;
        }
        mm.vmstat().modNodePageState(pfn, NodeStatItem.NR_HUGETLB, PAGES_PER_HUGE_PAGE);
        return pfn;
    }

    /** dequeue_hugetlb_folio_nodemask(): the first free folio of the nodes in {@code nid}'s zonelist order. */
    private int dequeueHugetlbFolio(int nid) {
        PgData last = null;
        for (Zone z : mm.zonelist(nid, ZoneType.MOVABLE.ordinal())) {
            if (z.node() == last) {
                continue;
            }
            last = z.node();
            int node = last.nodeId();
            Integer pfn = freelists.get(node).pollFirst();
            if (pfn != null) {
                freeHugePages--;
                freeHugePagesNode[node]--;
                return pfn;
            }
        }
        return -1;
    }

    /**
     * free_huge_folio() of a folio a mapping used; {@code restoreReserve} gives its reservation back (a page
     * faulted under a reservation the mapping still holds). A surplus page on its node leaves the pool for the
     * buddy allocator; any other goes back to its node's free list.
     */
    public void freeHugeFolio(int pfn, boolean restoreReserve) {
        mm.assertWriter();
        mm.vmstat().modNodePageState(pfn, NodeStatItem.NR_HUGETLB, -PAGES_PER_HUGE_PAGE);
        if (restoreReserve) {
            resvHugePages++;
        }
        if (!activelist.remove(pfn)) {
            throw new IllegalStateException("pfn " + pfn + " is not a hugetlb folio in use");
        }
        freeUnlistedHugeFolio(pfn);
    }

    /** free_huge_folio()'s end for a folio on no list: a surplus one leaves the pool, any other is enqueued. */
    private void freeUnlistedHugeFolio(int pfn) {
        int node = nodeOf(pfn);
        if (surplusHugePagesNode[node] > 0) {
            removeHugetlbFolio(node, true);
            updateAndFreeHugetlbFolio(pfn);
        } else {
            enqueueHugetlbFolio(pfn);
        }
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
        Set<Integer> seen = new java.util.HashSet<>();
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
            if (nrHugetlb != inUsePerNode[nid] * PAGES_PER_HUGE_PAGE) {
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
        if (mm.vmstat().ownerPages(PageOwner.HUGETLB) != nrHugePages * PAGES_PER_HUGE_PAGE) {
            errors.add("hugetlb: " + mm.vmstat().ownerPages(PageOwner.HUGETLB) + " HUGETLB pages, pool of "
                    + nrHugePages + " folios");
        }
    }

    private static void checkFolio(MemMap map, int pfn, Set<Integer> seen, List<String> errors) {
        if (!seen.add(pfn)) {
            errors.add("hugetlb: folio " + pfn + " is on two lists");
            return;
        }
        if ((pfn & (PAGES_PER_HUGE_PAGE - 1)) != 0 || !map.test(pfn, PageFlags.PG_HEAD)
                || map.priv(pfn) != HUGETLB_PAGE_ORDER) {
            errors.add("hugetlb: folio " + pfn + " is not an aligned order-" + HUGETLB_PAGE_ORDER + " compound page");
        }
        for (int i = 0; i < PAGES_PER_HUGE_PAGE; i++) {
            int f = map.flags(pfn + i);
            if (map.owner(pfn + i) != PageOwner.HUGETLB || (f & (PageFlags.PG_BUDDY | PageFlags.PG_PCP)) != 0) {
                errors.add("hugetlb: page " + (pfn + i) + " of folio " + pfn + " is " + map.owner(pfn + i)
                        + " flags 0x" + Integer.toHexString(f));
                return;
            }
        }
    }
}
