package io.simproc.mm;

import io.simproc.uapi.Page;

/**
 * Anonymous transparent huge pages (mm/huge_memory.c): a write fault on an empty, naturally aligned 2 MiB range of
 * a VMA that THP may back allocates one order-9 folio ({@code do_huge_pmd_anonymous_page}) instead of a 4 KiB page.
 *
 * <p>Model. The folio is one buddy block of {@link #HPAGE_PMD_NR} pages, each tagged {@link PageFlags#PG_TRANSHUGE}
 * and kept as its own struct page (refcount, mapcount, LRU link, content word), so reclaim scans it page by page as
 * the kernel counts a folio's pages. Its PMD mapping is represented by the 512 PTEs of the range, each carrying
 * {@link PageTable#_PAGE_PSE}; the PTE table under them is the one the kernel deposits with every huge PMD
 * ({@code pgtable_trans_huge_deposit}), so VmPTE and PageTables count it as Linux does. A PMD-mapped folio is always
 * mapped whole, so its pages share one refcount and one mapcount ({@link MmDebug} checks this).
 *
 * <p>Anything that needs less than the whole folio splits it at once ({@link #splitHugePage}): a VMA boundary or an
 * unmapping inside the 2 MiB, a write to a folio shared after fork, and reclaim, which has no huge swap entries
 * (thp_swpout_fallback). The kernel splits only the PMD on some of these paths and leaves the folio on its deferred
 * split queue until memory is short; here the folio splits with its PMDs (thp_split_pmd and thp_split_page both
 * count). Compaction skips THPs, as isolate_migratepages_block does for folios of pageblock order. Read faults map
 * the 4 KiB zero page (the huge zero page is not modelled), so memory first read and then written gets small pages;
 * khugepaged does not collapse them.
 */
public final class HugeMemory {
    /** HPAGE_PMD_ORDER. */
    public static final int HPAGE_PMD_ORDER = 9;
    /** HPAGE_PMD_NR: base pages in a PMD-sized folio. */
    public static final int HPAGE_PMD_NR = 1 << HPAGE_PMD_ORDER;
    /** HPAGE_PMD_SIZE. */
    public static final long HPAGE_PMD_SIZE = (long) HPAGE_PMD_NR << Page.PAGE_SHIFT;

    private final MemoryManager mm;
    private final int[] mem;

    HugeMemory(MemoryManager mm) {
        this.mm = mm;
        this.mem = mm.memMap().mem;
    }

    /**
     * thp_vma_allowable_order(vma, PMD_ORDER) without a fault address (what smaps prints as THPeligible): an
     * anonymous VMA (no file, no special or PFN mapping) not marked VM_NOHUGEPAGE, with THP "always", or "madvise"
     * and VM_HUGEPAGE, that holds at least one whole naturally aligned PMD-sized range. File and shmem VMAs are not
     * eligible in this configuration (no READ_ONLY_THP_FOR_FS, shmem THP off).
     */
    public static boolean vmaAllowable(Vma v, KernelConfig.ThpMode thp) {
        if (!modeAllows(v, thp)) {
            return false;
        }
        long haddr = (v.end - HPAGE_PMD_SIZE) & ~(HPAGE_PMD_SIZE - 1);
        return v.end - v.start >= HPAGE_PMD_SIZE && haddr >= v.start;
    }

    private static boolean modeAllows(Vma v, KernelConfig.ThpMode thp) {
        if (!v.isAnonymous() || v.test(VmFlags.VM_SPECIAL) || v.test(VmFlags.VM_NOHUGEPAGE)) {
            return false;
        }
        if (v.name != null && (v.name.equals("[vdso]") || v.name.startsWith("[vvar"))) {
            return false;
        }
        return thp == KernelConfig.ThpMode.ALWAYS
                || thp == KernelConfig.ThpMode.MADVISE && v.test(VmFlags.VM_HUGEPAGE);
    }

    /**
     * thp_vma_allowable_order() + thp_vma_suitable_order() at a fault: THP may back this VMA and the aligned 2 MiB
     * around {@code haddr} lies inside it, at a virtual offset that matches its page offset.
     */
    boolean faultAllowable(Vma v, long haddr) {
        if (!modeAllows(v, mm.config().thp())) {
            return false;
        }
        if ((((v.start >>> Page.PAGE_SHIFT) - v.pgoff) & (HPAGE_PMD_NR - 1)) != 0) {
            return false;
        }
        return haddr >= v.start && haddr + HPAGE_PMD_SIZE <= v.end;
    }

