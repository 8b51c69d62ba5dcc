package io.simproc.mm;

import io.simproc.uapi.Errno;
import io.simproc.uapi.Page;

/**
 * The collapse of mm/khugepaged.c: {@code hpage_collapse_scan_pmd} looks at the 512 PTEs of an aligned 2 MiB range
 * and, when it qualifies, {@code collapse_huge_page} replaces them with one PMD-mapped THP ({@link HugeMemory}'s
 * model: the 512 PTEs carrying _PAGE_PSE over a PG_TRANSHUGE folio, the PTE table kept as the deposited one).
 *
 * <p>For khugepaged a range qualifies when at most max_ptes_none PTEs are empty or map a zero page, at most
 * max_ptes_swap are swap entries, at most max_ptes_shared pages are mapped more than once, every present page is an
 * anonymous page on the LRU with no reference beyond its mappings and its swap cache, one PTE at least is writable
 * and one page was referenced (half of them when swap entries must be read back). MADV_COLLAPSE
 * ({@link #madviseCollapse}) applies none of those limits. The collapse allocates an order-9 folio on the node most
 * pages are on (alloc_charge_folio: thp_collapse_alloc, or thp_collapse_alloc_failed), charges it to the address
 * space's memory cgroup, reads the swapped pages back (__collapse_huge_page_swapin), checks the range again
 * (__collapse_huge_page_isolate: an allocation may have reclaimed or OOM-killed on the way), copies each page's
 * content word (an empty PTE or a zero page gives a zero page), maps the folio dirty over the range — writable when
 * the VMA is — and drops the old pages' mappings (freeing those nobody else maps: rmap, LRU, memcg).
 *
 * <p>Model limits: a range holding a PTE-mapped THP page or a KSM page is not collapsed (the kernel copies the
 * first and leaves the second to KSM's merging rules); a collapsed folio does not join the deferred split queue for
 * the underused-THP shrinker, as a faulted one does not.
 */
final class KhugepagedCollapse {
    static final int SCAN_FAIL = 0;
    static final int SCAN_SUCCEED = 1;
    static final int SCAN_PMD_NULL = 2;
    static final int SCAN_PMD_MAPPED = 3;
    static final int SCAN_EXCEED_NONE_PTE = 4;
    static final int SCAN_EXCEED_SWAP_PTE = 5;
    static final int SCAN_EXCEED_SHARED_PTE = 6;
    static final int SCAN_PTE_NON_PRESENT = 7;
    static final int SCAN_PAGE_RO = 8;
    static final int SCAN_LACK_REFERENCED_PAGE = 9;
    static final int SCAN_PAGE_NULL = 10;
    static final int SCAN_PAGE_COUNT = 11;
    static final int SCAN_PAGE_LRU = 12;
    static final int SCAN_PAGE_ANON = 13;
    static final int SCAN_PAGE_COMPOUND = 14;
    static final int SCAN_ANY_PROCESS = 15;
    static final int SCAN_VMA_CHECK = 16;
    static final int SCAN_ALLOC_HUGE_PAGE_FAIL = 17;
    static final int SCAN_CGROUP_CHARGE_FAIL = 18;

    private final MemoryManager mm;
    private final Khugepaged khugepaged;
    private final MemMap map;
    /** Ranges MADV_COLLAPSE collapsed (thp_collapse_alloc counts them with khugepaged's). */
    long madvCollapsed;

    KhugepagedCollapse(MemoryManager mm, Khugepaged khugepaged) {
        this.mm = mm;
        this.khugepaged = khugepaged;
        this.map = mm.memMap();
    }

    /** What {@link #checkPtes} counted over a range. */
    private static final class Counts {
        int noneOrZero;
        int unmapped;
        int shared;
        int referenced;
        boolean writable;
        int[] nodeLoad;
    }

