package io.simproc.mm;

import io.simproc.uapi.Errno;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * Reservations and the folios mappings take from the hugetlb pool (mm/hugetlb.c): hugetlb_acct_memory() promises
 * free folios to a mapping (resv_huge_pages, HugePages_Rsvd), growing the pool with surplus folios within
 * nr_overcommit_hugepages when the free ones do not cover every promise (gather_surplus_pages), and gives unused
 * promises back (return_unused_surplus_pages); alloc_hugetlb_folio() hands a folio to a fault, consuming a
 * reservation or taking one nobody was promised; free_huge_folio() takes it back, a surplus folio leaving the pool
 * for the buddy allocator.
 */
final class HugetlbReserve {
    private final MemoryManager mm;
    private final Hstate h;
    private final HugetlbPool pool;

    HugetlbReserve(MemoryManager mm, Hstate h, HugetlbPool pool) {
        this.mm = mm;
        this.h = h;
        this.pool = pool;
    }

    /**
     * hugetlb_acct_memory(): reserve {@code delta} pages for a mapping (delta &gt; 0: gather_surplus_pages, growing
     * the pool by surplus pages within nr_overcommit_hugepages when the free pages do not cover the reservations)
     * or release {@code -delta} reservations (return_unused_surplus_pages). Returns 0 or -ENOMEM.
     */
    int hugetlbAcctMemory(long delta) {
        if (delta > 0) {
            if (gatherSurplusPages(delta) < 0) {
                return -Errno.ENOMEM;
            }
            if (delta > h.freeHugePages) {
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
        long needed = h.resvHugePages + delta - h.freeHugePages;
        if (needed <= 0) {
            h.resvHugePages += delta;
            return 0;
        }
        List<Integer> surplus = new ArrayList<>();
        int home = mm.cpuToNode(0);
        for (long i = 0; i < needed; i++) {
            int pfn = pool.allocSurplusHugetlbFolio(home);
            if (pfn < 0) {
                for (int pfnFreed : surplus) {
                    freeUnlistedHugeFolio(pfnFreed);
                }
                return -Errno.ENOMEM;
            }
            surplus.add(pfn);
        }
        h.resvHugePages += delta;
        for (int pfn : surplus) {
            h.enqueueHugetlbFolio(pfn);
        }
        return 0;
    }

    /** return_unused_surplus_pages(): drop the reservations and free as many surplus pages, free ones first. */
    private void returnUnusedSurplusPages(long unusedResvPages) {
        h.resvHugePages -= unusedResvPages;
        long nrPages = Math.min(unusedResvPages, h.surplusHugePages);
        BitSet all = pool.nodesWithMemory();
        while (nrPages-- > 0) {
            int pfn = pool.removePoolHugetlbFolio(all, true);
            if (pfn < 0) {
                return;
            }
            pool.updateAndFreeHugetlbFolio(pfn);
        }
    }

    /**
     * alloc_hugetlb_folio(): a folio for a fault of a hugetlb mapping, preferring node {@code nid}. With
     * {@code reserved} the mapping holds a reservation for it (resv_huge_pages drops); without, only pages not
     * promised to others are taken, else a surplus page if overcommit allows. NR_HUGETLB counts it. Returns the
     * head pfn, or -1 (the fault's VM_FAULT_SIGBUS).
     */
    int allocHugetlbFolio(int nid, boolean reserved) {
        int pfn = -1;
        if (reserved || h.freeHugePages - h.resvHugePages > 0) {
            pfn = dequeueHugetlbFolio(nid);
        }
        if (pfn < 0) {
            if (reserved) {
                return -1;
            }
            pfn = pool.allocSurplusHugetlbFolio(nid);
            if (pfn < 0) {
                return -1;
            }
        }
        h.activelist.add(pfn);
        if (reserved) {
            h.resvHugePages--;
        }
        mm.vmstat().modNodePageState(pfn, NodeStatItem.NR_HUGETLB, Hugetlb.PAGES_PER_HUGE_PAGE);
        return pfn;
    }

    /** dequeue_hugetlb_folio_nodemask(): the first free folio of the nodes in {@code nid}'s zonelist order. */
    private int dequeueHugetlbFolio(int nid) {
        PgData last = null;
        for (Zone z : mm.node(nid).zonelist(ZoneType.MOVABLE.ordinal())) {
            if (z.node() == last) {
                continue;
            }
            last = z.node();
            int pfn = h.dequeueHugetlbFolioNode(last.nodeId());
            if (pfn >= 0) {
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
    void freeHugeFolio(int pfn, boolean restoreReserve) {
        mm.vmstat().modNodePageState(pfn, NodeStatItem.NR_HUGETLB, -Hugetlb.PAGES_PER_HUGE_PAGE);
        if (restoreReserve) {
            h.resvHugePages++;
        }
        if (!h.activelist.remove(pfn)) {
            throw new IllegalStateException("pfn " + pfn + " is not a hugetlb folio in use");
        }
        freeUnlistedHugeFolio(pfn);
    }

    /** free_huge_folio()'s end for a folio on no list: a surplus one leaves the pool, any other is enqueued. */
    private void freeUnlistedHugeFolio(int pfn) {
        int node = h.nodeOf(pfn);
        if (h.surplusHugePagesNode[node] > 0) {
            h.removeHugetlbFolio(node, true);
            pool.updateAndFreeHugetlbFolio(pfn);
        } else {
            h.enqueueHugetlbFolio(pfn);
        }
    }
}
