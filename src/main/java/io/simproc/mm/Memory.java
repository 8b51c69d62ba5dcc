package io.simproc.mm;

/**
 * Page faults and unmapping (mm/memory.c): {@link #access} is what a load or store by a task does — nothing when
 * the page is mapped with the needed permission, else {@code handle_mm_fault}: a first read of anonymous memory
 * maps the shared zero page, a first write allocates a zeroed page ({@code do_anonymous_page}); file pages come
 * from the page cache ({@code do_fault}, a major fault when they had to be read); a write to a page shared after
 * fork or mapped privately from a file copies it ({@code do_wp_page}), unless this mapping is the page's only
 * user. {@link #zapRange} unmaps, dropping references and RSS. A fault on an empty PMD range that transparent
 * huge pages may back maps a whole huge page instead, or the huge zero page for a read ({@link HugeMemory}).
 */
public final class Memory {
    /** Outcomes of {@link #access}. */
    public static final int HIT = 0;
    public static final int MINOR = 1;
    public static final int MAJOR = 2;
    public static final int OOM = 3;
    public static final int SIGSEGV = 4;
    public static final int SIGBUS = 5;

    /** stack_guard_gap: 256 pages below a stack that it may not grow into from a lower mapping. */
    public static final long STACK_GUARD_GAP = 256L << io.simproc.uapi.Page.PAGE_SHIFT;
    static final long PTE_FLAGS_MASK = (1L << PageTable.PTE_SHIFT) - 1;

    private final MemoryManager mm;
    private final MemMap map;
    /** The shared zero page, or -1 before boot designates one. */
    private int zeroPfn = -1;

    Memory(MemoryManager mm) {
        this.mm = mm;
        this.map = mm.memMap();
    }

    /** Boot designates a reserved page of the kernel image as the zero page. */
    public void setZeroPfn(int pfn) {
        if (!map.test(pfn, PageFlags.PG_RESERVED)) {
            throw new IllegalArgumentException("the zero page must be a reserved page, pfn " + pfn + " is not");
        }
        this.zeroPfn = pfn;
    }

    /** The shared zero page: read faults on untouched anonymous memory map it (my_zero_pfn()). */
    public int zeroPfn() {
        return zeroPfn;
    }

    static long ptePfn(long pte) {
        return pte >>> PageTable.PTE_SHIFT;
    }

    static boolean present(long pte) {
        return (pte & PageTable._PAGE_PRESENT) != 0;
    }

    static long mkPte(int pfn, long flags) {
        return ((long) pfn << PageTable.PTE_SHIFT) | PageTable._PAGE_PRESENT | PageTable._PAGE_USER
                | PageTable._PAGE_ACCESSED | flags;
    }

    /**
     * One load ({@code write} false) or store by the task owning {@code mmStruct} at {@code addr}: returns
     * {@link #HIT} when no fault was needed, else the fault's outcome. Counts pgfault for every fault.
     */
    public int access(MmStruct mmStruct, long addr, boolean write) {
        mm.assertWriter();
        Vma vma = mmStruct.findVma(addr);
        if (vma == null) {
            vma = expandStackFor(mmStruct, addr);
            if (vma == null) {
                return SIGSEGV;
            }
        }
        if (!vma.allows(write)) {
            return SIGSEGV;
        }
        if (vma.test(VmFlags.VM_HUGETLB)) {
            return mm.hugetlb().mapping().fault(mmStruct, vma, addr, write);
        }
        PageTable.Pte table = mmStruct.pgtable.leaf(addr, null);
        if (table != null) {
            int i = PageTable.indexOf(addr);
            long pte = table.entry[i];
            if (present(pte) && (!write || (pte & PageTable._PAGE_RW) != 0)) {
                long young = pte | PageTable._PAGE_ACCESSED | (write ? PageTable._PAGE_DIRTY : 0);
                table.entry[i] = young;
                return HIT;
            }
        }
        return handleMmFault(mmStruct, vma, addr, write);
    }