    /**
     * hpage_collapse_scan_pmd() for khugepaged ({@code cc}) or MADV_COLLAPSE: the range at {@code address} of
     * {@code vma} is checked and, when it qualifies, collapsed; {@code mmapLocked[0]} goes false once a collapse was
     * attempted. Returns a SCAN_ result.
     */
    int hpageCollapseScanPmd(MmStruct m, Vma vma, long address, boolean[] mmapLocked, boolean cc) {
        PageTable.Pte table = m.pgtable.leaf(address, null);
        if (table == null) {
            return SCAN_PMD_NULL;
        }
        int first = PageTable.indexOf(address);
        if (HugeMemory.isPmdMapped(table.entry[first])) {
            return SCAN_PMD_MAPPED;
        }
        Counts c = new Counts();
        int result = checkPtes(table, first, cc, false, c);
        if (cc) {
            khugepaged.ptesScanned += HugeMemory.HPAGE_PMD_NR;
        }
        if (result != SCAN_SUCCEED) {
            return result;
        }
        if (!c.writable) {
            return SCAN_PAGE_RO;
        }
        if (cc && (c.referenced == 0 || c.unmapped > 0 && c.referenced < HugeMemory.HPAGE_PMD_NR / 2)) {
            return SCAN_LACK_REFERENCED_PAGE;
        }
        mmapLocked[0] = false;
        return collapseHugePage(m, address, c, cc);
    }

    /**
     * The per-PTE checks of hpage_collapse_scan_pmd() ({@code isolate} false: swap entries allowed up to the limit)
     * and of __collapse_huge_page_isolate() (a swap entry is then SCAN_PTE_NON_PRESENT).
     */
    private int checkPtes(PageTable.Pte table, int first, boolean cc, boolean isolate, Counts c) {
        c.nodeLoad = new int[mm.nrNodes()];
        int zero = mm.memory().zeroPfn();
        for (int i = 0; i < HugeMemory.HPAGE_PMD_NR; i++) {
            long pte = table.entry[first + i];
            if (PageTable.isSwap(pte)) {
                if (isolate) {
                    return SCAN_PTE_NON_PRESENT;
                }
                c.unmapped++;
                if (cc && c.unmapped > khugepaged.maxPtesSwap) {
                    mm.vmstat().countEvent(VmEvent.THP_SCAN_EXCEED_SWAP_PTE, 1);
                    return SCAN_EXCEED_SWAP_PTE;
                }
                continue;
            }
            if (pte == 0 || PageTable.isPresent(pte) && PageTable.pfnOf(pte) == zero) {
                c.noneOrZero++;
                if (cc && c.noneOrZero > khugepaged.maxPtesNone) {
                    if (!isolate) {
                        mm.vmstat().countEvent(VmEvent.THP_SCAN_EXCEED_NONE_PTE, 1);
                    }
                    return SCAN_EXCEED_NONE_PTE;
                }
                continue;
            }
            if (!PageTable.isPresent(pte)) {
                return SCAN_PTE_NON_PRESENT;
            }
            if ((pte & PageTable._PAGE_RW) != 0) {
                c.writable = true;
            }
            if ((pte & PageTable._PAGE_SPECIAL) != 0) {
                return SCAN_PAGE_NULL;
            }
            int pfn = PageTable.pfnOf(pte);
            int flags = map.flags(pfn);
            if ((flags & PageFlags.PG_ANON) == 0 || (flags & PageFlags.PG_KSM) != 0) {
                return SCAN_PAGE_ANON;
            }
            if ((flags & PageFlags.PG_TRANSHUGE) != 0) {
                return SCAN_PAGE_COMPOUND;
            }
            if (map.mapcount(pfn) > 1) {
                c.shared++;
                if (cc && c.shared > khugepaged.maxPtesShared) {
                    if (!isolate) {
                        mm.vmstat().countEvent(VmEvent.THP_SCAN_EXCEED_SHARE_PTE, 1);
                    }
                    return SCAN_EXCEED_SHARED_PTE;
                }
            }
            c.nodeLoad[mm.zoneOf(pfn).node().nodeId()]++;
            if ((flags & PageFlags.PG_LRU) == 0) {
                return SCAN_PAGE_LRU;
            }
            int expected = map.mapcount(pfn) + ((flags & PageFlags.PG_SWAPCACHE) != 0 ? 1 : 0);
            if (map.refcount(pfn) != expected) {
                return SCAN_PAGE_COUNT;
            }
            if ((pte & PageTable._PAGE_ACCESSED) != 0
                    || (flags & (PageFlags.PG_YOUNG | PageFlags.PG_REFERENCED)) != 0) {
                c.referenced++;
            }
        }
        return SCAN_SUCCEED;
    }

