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
 * ({@code pgtable_trans_huge_deposit}), so VmPTE and PageTables count it as Linux does.
 *
 * <p>A VMA boundary inside the 2 MiB, a partial unmapping, or a write to a folio shared after fork splits the
 * PMD of that mapping only ({@code split_huge_pmd}, thp_split_pmd): its 512 PTEs map the same folio page by page. A
 * folio that loses part of its mappings that way goes on the deferred split queue (thp_deferred_split_page) and
 * stays whole: still in AnonHugePages of meminfo, its unmapped pages still allocated (on the LRU, with no
 * reference), until the "thp-deferred_split" shrinker (reclaim under pressure, drop_caches 2) or reclaim of one of
 * its pages splits it ({@link #splitHugePage}: thp_split_page) and frees them. A folio no page of which is
 * referenced any more goes back whole. Reclaim to swap splits a whole folio too, as these swap areas have no huge
 * swap entries (thp_swpout_fallback). A folio not on the queue is mapped whole everywhere: its pages share one
 * refcount and one mapcount ({@link MmDebug} checks both rules).
 *
 * <p>Compaction skips THPs, as isolate_migratepages_block does for folios of pageblock order.
 *
 * <p>Which VMAs THP backs, how hard a fault tries for the folio and whether reads map the huge zero page follow
 * the runtime settings of {@link ThpFlags} (/sys/kernel/mm/transparent_hugepage).
 *
 * <p>A read fault on such a range maps the huge zero page (use_zero_page, on by default): one unmovable order-9
 * block allocated at first use (thp_zero_page_alloc), mapped read-only and special — it counts in no RSS — through
 * the same 512 marked PTEs. A write to it allocates a THP in its place, or splits the zero PMD into 512 mappings of
 * the 4 KiB zero page and copies one page. Each address space that mapped it holds a reference until exit; the
 * "thp-zero" shrinker frees it once none does.
 *
 * <p>Memory faulted in 4 KiB pages (THP off or not advised then, or no free 2 MiB block at the fault) is collapsed
 * into THPs later by khugepaged ({@link Khugepaged}, {@link KhugepagedCollapse}) or at once by MADV_COLLAPSE; a
 * fault THP may serve registers its address space with khugepaged.
 */
public final class HugeMemory {
    /** HPAGE_PMD_ORDER. */
    public static final int HPAGE_PMD_ORDER = 9;
    /** HPAGE_PMD_NR: base pages in a PMD-sized folio. */
    public static final int HPAGE_PMD_NR = 1 << HPAGE_PMD_ORDER;
    /** HPAGE_PMD_SIZE. */
    public static final long HPAGE_PMD_SIZE = (long) HPAGE_PMD_NR << Page.PAGE_SHIFT;

    private final MemoryManager mm;
    private final MemMap map;
    /** The /sys/kernel/mm/transparent_hugepage settings the fault path reads. */
    private final ThpFlags flags;
    /** huge_zero_folio: its first pfn, or -1 while it is not allocated. */
    private int hugeZeroPfn = -1;
    /** huge_zero_refcount: 0 when not allocated, else 1 (the global reference) plus one per address space using it. */
    private int hugeZeroRefcount;
    /** The deferred split queue: heads of partly unmapped folios, oldest first. */
    private final java.util.LinkedHashSet<Integer> deferred = new java.util.LinkedHashSet<>();
    /** While an unmapping runs: heads of folios a page of which lost a mapping, settled at its end. */
    private final java.util.Set<Integer> released = new java.util.LinkedHashSet<>();
    private boolean unmapping;

    HugeMemory(MemoryManager mm) {
        this.mm = mm;
        this.map = mm.memMap();
        this.flags = new ThpFlags(mm, mm.config().thp());
        mm.shrinkers().register(new HugeZeroShrinker());
        mm.shrinkers().register(new DeferredSplitShrinker());
    }

    /** The runtime THP settings (enabled, defrag, use_zero_page). */
    public ThpFlags flags() {
        return flags;
    }

    /** Whether the folio at {@code head} is on the deferred split queue. */
    boolean isDeferred(int head) {
        return deferred.contains(head);
    }

    /** The huge zero page's first pfn, or -1 while there is none. */
    public int hugeZeroPfn() {
        return hugeZeroPfn;
    }

    /** huge_zero_refcount. */
    int hugeZeroRefcount() {
        return hugeZeroRefcount;
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
        if (!modeAllows(v, flags.enabled())) {
            return false;
        }
        if ((((v.start >>> Page.PAGE_SHIFT) - v.pgoff) & (HPAGE_PMD_NR - 1)) != 0) {
            return false;
        }
        return haddr >= v.start && haddr + HPAGE_PMD_SIZE <= v.end;
    }

    /**
     * do_huge_pmd_anonymous_page() for a fault at {@code addr} on an empty range (through {@code table}, which must
     * be empty): a write maps a new PMD-sized folio, a read the huge zero page — or a new folio too when
     * use_zero_page is off. Returns false when neither could be had (thp_fault_fallback, thp_zero_page_alloc_failed);
     * the caller then falls back to a 4 KiB page.
     */
    boolean doHugePmdAnonymousPage(MmStruct mmStruct, Vma vma, long addr, PageTable.Pte table, boolean write) {
        mm.khugepaged().khugepagedEnterVma(vma, vma.flags);
        mm.rmap().anonVmaPrepare(vma);
        if (!write && flags.useZeroPage()) {
            int zero = mmGetHugeZeroFolio(mmStruct);
            if (zero < 0) {
                return false;
            }
            long haddr = addr & ~(HPAGE_PMD_SIZE - 1);
            for (int i = 0; i < HPAGE_PMD_NR; i++) {
                PageTable.set(table, haddr + ((long) i << Page.PAGE_SHIFT), Memory.mkPte(zero + i,
                        PageTable._PAGE_SPECIAL | PageTable._PAGE_PSE));
            }
            return true;
        }
        return mapNewHugePage(mmStruct, vma, addr, table, write);
    }

    /**
     * vma_alloc_anon_folio_pmd() + map_anon_folio_pmd(): allocate a PMD-sized folio and map it over the whole
     * aligned range around {@code addr} (replacing whatever {@code table} held there: nothing, or the huge zero
     * page) with the GFP flags of the defrag policy; the written page, if {@code write}, gets a new content word,
     * the others are zero. Mapped dirty, and writable when the VMA is (maybe_pmd_mkwrite). False when none could be
     * had.
     */
    private boolean mapNewHugePage(MmStruct mmStruct, Vma vma, long addr, PageTable.Pte table, boolean write) {
        long haddr = addr & ~(HPAGE_PMD_SIZE - 1);
        int head = mm.mempolicy().vmaAllocPages(flags.vmaThpGfpMask(vma), HPAGE_PMD_ORDER, mmStruct, vma, haddr,
                PageOwner.ANON);
        if (head < 0) {
            mm.vmstat().countEvent(VmEvent.THP_FAULT_FALLBACK, 1);
            return false;
        }
        if (mm.memcontrol().charging().charge(head, HPAGE_PMD_NR, mm.memcontrol().mmMemcg(mmStruct),
                flags.vmaThpGfpMask(vma), mmStruct.homeCpu) != 0) {
            mm.pageAlloc().freePages(head, HPAGE_PMD_ORDER, mmStruct.homeCpu);
            mm.vmstat().countEvent(VmEvent.THP_FAULT_FALLBACK, 1);
            mm.vmstat().countEvent(VmEvent.THP_FAULT_FALLBACK_CHARGE, 1);
            return false;
        }
        int ownerBits = map.flags(head) & PageFlags.OWNER_MASK;
        boolean locked = vma.test(VmFlags.VM_LOCKED);
        long rw = vma.test(VmFlags.VM_WRITE) ? PageTable._PAGE_RW : 0;
        for (int i = 0; i < HPAGE_PMD_NR; i++) {
            int pfn = head + i;
            map.setFlags(pfn, ownerBits | PageFlags.PG_TRANSHUGE);
            map.setRefcount(pfn, 1);
            map.setPriv(pfn, 0);
            long a = haddr + ((long) i << Page.PAGE_SHIFT);
            mm.rmap().addNewAnon(pfn, vma, a);
            mm.folios().addLru(pfn);
            if (locked) {
                mm.folios().mlock(pfn);
            }
            mm.content().set(pfn, PageContent.ZERO);
            PageTable.set(table, a, Memory.mkPte(pfn, rw | PageTable._PAGE_DIRTY | PageTable._PAGE_PSE));
        }
        if (write) {
            mm.content().store(head + (int) ((addr - haddr) >>> Page.PAGE_SHIFT));
        }
        mmStruct.addRss(MmStruct.MM_ANONPAGES, HPAGE_PMD_NR);
        mm.memcontrol().modLruvecPageState(head, NodeStatItem.NR_ANON_THPS, HPAGE_PMD_NR);
        mm.vmstat().countEvent(VmEvent.THP_FAULT_ALLOC, 1);
        mm.memcontrol().countMemcgEventMm(mmStruct, VmEvent.THP_FAULT_ALLOC, 1);
        return true;
    }

    /**
     * mm_get_huge_zero_folio(): the huge zero page for this address space, allocated at first use anywhere
     * (get_huge_zero_folio: GFP_TRANSHUGE without __GFP_MOVABLE, zeroed; thp_zero_page_alloc or
     * thp_zero_page_alloc_failed). The address space takes one reference, once. Returns its pfn or -1.
     */
    int mmGetHugeZeroFolio(MmStruct mmStruct) {
        if (mmStruct.hugeZeroFolio) {
            return hugeZeroPfn;
        }
        if (hugeZeroRefcount == 0) {
            int pfn = mm.pageAlloc().allocPages((Gfp.GFP_TRANSHUGE | Gfp.__GFP_ZERO) & ~Gfp.__GFP_MOVABLE,
                    HPAGE_PMD_ORDER, mmStruct.homeNid, mmStruct.homeCpu, PageOwner.KERNEL);
            if (pfn < 0) {
                mm.vmstat().countEvent(VmEvent.THP_ZERO_PAGE_ALLOC_FAILED, 1);
                return -1;
            }
            for (int i = 0; i < HPAGE_PMD_NR; i++) {
                mm.content().set(pfn + i, PageContent.ZERO);
            }
            hugeZeroPfn = pfn;
            hugeZeroRefcount = 1;
            mm.vmstat().countEvent(VmEvent.THP_ZERO_PAGE_ALLOC, 1);
        }
        hugeZeroRefcount++;
        mmStruct.hugeZeroFolio = true;
        return hugeZeroPfn;
    }

    /** mm_put_huge_zero_folio() at exit_mmap: the address space's reference goes. */
    void mmPutHugeZeroFolio(MmStruct mmStruct) {
        if (mmStruct.hugeZeroFolio) {
            mmStruct.hugeZeroFolio = false;
            hugeZeroRefcount--;
        }
    }

    /** The "thp-zero" shrinker: the huge zero page is freed when only the global reference holds it. */
    private final class HugeZeroShrinker implements Shrinker {
        @Override
        public String name() {
            return "thp-zero";
        }

        @Override
        public long countObjects(int nid) {
            return hugeZeroRefcount == 1 ? HPAGE_PMD_NR : 0;
        }

        @Override
        public long scanObjects(int nid, long nrToScan) {
            if (hugeZeroRefcount != 1) {
                return 0;
            }
            mm.pageAlloc().freePages(hugeZeroPfn, HPAGE_PMD_ORDER, 0);
            hugeZeroPfn = -1;
            hugeZeroRefcount = 0;
            return HPAGE_PMD_NR;
        }
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
     * do_huge_pmd_wp_page(): a write to a write-protected huge PMD. The huge zero page is replaced by a new THP
     * (do_huge_zero_wp_pmd), or else its PMD split; a folio this mapping alone holds is reused whole (the PMD made
     * writable); of a folio still shared after fork this mapping's PMD is split. When this returns false (not
     * served) the caller copies the one page, and the folio goes on the deferred split queue.
     */
    boolean doHugePmdWpPage(MmStruct mmStruct, Vma vma, long addr, PageTable.Pte table) {
        long haddr = addr & ~(HPAGE_PMD_SIZE - 1);
        long pte = table.entry[PageTable.indexOf(addr)];
        if ((pte & PageTable._PAGE_SPECIAL) != 0) {
            if (mapNewHugePage(mmStruct, vma, addr, table, true)) {
                return true;
            }
            splitHugeZeroPmd(haddr, table);
            return false;
        }
        int head = headOf(PageTable.pfnOf(pte));
        if (map.refcount(head) == 1) {
            int first = PageTable.indexOf(haddr);
            for (int i = 0; i < HPAGE_PMD_NR; i++) {
                table.entry[first + i] |= PageTable._PAGE_RW | PageTable._PAGE_DIRTY | PageTable._PAGE_ACCESSED;
            }
            mm.content().store(head + (int) ((addr - haddr) >>> Page.PAGE_SHIFT));
            mm.vmstat().countEvent(VmEvent.PGREUSE, 1);
            return true;
        }
        splitHugePmd(haddr, table);
        return false;
    }

    /**
     * zap_huge_pmd(): unmap the whole folio mapped at {@code haddr} of this VMA. Each page loses this mapping and
     * its reference; when they were the last, the folio goes back to the buddy allocator as one order-9 block. The
     * deposited PTE table is freed with the PMD. A huge zero PMD just goes, with its table.
     */
    void zapHugePmd(MmStruct mmStruct, Vma vma, long haddr, PageTable.Pte table) {
        int first = PageTable.indexOf(haddr);
        if ((table.entry[first] & PageTable._PAGE_SPECIAL) != 0) {
            for (int i = 0; i < HPAGE_PMD_NR; i++) {
                PageTable.set(table, haddr + ((long) i << Page.PAGE_SHIFT), 0);
            }
            mmStruct.pgtable.freeLeaf(haddr, mm.mmap().tableAllocator(mmStruct));
            return;
        }
        int head = headOf(PageTable.pfnOf(table.entry[first]));
        boolean locked = vma.test(VmFlags.VM_LOCKED);
        for (int i = 0; i < HPAGE_PMD_NR; i++) {
            PageTable.set(table, haddr + ((long) i << Page.PAGE_SHIFT), 0);
            int pfn = head + i;
            mm.rmap().removeMapping(pfn);
            if (locked) {
                mm.folios().munlock(pfn);
            }
            map.decRefcount(pfn);
        }
        mmStruct.addRss(MmStruct.MM_ANONPAGES, -HPAGE_PMD_NR);
        settle(head, mmStruct.homeCpu);
        mmStruct.pgtable.freeLeaf(haddr, mm.mmap().tableAllocator(mmStruct));
    }

    /**
     * A page of a THP lost a mapping or a reference (it stays with its folio even when that was the last):
     * settled at once, or at the end of the unmapping in progress.
     */
    void pageReleased(int pfn, int cpu) {
        int head = headOf(pfn);
        if (unmapping) {
            released.add(head);
        } else {
            settle(head, cpu);
        }
    }

    /**
     * Start an unmapping (zap_page_range) whose released THP pages are settled when it ends, as the kernel removes
     * the rmap of a folio's PTEs in one batch: a folio unmapped whole is then freed without being queued. Returns
     * whether this call started it (an unmapping within another is part of it).
     */
    boolean beginUnmap() {
        if (unmapping) {
            return false;
        }
        unmapping = true;
        return true;
    }

    /** End what {@link #beginUnmap} started when it returned true: settle the folios it released pages of. */
    void endUnmap(boolean started, int cpu) {
        if (!started) {
            return;
        }
        unmapping = false;
        try {
            for (int head : released) {
                settle(head, cpu);
            }
        } finally {
            released.clear();
        }
    }

    /**
     * After mappings or references of the folio went: freed whole when none of its pages is referenced any more;
     * queued for a deferred split (deferred_split_folio) when it is now partly mapped — its pages no longer all
     * have the same references, as a page unmapped or copied on write by one address space. Stops at the first
     * page whose references differ from the head's.
     */
    private void settle(int head, int cpu) {
        if (!map.test(head, PageFlags.PG_TRANSHUGE)) {
            return;
        }
        int ref = map.refcount(head);
        for (int i = 1; i < HPAGE_PMD_NR; i++) {
            if (map.refcount(head + i) != ref) {
                deferredSplitFolio(head);
                return;
            }
        }
        if (ref == 0) {
            deferred.remove(head);
            freeHugePage(head, cpu);
        }
    }

    /** deferred_split_folio(): the folio is partly unmapped; it waits on the queue to be split. */
    private void deferredSplitFolio(int head) {
        if (deferred.add(head)) {
            mm.vmstat().countEvent(VmEvent.THP_DEFERRED_SPLIT_PAGE, 1);
        }
    }

    /** The "thp-deferred_split" shrinker: splits queued folios, oldest first, freeing their unmapped pages. */
    private final class DeferredSplitShrinker implements Shrinker {
        @Override
        public String name() {
            return "thp-deferred_split";
        }

        @Override
        public long countObjects(int nid) {
            long n = 0;
            for (int head : deferred) {
                if (mm.zoneOf(head).node().nodeId() == nid) {
                    n++;
                }
            }
            return n;
        }

        @Override
        public long scanObjects(int nid, long nrToScan) {
            long split = 0;
            for (int head : new java.util.ArrayList<>(deferred)) {
                if (split >= nrToScan) {
                    break;
                }
                if (mm.zoneOf(head).node().nodeId() == nid) {
                    splitHugePage(head);
                    split++;
                }
            }
            return split;
        }
    }

    /** free_huge_folio() of an anonymous THP: off the LRU, out of NR_ANON_THPS, back to the buddy allocator. */
    private void freeHugePage(int head, int cpu) {
        mm.memcontrol().modLruvecPageState(head, NodeStatItem.NR_ANON_THPS, -HPAGE_PMD_NR);
        for (int i = 0; i < HPAGE_PMD_NR; i++) {
            mm.folios().unlinkFreed(head + i);
        }
        mm.pageAlloc().freePages(head, HPAGE_PMD_ORDER, cpu);
    }

    /**
     * split_huge_page(): every PMD mapping of the folio becomes 512 ordinary PTEs (thp_split_pmd each) and the folio
     * 512 independent pages (thp_split_page): it leaves NR_ANON_THPS and the deferred split queue, and its pages no
     * one references any more go back to the buddy allocator.
     */
    void splitHugePage(int head) {
        int mapped = 0;
        while (mapped < HPAGE_PMD_NR && map.mapcount(head + mapped) == 0) {
            mapped++;
        }
        int[] pmds = {0};
        if (mapped < HPAGE_PMD_NR) {
            // A PMD maps every page of the folio: the walk of any mapped page finds all of them.
            int offset = mapped;
            mm.rmap().rmapWalk(head + mapped, (vma, addr, table, index) -> {
                if ((table.entry[index] & PageTable._PAGE_PSE) != 0) {
                    splitHugePmdEntries(table, index - offset);
                    pmds[0]++;
                }
            });
        }
        deferred.remove(head);
        mm.memcontrol().modLruvecPageState(head, NodeStatItem.NR_ANON_THPS, -HPAGE_PMD_NR);
        for (int i = 0; i < HPAGE_PMD_NR; i++) {
            int pfn = head + i;
            map.clearFlags(pfn, PageFlags.PG_TRANSHUGE);
            if (map.refcount(pfn) == 0) {
                mm.folios().unlinkFreed(pfn);
                mm.pageAlloc().freePages(pfn, 0, 0);
            }
        }
        mm.vmstat().countEvent(VmEvent.THP_SPLIT_PMD, pmds[0]);
        mm.vmstat().countEvent(VmEvent.THP_SPLIT_PAGE, 1);
    }

    /**
     * split_huge_pmd_address(): a VMA boundary or a partial unmapping at {@code addr}, inside the 2 MiB range of a
     * PMD-mapped folio or of the huge zero page, splits that PMD. Nothing happens on a PMD boundary or where no huge
     * PMD maps.
     */
    void splitHugePmdAt(MmStruct mmStruct, long addr) {
        if ((addr & (HPAGE_PMD_SIZE - 1)) == 0) {
            return;
        }
        PageTable.Pte table = mmStruct.pgtable.leaf(addr, null);
        if (table == null || table.used == 0) {
            return;
        }
        long haddr = addr & ~(HPAGE_PMD_SIZE - 1);
        long pte = table.entry[PageTable.indexOf(haddr)];
        if (!isPmdMapped(pte)) {
            return;
        }
        if ((pte & PageTable._PAGE_SPECIAL) != 0) {
            splitHugeZeroPmd(haddr, table);
        } else {
            splitHugePmd(haddr, table);
        }
    }

    /**
     * __split_huge_pmd() of an anonymous THP: this mapping's PMD becomes 512 PTEs mapping the folio's pages, which
     * stays whole (thp_split_pmd).
     */
    void splitHugePmd(long haddr, PageTable.Pte table) {
        splitHugePmdEntries(table, PageTable.indexOf(haddr));
        mm.vmstat().countEvent(VmEvent.THP_SPLIT_PMD, 1);
    }

    /** The 512 PTEs of a huge PMD from index {@code first} of {@code table} become ordinary ones. */
    private static void splitHugePmdEntries(PageTable.Pte table, int first) {
        for (int i = 0; i < HPAGE_PMD_NR; i++) {
            table.entry[first + i] &= ~PageTable._PAGE_PSE;
        }
    }

    /**
     * __split_huge_zero_page_pmd(): this mapping of the huge zero page becomes 512 read-only mappings of the 4 KiB
     * zero page (thp_split_pmd).
     */
    void splitHugeZeroPmd(long haddr, PageTable.Pte table) {
        int first = PageTable.indexOf(haddr);
        for (int i = 0; i < HPAGE_PMD_NR; i++) {
            table.entry[first + i] = Memory.mkPte(mm.memory().zeroPfn(), PageTable._PAGE_SPECIAL);
        }
        mm.vmstat().countEvent(VmEvent.THP_SPLIT_PMD, 1);
    }
}