    /** A fault below a grows-down stack extends it (expand_stack), as long as it keeps the guard gap. */
    private Vma expandStackFor(MmStruct mmStruct, long addr) {
        Vma above = mmStruct.findVmaAbove(addr);
        if (above == null || !above.test(VmFlags.VM_GROWSDOWN)) {
            return null;
        }
        return mm.mmap().expandDownwards(mmStruct, above, addr & io.simproc.uapi.Page.PAGE_MASK) ? above : null;
    }

    /** handle_mm_fault(). */
    int handleMmFault(MmStruct mmStruct, Vma vma, long addr, boolean write) {
        mm.vmstat().countEvent(VmEvent.PGFAULT, 1);
        mm.memcontrol().countMemcgEventMm(mmStruct, VmEvent.PGFAULT, 1);
        addr &= io.simproc.uapi.Page.PAGE_MASK;
        boolean thpPmdNone = vma.isAnonymous()
                && mm.hugeMemory().faultAllowable(vma, addr & ~(HugeMemory.HPAGE_PMD_SIZE - 1))
                && mmStruct.pgtable.leaf(addr, null) == null;
        PageTable.Pte table = mmStruct.pgtable.leaf(addr, mm.mmap().tableAllocator(mmStruct));
        if (table == null) {
            return OOM;
        }
        if (thpPmdNone && mm.hugeMemory().doHugePmdAnonymousPage(mmStruct, vma, addr, table, write)) {
            return MINOR;
        }
        int i = PageTable.indexOf(addr);
        long pte = table.entry[i];
        if (HugeMemory.isPmdMapped(pte) && write && (pte & PageTable._PAGE_RW) == 0) {
            if (mm.hugeMemory().doHugePmdWpPage(mmStruct, vma, addr, table)) {
                return MINOR;
            }
            pte = table.entry[i];
        }
        if (pte == 0) {
            return vma.isAnonymous() ? doAnonymousPage(mmStruct, vma, addr, write, table)
                    : doFault(mmStruct, vma, addr, write, table);
        }
        if (PageTable.isSwap(pte)) {
            return doSwapPage(mmStruct, vma, addr, write, table, PageTable.swapEntryOf(pte));
        }
        if (write && (pte & PageTable._PAGE_RW) == 0) {
            return doWpPage(mmStruct, vma, addr, pte, table);
        }
        table.entry[i] = pte | PageTable._PAGE_ACCESSED;
        return MINOR;
    }

    /** do_anonymous_page(). */
    private int doAnonymousPage(MmStruct mmStruct, Vma vma, long addr, boolean write, PageTable.Pte table) {
        if (!write) {
            PageTable.set(table, addr, mkPte(zeroPfn, PageTable._PAGE_SPECIAL));
            return MINOR;
        }
        int pfn = newAnonPage(mmStruct, vma, addr);
        if (pfn < 0) {
            return OOM;
        }
        mm.content().store(pfn);
        PageTable.set(table, addr, mkPte(pfn, PageTable._PAGE_RW | PageTable._PAGE_DIRTY));
        return MINOR;
    }

    /**
     * Allocate, charge to the address space's memory cgroup, account and map-prepare a new anonymous page for addr
     * (no PTE yet); -1 if none, or if the group could not make room for it.
     */
    private int newAnonPage(MmStruct mmStruct, Vma vma, long addr) {
        mm.rmap().anonVmaPrepare(vma);
        int pfn = mm.mempolicy().vmaAllocPages(Gfp.GFP_HIGHUSER_MOVABLE, 0, mmStruct, vma, addr, PageOwner.ANON);
        if (pfn < 0) {
            return -1;
        }
        if (mm.memcontrol().charging().chargeMm(pfn, 1, mmStruct) != 0) {
            mm.pageAlloc().freePages(pfn, 0, mmStruct.homeCpu);
            return -1;
        }
        mm.rmap().addNewAnon(pfn, vma, addr);
        mm.folios().addLru(pfn);
        if (vma.test(VmFlags.VM_LOCKED)) {
            mm.folios().mlock(pfn);
        }
        mmStruct.addRss(MmStruct.MM_ANONPAGES, 1);
        return pfn;
    }