    /** hpage_collapse_find_target_node(): the node most of the range's pages are on (the first of equals). */
    private static int targetNode(int[] nodeLoad) {
        int target = 0;
        for (int nid = 1; nid < nodeLoad.length; nid++) {
            if (nodeLoad[nid] > nodeLoad[target]) {
                target = nid;
            }
        }
        return target;
    }

    /**
     * collapse_huge_page(): allocate and charge the folio, revalidate, swap in, isolate, copy and map. Returns
     * SCAN_SUCCEED or why not; on failure the new folio goes back.
     */
    private int collapseHugePage(MmStruct m, long address, Counts scanned, boolean cc) {
        int gfp = cc ? khugepaged.gfpMask() : Gfp.GFP_TRANSHUGE;
        int nid = targetNode(scanned.nodeLoad);
        int cpu = cc ? 0 : m.homeCpu;
        int head = cc ? khugepaged.asKhugepaged(() -> mm.pageAlloc().allocPages(gfp, HugeMemory.HPAGE_PMD_ORDER,
                nid, cpu, PageOwner.ANON)) : mm.pageAlloc().allocPages(gfp, HugeMemory.HPAGE_PMD_ORDER, nid, cpu,
                PageOwner.ANON);
        if (head < 0) {
            mm.vmstat().countEvent(VmEvent.THP_COLLAPSE_ALLOC_FAILED, 1);
            return SCAN_ALLOC_HUGE_PAGE_FAIL;
        }
        mm.vmstat().countEvent(VmEvent.THP_COLLAPSE_ALLOC, 1);
        if (!mm.mmStructs().isLive(m)) {
            mm.pageAlloc().freePages(head, HugeMemory.HPAGE_PMD_ORDER, cpu);
            return SCAN_ANY_PROCESS;
        }
        MemCgroup memcg = mm.memcontrol().mmMemcg(m);
        int charged = cc ? khugepaged.asKhugepaged(() -> mm.memcontrol().charging().charge(head,
                HugeMemory.HPAGE_PMD_NR, memcg, gfp, cpu)) : mm.memcontrol().charging().charge(head,
                HugeMemory.HPAGE_PMD_NR, memcg, gfp, cpu);
        if (charged != 0) {
            mm.pageAlloc().freePages(head, HugeMemory.HPAGE_PMD_ORDER, cpu);
            return SCAN_CGROUP_CHARGE_FAIL;
        }
        mm.memcontrol().countMemcgEvents(memcg, VmEvent.THP_COLLAPSE_ALLOC, 1);
        int result = revalidateAndSwapin(m, address, scanned.unmapped > 0, cc);
        if (result != SCAN_SUCCEED) {
            freeNewFolio(head, cpu);
            return result;
        }
        Vma vma = m.findVma(address);
        PageTable.Pte table = m.pgtable.leaf(address, null);
        int first = PageTable.indexOf(address);
        Counts c = new Counts();
        result = checkPtes(table, first, cc, true, c);
        if (result == SCAN_SUCCEED && !c.writable) {
            result = SCAN_PAGE_RO;
        }
        if (result != SCAN_SUCCEED) {
            freeNewFolio(head, cpu);
            return result;
        }
        copyAndMap(m, vma, address, table, head, cpu);
        if (cc) {
            khugepaged.pagesCopied += HugeMemory.HPAGE_PMD_NR;
        } else {
            madvCollapsed++;
        }
        return SCAN_SUCCEED;
    }