    /**
     * vma_thp_gfp_mask() with the default defrag setting "madvise": a VM_HUGEPAGE mapping may reclaim and compact
     * directly; any other fails at once rather than stall (and does not wake kswapd).
     */
    static int vmaThpGfpMask(Vma v) {
        return v.test(VmFlags.VM_HUGEPAGE) ? Gfp.GFP_TRANSHUGE : Gfp.GFP_TRANSHUGE_LIGHT;
    }

    /**
     * do_huge_pmd_anonymous_page() for the write fault at {@code addr}: allocate a PMD-sized folio and map it at the
     * aligned range through {@code table} (which must be empty). Returns false when no folio could be had
     * (thp_fault_fallback), the caller then falls back to a small page.
     */
    boolean doHugePmdAnonymousPage(MmStruct mmStruct, Vma vma, long addr, PageTable.Pte table) {
        long haddr = addr & ~(HPAGE_PMD_SIZE - 1);
        mm.mmap().anonVmaPrepare(vma);
        int head = mm.pageAlloc().allocPages(vmaThpGfpMask(vma), HPAGE_PMD_ORDER, mmStruct.homeNid,
                mmStruct.homeCpu, PageOwner.ANON);
        if (head < 0) {
            mm.countEvent(VmEvent.THP_FAULT_FALLBACK, 1);
            return false;
        }
        int ownerBits = mem[MemMap.at(head, MemMap.F_FLAGS)] & PageFlags.OWNER_MASK;
        boolean locked = vma.test(VmFlags.VM_LOCKED);
        for (int i = 0; i < HPAGE_PMD_NR; i++) {
            int pfn = head + i;
            int b = pfn << MemMap.STRIDE_SHIFT;
            mem[b + MemMap.F_FLAGS] = ownerBits | PageFlags.PG_TRANSHUGE;
            mem[b + MemMap.F_REFCOUNT] = 1;
            mem[b + MemMap.F_PRIV] = 0;
            long a = haddr + ((long) i << Page.PAGE_SHIFT);
            mm.rmap().addNewAnon(pfn, vma, a);
            mm.folios().addLru(pfn);
            if (locked) {
                mm.folios().mlock(pfn);
            }
            mm.content().set(pfn, PageContent.ZERO);
            PageTable.set(table, a, Memory.mkPte(pfn, PageTable._PAGE_RW | PageTable._PAGE_DIRTY
                    | PageTable._PAGE_PSE));
        }
        mm.content().store(head + (int) ((addr - haddr) >>> Page.PAGE_SHIFT));
        mmStruct.addRss(MmStruct.MM_ANONPAGES, HPAGE_PMD_NR);
        mm.zoneOf(head).node().vmStat[NodeStatItem.NR_ANON_THPS.ordinal()] += HPAGE_PMD_NR;
        mm.countEvent(VmEvent.THP_FAULT_ALLOC, 1);
        return true;
    }

    /** The first page of the folio a PG_TRANSHUGE page belongs to (folios are naturally aligned). */
    static int headOf(int pfn) {
        return pfn & ~(HPAGE_PMD_NR - 1);
    }

    /** Whether a PTE stands for part of a PMD mapping. */
    static boolean isPmdMapped(long pte) {
        return (pte & (PageTable._PAGE_PRESENT | PageTable._PAGE_PSE)) == (PageTable._PAGE_PRESENT
                | PageTable._PAGE_PSE);
    }

    /**
     * do_huge_pmd_wp_page(): a write to a write-protected huge PMD. A folio this mapping alone holds is reused
     * whole (the PMD made writable); a folio still shared after fork is split, and the caller copies the one page.
     * Returns whether the write was served.
     */
    boolean doHugePmdWpPage(MmStruct mmStruct, long addr, PageTable.Pte table) {
        long haddr = addr & ~(HPAGE_PMD_SIZE - 1);
        int head = headOf(PageTable.pfnOf(table.entry[PageTable.indexOf(addr)]));
        if (mem[MemMap.at(head, MemMap.F_REFCOUNT)] == 1) {
            int first = PageTable.indexOf(haddr);
            for (int i = 0; i < HPAGE_PMD_NR; i++) {
                table.entry[first + i] |= PageTable._PAGE_RW | PageTable._PAGE_DIRTY | PageTable._PAGE_ACCESSED;
            }
            mm.content().store(head + (int) ((addr - haddr) >>> Page.PAGE_SHIFT));
            mm.countEvent(VmEvent.PGREUSE, 1);
            return true;
        }
        splitHugePage(head);
        return false;
    }