    /** do_fault(): read, shared or COW fault on a file or shmem mapping. */
    private int doFault(MmStruct mmStruct, Vma vma, long addr, boolean write, PageTable.Pte table) {
        AddressSpace file = vma.file;
        long index = vma.linearPageIndex(addr);
        if (index >= file.sizePages()) {
            return SIGBUS;
        }
        Filemap.Lookup found = mm.filemap().getPage(file, index, mmStruct.homeNid, mmStruct.homeCpu);
        if (found == null) {
            return OOM;
        }
        int result = found.major() ? MAJOR : MINOR;
        if (write && !vma.test(VmFlags.VM_SHARED)) {
            int copy = newAnonPage(mmStruct, vma, addr);
            if (copy < 0) {
                return OOM;
            }
            mm.content().store(copy);
            PageTable.set(table, addr, mkPte(copy, PageTable._PAGE_RW | PageTable._PAGE_DIRTY));
            return result;
        }
        int pfn = found.pfn();
        mm.folios().get(pfn);
        mm.rmap().addMapping(pfn);
        if (vma.test(VmFlags.VM_LOCKED)) {
            mm.folios().mlock(pfn);
        }
        mmStruct.addRss(file.isShmem() ? MmStruct.MM_SHMEMPAGES : MmStruct.MM_FILEPAGES, 1);
        boolean writable = vma.test(VmFlags.VM_SHARED) && vma.test(VmFlags.VM_WRITE) && (write || file.isShmem());
        long flags = writable ? PageTable._PAGE_RW | (write ? PageTable._PAGE_DIRTY : 0) : 0;
        PageTable.set(table, addr, mkPte(pfn, flags));
        return result;
    }