    /**
     * hugepage_vma_revalidate() and __collapse_huge_page_swapin(): the address space still lives, the VMA still
     * holds the range and may have a THP, the range has its PTE table and no huge PMD; then each swap entry is read
     * back (do_swap_page), each time checking the address space survived the allocation.
     */
    private int revalidateAndSwapin(MmStruct m, long address, boolean swapin, boolean cc) {
        int result = revalidate(m, address, cc);
        if (result != SCAN_SUCCEED || !swapin) {
            return result;
        }
        for (int i = 0; i < HugeMemory.HPAGE_PMD_NR; i++) {
            long a = address + ((long) i << Page.PAGE_SHIFT);
            PageTable.Pte table = m.pgtable.leaf(address, null);
            long pte = table.entry[PageTable.indexOf(a)];
            if (!PageTable.isSwap(pte)) {
                continue;
            }
            Vma vma = m.findVma(address);
            int entry = PageTable.swapEntryOf(pte);
            int r = cc ? khugepaged.asKhugepaged(() -> mm.memory().doSwapPage(m, vma, a, false, table, entry))
                    : mm.memory().doSwapPage(m, vma, a, false, table, entry);
            if (r >= Memory.OOM) {
                return SCAN_FAIL;
            }
            result = revalidate(m, address, cc);
            if (result != SCAN_SUCCEED) {
                return result;
            }
        }
        return SCAN_SUCCEED;
    }

    private int revalidate(MmStruct m, long address, boolean cc) {
        if (!mm.mmStructs().isLive(m)) {
            return SCAN_ANY_PROCESS;
        }
        Vma vma = m.findVma(address);
        if (vma == null || !allowable(vma, cc) || address < vma.start
                || address + HugeMemory.HPAGE_PMD_SIZE > vma.end || vma.anonVma == null) {
            return SCAN_VMA_CHECK;
        }
        PageTable.Pte table = m.pgtable.leaf(address, null);
        if (table == null) {
            return SCAN_PMD_NULL;
        }
        return HugeMemory.isPmdMapped(table.entry[PageTable.indexOf(address)]) ? SCAN_PMD_MAPPED : SCAN_SUCCEED;
    }

    /**
     * thp_vma_allowable_order(): TVA_KHUGEPAGED follows the enabled mode; TVA_FORCED_COLLAPSE (MADV_COLLAPSE) is
     * independent of it, VM_NOHUGEPAGE still forbidding.
     */
    private boolean allowable(Vma vma, boolean cc) {
        return HugeMemory.vmaAllowable(vma, cc ? mm.hugeMemory().flags().enabled() : KernelConfig.ThpMode.ALWAYS);
    }

    /** The folio allocated for a collapse that did not happen goes back, uncharged. */
    private void freeNewFolio(int head, int cpu) {
        for (int i = 0; i < HugeMemory.HPAGE_PMD_NR; i++) {
            mm.memcontrol().charging().uncharge(head + i);
        }
        mm.pageAlloc().freePages(head, HugeMemory.HPAGE_PMD_ORDER, cpu);
    }

    /**
     * __collapse_huge_page_copy() and the PMD's installation: each page's content word goes to the new folio's page
     * at its place (an empty PTE or a zero page: a zero page, counted into the RSS), the old page loses this mapping
     * (freed when it was the last), and the 512 PTEs map the folio as one huge PMD, dirty, writable when the VMA is.
     */
    private void copyAndMap(MmStruct m, Vma vma, long address, PageTable.Pte table, int head, int cpu) {
        int ownerBits = map.flags(head) & PageFlags.OWNER_MASK;
        boolean locked = vma.test(VmFlags.VM_LOCKED);
        long rw = vma.test(VmFlags.VM_WRITE) ? PageTable._PAGE_RW : 0;
        int first = PageTable.indexOf(address);
        int filled = 0;
        for (int i = 0; i < HugeMemory.HPAGE_PMD_NR; i++) {
            long a = address + ((long) i << Page.PAGE_SHIFT);
            long old = table.entry[first + i];
            char word = PageContent.ZERO;
            if (old == 0 || (old & PageTable._PAGE_SPECIAL) != 0) {
                mm.ksm().mightUnmapZeroPage(m, old);
                filled++;
            } else {
                int pfn = PageTable.pfnOf(old);
                word = mm.content().word(pfn);
                mm.memory().unmapPage(vma, pfn, cpu);
            }
            int pfn = head + i;
            map.setFlags(pfn, ownerBits | PageFlags.PG_TRANSHUGE);
            map.setRefcount(pfn, 1);
            map.setPriv(pfn, 0);
            mm.rmap().addNewAnon(pfn, vma, a);
            mm.folios().addLru(pfn);
            if (locked) {
                mm.folios().mlock(pfn);
            }
            mm.content().set(pfn, word);
            PageTable.set(table, a, Memory.mkPte(pfn, rw | PageTable._PAGE_DIRTY | PageTable._PAGE_PSE));
        }
        m.addRss(MmStruct.MM_ANONPAGES, filled);
        mm.memcontrol().modLruvecPageState(head, NodeStatItem.NR_ANON_THPS, HugeMemory.HPAGE_PMD_NR);
    }

