package io.simproc.mm;

import java.util.BitSet;
import java.util.List;

/**
 * The hugetlb subsystem of mm/hugetlb.c for the one hstate an x86-64 machine without gbpages has, 2 MB pages
 * (huge_page_order 9, the default hstate): what the rest of the machine calls. The state is {@link Hstate}; sizing
 * the pool from the buddy allocator (nr_hugepages, surplus folios) is {@link HugetlbPool}; reservations and the
 * folios faults take and give back are {@link HugetlbReserve}; mappings of hugetlb memory (MAP_HUGETLB: their
 * reservations, faults and unmapping) are {@link HugetlbMapping}.
 */
public final class Hugetlb {
    /** huge_page_order(&default_hstate). */
    public static final int HUGETLB_PAGE_ORDER = HugeMemory.HPAGE_PMD_ORDER;
    /** pages_per_huge_page(&default_hstate). */
    public static final int PAGES_PER_HUGE_PAGE = 1 << HUGETLB_PAGE_ORDER;
    /** huge_page_size(&default_hstate). */
    public static final long HUGE_PAGE_SIZE = (long) PAGES_PER_HUGE_PAGE * io.simproc.uapi.Page.PAGE_SIZE;
    /** huge_page_size(&default_hstate) / SZ_1K, the hstate's name hugepages-2048kB. */
    public static final long HUGE_PAGE_SIZE_KB = HUGE_PAGE_SIZE / 1024;

    private final MemoryManager mm;
    private final Hstate h;
    private final HugetlbPool pool;
    private final HugetlbReserve reserve;
    private final HugetlbMapping mapping;

    Hugetlb(MemoryManager mm) {
        this.mm = mm;
        this.h = new Hstate(mm);
        this.pool = new HugetlbPool(mm, h);
        this.reserve = new HugetlbReserve(mm, h, pool);
        this.mapping = new HugetlbMapping(mm);
    }

    // ---------------------------------------------------------------------------------------------------------
    // The counters, as /proc/meminfo, the sysctls and sysfs show them

    /** h->max_huge_pages: the persistent pool size last set (what vm.nr_hugepages reads). */
    public long maxHugePages() {
        return h.maxHugePages;
    }

    public long nrHugePages() {
        return h.nrHugePages;
    }

    public long freeHugePages() {
        return h.freeHugePages;
    }

    public long resvHugePages() {
        return h.resvHugePages;
    }

    public long surplusHugePages() {
        return h.surplusHugePages;
    }

    public long nrOvercommitHugePages() {
        return h.nrOvercommitHugePages;
    }

    public long nrHugePagesNode(int nid) {
        return h.nrHugePagesNode[nid];
    }

    public long freeHugePagesNode(int nid) {
        return h.freeHugePagesNode[nid];
    }

    public long surplusHugePagesNode(int nid) {
        return h.surplusHugePagesNode[nid];
    }

    /** hugetlb_total_pages(): the pool in base pages, which vm_commit_limit() takes out of the RAM it shares. */
    public long hugetlbTotalPages() {
        return h.nrHugePages * PAGES_PER_HUGE_PAGE;
    }

    /** node_states[N_MEMORY]: the nodes with memory, where the pool may grow. */
    public BitSet nodesWithMemory() {
        return pool.nodesWithMemory();
    }

    // ---------------------------------------------------------------------------------------------------------
    // Sizing the pool

    /** set_max_huge_pages(): see {@link HugetlbPool#setMaxHugePages}. */
    public void setMaxHugePages(long count, int nid) {
        mm.assertWriter();
        pool.setMaxHugePages(count, nid);
    }

    /** nr_overcommit_hugepages_store() / hugetlb_overcommit_handler(): how many surplus pages may exist. */
    public void setNrOvercommitHugePages(long count) {
        mm.assertWriter();
        h.nrOvercommitHugePages = count;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Reservations and the folios mappings use

    /** hugetlb_acct_memory(): see {@link HugetlbReserve#hugetlbAcctMemory}. Returns 0 or -ENOMEM. */
    public int hugetlbAcctMemory(long delta) {
        mm.assertWriter();
        return reserve.hugetlbAcctMemory(delta);
    }

    /** alloc_hugetlb_folio(): see {@link HugetlbReserve#allocHugetlbFolio}. Returns the head pfn or -1. */
    public int allocHugetlbFolio(int nid, boolean reserved) {
        mm.assertWriter();
        return reserve.allocHugetlbFolio(nid, reserved);
    }

    /** free_huge_folio(): see {@link HugetlbReserve#freeHugeFolio}. */
    public void freeHugeFolio(int pfn, boolean restoreReserve) {
        mm.assertWriter();
        reserve.freeHugeFolio(pfn, restoreReserve);
    }

    /** Mappings of hugetlb memory (MAP_HUGETLB): their reservations, faults and unmapping. */
    public HugetlbMapping mapping() {
        return mapping;
    }

    /** The pool's invariants ({@link Hstate#check}). */
    void check(List<String> errors) {
        h.check(errors);
    }
}