    /**
     * do_swap_page(): the PTE holds a swap entry. The page is found in the swap cache (a minor fault) or read
     * from its slot into a new page added to the swap cache (a major fault: pswpin, pgmajfault; a shadow entry
     * there makes it a refault). The PTE maps the page, the slot loses this reference, and a write by the page's
     * only user frees the slot (the page's data is about to differ from it).
     */
    int doSwapPage(MmStruct mmStruct, Vma vma, long addr, boolean write, PageTable.Pte table, int entry) {
        Swapfile swap = mm.swap();
        int[] shadow = new int[1];
        int pfn = swap.lookupSwapCache(entry, shadow);
        int result = MINOR;
        // SWP_SYNCHRONOUS_IO (zram) and no other user of the slot: the page is read without the swap cache and the
        // slot freed at once (do_swap_page()'s skip-swapcache path).
        boolean skipSwapcache = pfn < 0 && swap.synchronousIo(entry) && swap.swapCount(entry) == 1;
        if (pfn < 0) {
            mm.rmap().anonVmaPrepare(vma);
            pfn = mm.mempolicy().vmaAllocPages(Gfp.GFP_HIGHUSER_MOVABLE, 0, mmStruct, vma, addr, PageOwner.ANON);
            if (pfn < 0) {
                return OOM;
            }
            Memcontrol memcontrol = mm.memcontrol();
            int charged = memcontrol.charging().charge(pfn, 1, memcontrol.swap().swapinMemcg(entry, mmStruct), Memcontrol.CHARGE_GFP,
                    mmStruct.homeCpu);
            if (charged != 0 || !mm.mmStructs().isLive(mmStruct)
                    || !PageTable.isSwap(table.entry[PageTable.indexOf(addr)])
                    || PageTable.swapEntryOf(table.entry[PageTable.indexOf(addr)]) != entry) {
                // The charge failed, or pte_same() did: the allocation or the charge OOM-killed this address
                // space's owner, whose exit zapped the PTE and dropped its slot reference.
                memcontrol.charging().uncharge(pfn);
                mm.pageAlloc().freePages(pfn, 0, mmStruct.homeCpu);
                return charged != 0 ? OOM : MINOR;
            }
            map.addFlags(pfn, PageFlags.PG_ANON | PageFlags.PG_SWAPBACKED);
            mm.content().set(pfn, swap.slotContent(entry));
            map.setIndex(pfn, (int) vma.linearPageIndex(addr));
            if (!skipSwapcache) {
                swap.addToSwapCache(pfn, entry);
                mm.folios().put(pfn, mmStruct.homeCpu);
            }
            if (shadow[0] != 0) {
                mm.workingset().refault(pfn, shadow[0], false);
            }
            mm.folios().addLru(pfn);
            mm.pageIo().swapRead(entry);
            memcontrol.countMemcgEvents(memcontrol.folioMemcg(pfn), VmEvent.PSWPIN, 1);
            mm.vmstat().countEvent(VmEvent.PGMAJFAULT, 1);
            mm.memcontrol().countMemcgEventMm(mmStruct, VmEvent.PGMAJFAULT, 1);
            result = MAJOR;
        }
        if (map.mapcount(pfn) == 0) {
            mm.rmap().anonVmaPrepare(vma);
            AnonVma av = swap.swapCount(entry) > 1 ? vma.anonVma.root : vma.anonVma;
            map.setMapping(pfn, av.id);
            map.setIndex(pfn, (int) vma.linearPageIndex(addr));
        }
        if (!skipSwapcache) {
            mm.folios().get(pfn);
        }
        mm.rmap().addMapping(pfn);
        mmStruct.addRss(MmStruct.MM_SWAPENTS, -1);
        mmStruct.addRss(MmStruct.MM_ANONPAGES, 1);
        swap.swapFree(entry);
        long flags = 0;
        if (write && (skipSwapcache || map.mapcount(pfn) == 1 && map.test(pfn, PageFlags.PG_SWAPCACHE)
                && swap.folioFreeSwap(pfn))) {
            flags = PageTable._PAGE_RW | PageTable._PAGE_DIRTY;
            mm.content().store(pfn);
        }
        PageTable.set(table, addr, mkPte(pfn, flags));
        if (vma.test(VmFlags.VM_LOCKED)) {
            mm.folios().mlock(pfn);
        }
        if (write && flags == 0) {
            return Math.max(result, doWpPage(mmStruct, vma, addr, table.entry[PageTable.indexOf(addr)], table));
        }
        return result;
    }