    /**
     * madvise_collapse() over [start, end): every aligned 2 MiB range inside the range's VMAs is collapsed
     * synchronously with GFP_TRANSHUGE, whatever the enabled mode and khugepaged's limits. 0 when every range is
     * (or already was) a huge page; else the errno of the last failure (madvise_collapse_errno): ENOMEM when no huge
     * page could be allocated, EBUSY for a charge refused, EAGAIN for a page busy, EINVAL otherwise — and at once
     * for a VMA THP may not back. ENOMEM when part of the range is unmapped.
     */
    int madviseCollapse(MmStruct m, long start, long end) {
        int thps = 0;
        int total = 0;
        int lastFail = SCAN_FAIL;
        long addr = start;
        while (addr < end) {
            Vma vma = m.findVmaAbove(addr);
            if (vma == null || vma.start >= end) {
                return -Errno.ENOMEM;
            }
            if (vma.start > addr) {
                return -Errno.ENOMEM;
            }
            if (!allowable(vma, false)) {
                return -Errno.EINVAL;
            }
            long hstart = (addr + HugeMemory.HPAGE_PMD_SIZE - 1) & ~(HugeMemory.HPAGE_PMD_SIZE - 1);
            long hend = Math.min(end, vma.end) & ~(HugeMemory.HPAGE_PMD_SIZE - 1);
            for (long a = hstart; a < hend; a += HugeMemory.HPAGE_PMD_SIZE) {
                total++;
                if (!mm.mmStructs().isLive(m)) {
                    return -Errno.EINVAL;
                }
                Vma v = m.findVma(a);
                if (v == null || !allowable(v, false)) {
                    return -Errno.EINVAL;
                }
                int r = hpageCollapseScanPmd(m, v, a, new boolean[] {true}, false);
                switch (r) {
                    case SCAN_SUCCEED, SCAN_PMD_MAPPED -> thps++;
                    case SCAN_PMD_NULL, SCAN_PTE_NON_PRESENT, SCAN_PAGE_RO, SCAN_LACK_REFERENCED_PAGE, SCAN_PAGE_NULL,
                            SCAN_PAGE_COUNT, SCAN_PAGE_COMPOUND, SCAN_PAGE_LRU -> lastFail = r;
                    default -> {
                        return collapseErrno(r);
                    }
                }
            }
            addr = Math.min(end, vma.end);
        }
        return thps == total ? 0 : collapseErrno(lastFail);
    }

    /** madvise_collapse_errno(). */
    private static int collapseErrno(int r) {
        return switch (r) {
            case SCAN_ALLOC_HUGE_PAGE_FAIL -> -Errno.ENOMEM;
            case SCAN_CGROUP_CHARGE_FAIL, SCAN_EXCEED_NONE_PTE -> -Errno.EBUSY;
            case SCAN_PAGE_COUNT, SCAN_PAGE_LRU -> -Errno.EAGAIN;
            default -> -Errno.EINVAL;
        };
    }
}