    /**
     * zap_huge_pmd(): unmap the whole folio mapped at {@code haddr} of this VMA. Each page loses this mapping and
     * its reference; when they were the last, the folio goes back to the buddy allocator as one order-9 block. The
     * deposited PTE table is freed with the PMD.
     */
    void zapHugePmd(MmStruct mmStruct, Vma vma, long haddr, PageTable.Pte table) {
        int first = PageTable.indexOf(haddr);
        int head = headOf(PageTable.pfnOf(table.entry[first]));
        boolean locked = vma.test(VmFlags.VM_LOCKED);
        for (int i = 0; i < HPAGE_PMD_NR; i++) {
            PageTable.set(table, haddr + ((long) i << Page.PAGE_SHIFT), 0);
            int pfn = head + i;
            mm.rmap().removeMapping(pfn);
            if (locked) {
                mm.folios().munlock(pfn);
            }
            mem[MemMap.at(pfn, MemMap.F_REFCOUNT)]--;
        }
        mmStruct.addRss(MmStruct.MM_ANONPAGES, -HPAGE_PMD_NR);
        if (mem[MemMap.at(head, MemMap.F_REFCOUNT)] == 0) {
            freeHugePage(head, mmStruct.homeCpu);
        }
        mmStruct.pgtable.freeLeaf(haddr, mm.mmap().tableAllocator(mmStruct));
    }

    /** free_huge_folio() of an anonymous THP: off the LRU, out of NR_ANON_THPS, back to the buddy allocator. */
    private void freeHugePage(int head, int cpu) {
        for (int i = 0; i < HPAGE_PMD_NR; i++) {
            int pfn = head + i;
            int flags = mem[MemMap.at(pfn, MemMap.F_FLAGS)];
            if ((flags & PageFlags.PG_LRU) != 0) {
                mm.zoneOf(pfn).node().lruvec.del(pfn);
            }
            if ((flags & PageFlags.PG_MLOCKED) != 0) {
                mm.zoneOf(pfn).vmStat[ZoneStatItem.NR_MLOCK.ordinal()]--;
            }
        }
        mm.zoneOf(head).node().vmStat[NodeStatItem.NR_ANON_THPS.ordinal()] -= HPAGE_PMD_NR;
        mm.pageAlloc().freePages(head, HPAGE_PMD_ORDER, cpu);
    }

    /**
     * split_huge_page(): every PMD mapping of the folio becomes 512 ordinary PTEs (thp_split_pmd each) and the folio
     * 512 independent pages (thp_split_page); it leaves NR_ANON_THPS.
     */
    void splitHugePage(int head) {
        int[] pmds = {0};
        mm.rmap().rmapWalk(head, (vma, addr, table, i) -> {
            for (int k = 0; k < HPAGE_PMD_NR; k++) {
                table.entry[i + k] &= ~PageTable._PAGE_PSE;
            }
            pmds[0]++;
        });
        for (int i = 0; i < HPAGE_PMD_NR; i++) {
            mem[MemMap.at(head + i, MemMap.F_FLAGS)] &= ~PageFlags.PG_TRANSHUGE;
        }
        mm.zoneOf(head).node().vmStat[NodeStatItem.NR_ANON_THPS.ordinal()] -= HPAGE_PMD_NR;
        mm.countEvent(VmEvent.THP_SPLIT_PMD, pmds[0]);
        mm.countEvent(VmEvent.THP_SPLIT_PAGE, 1);
    }

    /**
     * split_huge_pmd_address(): a VMA boundary or a partial unmapping at {@code addr}, inside the 2 MiB range of a
     * PMD-mapped folio, splits that folio. Nothing happens on a PMD boundary or where no huge PMD maps.
     */
    void splitHugePmdAt(MmStruct mmStruct, long addr) {
        if ((addr & (HPAGE_PMD_SIZE - 1)) == 0) {
            return;
        }
        PageTable.Pte table = mmStruct.pgtable.leaf(addr, null);
        if (table == null || table.used == 0) {
            return;
        }
        int first = PageTable.indexOf(addr & ~(HPAGE_PMD_SIZE - 1));
        long pte = table.entry[first];
        if (isPmdMapped(pte)) {
            splitHugePage(headOf(PageTable.pfnOf(pte)));
        }
    }
}