    /**
     * try_to_unuse() for swapoff: every swap PTE of area {@code type} in every address space is faulted back in.
     * Each PTE is looked at again just before (unuse_pte's pte_same check): an allocation on the way may have
     * OOM-killed the address space's owner and zapped it. Returns false when memory ran out.
     */
    boolean unuseSwap(int type) {
        for (MmStruct m : new java.util.ArrayList<>(mm.mmStructs().all())) {
            for (Vma v : new java.util.ArrayList<>(m.vmas())) {
                java.util.List<Long> addrs = new java.util.ArrayList<>();
                m.pgtable.scan(v.start, v.end, (addr, pte) -> {
                    if (PageTable.isSwap(pte) && Swapfile.type(PageTable.swapEntryOf(pte)) == type) {
                        addrs.add(addr);
                    }
                });
                for (long addr : addrs) {
                    if (!mm.mmStructs().isLive(m)) {
                        break;
                    }
                    PageTable.Pte table = m.pgtable.leaf(addr, null);
                    long pte = table == null ? 0 : table.entry[PageTable.indexOf(addr)];
                    if (!PageTable.isSwap(pte) || Swapfile.type(PageTable.swapEntryOf(pte)) != type) {
                        continue;
                    }
                    if (doSwapPage(m, v, addr, false, table, PageTable.swapEntryOf(pte)) == OOM) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    /**
     * do_wp_page(): a write to a present, write-protected page. A KSM page is never reused, even by its last
     * mapping: the writer gets a copy (cow_ksm), as it does of the zero page or KSM's zero page.
     */
    private int doWpPage(MmStruct mmStruct, Vma vma, long addr, long pte, PageTable.Pte table) {
        int pfn = (int) ptePfn(pte);
        if (vma.test(VmFlags.VM_SHARED)) {
            PageTable.set(table, addr, pte | PageTable._PAGE_RW | PageTable._PAGE_DIRTY);
            return MINOR;
        }
        boolean special = (pte & PageTable._PAGE_SPECIAL) != 0;
        boolean ksmPage = !special && map.test(pfn, PageFlags.PG_KSM);
        if (!special && !ksmPage && map.test(pfn, PageFlags.PG_SWAPCACHE)
                && map.mapcount(pfn) == 1) {
            mm.swap().folioFreeSwap(pfn);
        }
        if (!special && !ksmPage && map.test(pfn, PageFlags.PG_ANON) && map.refcount(pfn) == 1) {
            PageTable.set(table, addr, pte | PageTable._PAGE_RW | PageTable._PAGE_DIRTY);
            mm.content().store(pfn);
            mm.vmstat().countEvent(VmEvent.PGREUSE, 1);
            return MINOR;
        }
        int copy = newAnonPage(mmStruct, vma, addr);
        if (copy < 0) {
            return OOM;
        }
        mm.content().store(copy);
        PageTable.set(table, addr, mkPte(copy, PageTable._PAGE_RW | PageTable._PAGE_DIRTY));
        if (special) {
            mm.ksm().mightUnmapZeroPage(mmStruct, pte);
        }
        if (ksmPage) {
            mm.vmstat().countEvent(VmEvent.COW_KSM, 1);
        }
        if (!special) {
            boolean wasAnon = map.test(pfn, PageFlags.PG_ANON);
            if (!wasAnon) {
                mmStruct.addRss(MmStruct.mmCounter(map.flags(pfn)), -1);
            } else {
                mmStruct.addRss(MmStruct.MM_ANONPAGES, -1);
            }
            unmapPage(vma, pfn, mmStruct.homeCpu);
        }
        return MINOR;
    }

    /**
     * A store of known data to the page at addr, which a write access just made writable: an anonymous page then
     * holds {@code word}; a page-cache page keeps its file's word ({@link PageContent}).
     */
    public void storeData(MmStruct mmStruct, long addr, char word) {
        mm.assertWriter();
        long pte = mmStruct.pgtable.get(addr);
        if (!present(pte) || (pte & (PageTable._PAGE_RW | PageTable._PAGE_SPECIAL)) != PageTable._PAGE_RW) {
            return;
        }
        int pfn = (int) ptePfn(pte);
        if ((map.flags(pfn) & (PageFlags.PG_ANON | PageFlags.PG_KSM)) == PageFlags.PG_ANON) {
            mm.content().set(pfn, word);
        }
    }

    /**
     * break_ksm()'s unsharing fault (FAULT_FLAG_UNSHARE) at addr, which maps a KSM page or KSM's zero page: the
     * mapping gets a private copy of the same data, mapped read-only and clean (the next write reuses it). Returns
     * {@link #OOM} when no page could be had, the KSM page staying mapped.
     */
    int unshareKsm(MmStruct mmStruct, Vma vma, long addr) {
        mm.assertWriter();
        PageTable.Pte table = mmStruct.pgtable.leaf(addr, null);
        long pte = table.entry[PageTable.indexOf(addr)];
        boolean special = (pte & PageTable._PAGE_SPECIAL) != 0;
        int pfn = (int) ptePfn(pte);
        int copy = newAnonPage(mmStruct, vma, addr);
        if (copy < 0) {
            return OOM;
        }
        mm.content().set(copy, special ? PageContent.ZERO : mm.content().word(pfn));
        PageTable.set(table, addr, mkPte(copy, 0));
        if (special) {
            mm.ksm().mightUnmapZeroPage(mmStruct, pte);
            return MINOR;
        }
        mm.vmstat().countEvent(VmEvent.COW_KSM, 1);
        mmStruct.addRss(MmStruct.MM_ANONPAGES, -1);
        unmapPage(vma, pfn, mmStruct.homeCpu);
        return MINOR;
    }

    /**
     * Drop one mapping of a page (rmap, mlock and the mapping's reference); a swap-cache page no one maps any more
     * gives its slot back when no PTE holds it (free_swap_cache).
     */
    void unmapPage(Vma vma, int pfn, int cpu) {
        mm.rmap().removeMapping(pfn);
        if (vma.test(VmFlags.VM_LOCKED)) {
            mm.folios().munlock(pfn);
        }
        if (map.test(pfn, PageFlags.PG_SWAPCACHE) && map.mapcount(pfn) == 0) {
            mm.swap().folioFreeSwap(pfn);
        }
        boolean huge = map.test(pfn, PageFlags.PG_TRANSHUGE);
        mm.folios().put(pfn, cpu);
        if (huge && map.refcount(pfn) > 0) {
            // Still referenced elsewhere, yet unmapped here: the folio may now be partly mapped. (A last reference
            // is reported by folio_put itself.)
            mm.hugeMemory().pageReleased(pfn, cpu);
        }
    }

    /**
     * zap_page_range(): unmap [start, end) of one VMA: every mapped page loses this mapping, its reference and its
     * place in the RSS. Page tables stay (see {@link Mmap} for their freeing). The memory cgroup uncharges of the
     * pages freed are gathered per group and done at the end, as the mmu_gather's folios_put_refs() uncharges a batch
     * (mem_cgroup_uncharge_folios()).
     */
    void zapRange(MmStruct mmStruct, Vma vma, long start, long end) {
        if (vma.test(VmFlags.VM_HUGETLB)) {
            mm.hugetlb().mapping().unmapHugepageRange(mmStruct, vma, start, end);
            return;
        }
        boolean gathered = mm.memcontrol().charging().beginUnchargeGather();
        boolean started = mm.hugeMemory().beginUnmap();
        try {
            zapPtes(mmStruct, vma, start, end);
        } finally {
            try {
                mm.hugeMemory().endUnmap(started, mmStruct.homeCpu);
            } finally {
                mm.memcontrol().charging().endUnchargeGather(gathered);
            }
        }
    }

    private void zapPtes(MmStruct mmStruct, Vma vma, long start, long end) {
        mmStruct.pgtable.walk(start, end, (addr, pte, table, i) -> {
            if (HugeMemory.isPmdMapped(pte)) {
                if ((addr & (HugeMemory.HPAGE_PMD_SIZE - 1)) == 0 && addr + HugeMemory.HPAGE_PMD_SIZE <= end) {
                    mm.hugeMemory().zapHugePmd(mmStruct, vma, addr, table);
                    return;
                }
                // The range cuts this huge PMD at its start (inside the 2 MiB) or else at its end.
                boolean cutAtStart = (addr & (HugeMemory.HPAGE_PMD_SIZE - 1)) != 0;
                mm.hugeMemory().splitHugePmdAt(mmStruct, cutAtStart ? addr : end);
                pte = table.entry[i];
            }
            PageTable.set(table, addr, 0);
            if (PageTable.isSwap(pte)) {
                mmStruct.addRss(MmStruct.MM_SWAPENTS, -1);
                mm.swap().swapFree(PageTable.swapEntryOf(pte));
                return;
            }
            if (!present(pte) || (pte & PageTable._PAGE_SPECIAL) != 0) {
                mm.ksm().mightUnmapZeroPage(mmStruct, pte);
                return;
            }
            int pfn = (int) ptePfn(pte);
            mmStruct.addRss(MmStruct.mmCounter(map.flags(pfn)), -1);
            unmapPage(vma, pfn, mmStruct.homeCpu);
        });
    }

    /** populate_vma_page_range(): fault in every page of the range (MAP_POPULATE, mlock). */
    int populate(MmStruct mmStruct, long start, long end, boolean write) {
        int worst = HIT;
        for (long a = start; a < end; a += io.simproc.uapi.Page.PAGE_SIZE) {
            int r = access(mmStruct, a, write);
            if (r >= OOM) {
                return r;
            }
            worst = Math.max(worst, r);
        }
        return worst;
    }
}
