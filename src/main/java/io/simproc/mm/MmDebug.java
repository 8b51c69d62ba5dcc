package io.simproc.mm;

import java.util.ArrayList;
import java.util.List;

/**
 * Invariant checks over the whole memory manager (the spirit of CONFIG_DEBUG_VM). Production code: tests run it
 * after every operation and scenario step; {@code simproc} can run it on demand. Cost is linear in the number of
 * page frames.
 *
 * <p>Checked: every free block is a PageBuddy head, naturally aligned, inside its zone and on the list of its
 * pageblock's migrate type; no two free buddies of one order were left unmerged; list counts equal the
 * nr_free counters; NR_FREE_PAGES and NR_FREE_PAGES_BLOCKS equal the pages on the lists; per-cpu counts equal
 * their lists; every page frame is in exactly one state (hole, reserved, buddy-free, per-cpu, allocated with an
 * owner); per zone, free + per-cpu + allocated = managed; per-owner page counts equal the owner tallies; slab pages
 * are the caches' slabs, vmalloc pages the areas' pages (VmallocUsed), KernelStack the stacks in use, percpu pages
 * the populated chunks. The hugetlb pool ({@link Hugetlb#check}): its folios are aligned order-9 HUGETLB blocks
 * off the buddy and per-cpu lists, each on one list, the per-node counts sum to the hstate's, free ≤ total,
 * reservations ≤ free. Hugetlb mappings ({@link HugetlbMapping#check}): every hugetlb PMD entry maps a folio in use
 * from inside a VM_HUGETLB VMA, the folios mapped are Total - Free, each mapcount and hugetlb_usage is its
 * entries, the reservations the VMAs still hold are resv_huge_pages.
 * Page cache and swap: NR_FILE_PAGES = cached pages of every file and shmem object + swap-cache pages (so Cached
 * + Buffers + SwapCached = nr_file_pages with Cached never clamped); NR_ANON_MAPPED = mapped anon pages;
 * NR_FILE_DIRTY, NR_WRITEBACK and NR_ZONE_WRITE_PENDING = the pages with those bits; each slot's swap count
 * equals the swap PTEs naming it, SWAP_HAS_CACHE is set exactly for slots with a swap-cache page, SwapFree ≤
 * SwapTotal. Data ({@link PageContent}): a page-cache page holds its file's word, a clean swap-cache page its
 * slot's; every PTE maps a page whose mapping and index are what its VMA maps at that address (a KSM page: its
 * stable node). KSM ({@link KsmScan#check}): stable nodes and KSM pages name each other, KSM pages are read-only
 * everywhere, the counters are the trees'. khugepaged ({@link Khugepaged#check}): its mm_slot list is the set of
 * registered address spaces, pages_collapsed agrees with thp_collapse_alloc; the THPs it makes obey the rules above.
 */
public final class MmDebug {
    private MmDebug() {
    }

    /** Throws {@link IllegalStateException} listing the first violations found. */
    public static void check(MemoryManager mm) {
        List<String> errors = violations(mm);
        if (!errors.isEmpty()) {
            throw new IllegalStateException("mm invariants violated:\n  " + String.join("\n  ",
                    errors.subList(0, Math.min(20, errors.size()))));
        }
    }

    public static List<String> violations(MemoryManager mm) {
        List<String> errors = new ArrayList<>();
        MemMap map = mm.memMap();
        byte[] state = new byte[map.nrPfns()];
        for (Zone zone : mm.zones()) {
            PageAllocDebug.checkFreeLists(mm, zone, state, MemMapPass.FREE, errors);
            PageAllocDebug.checkPcp(mm, zone, state, MemMapPass.PCP, errors);
        }
        PteCounts ptes = checkMappings(mm, errors);
        MemMapPass pages = MemMapPass.run(mm, state, ptes, errors);
        for (Zone zone : mm.zones()) {
            int id = zone.id();
            long sum = pages.freePerZone[id] + pages.pcpPerZone[id] + pages.allocatedPerZone[id];
            if (sum != zone.managedPages()) {
                errors.add(zone + ": free " + pages.freePerZone[id] + " + per-cpu " + pages.pcpPerZone[id]
                        + " + allocated " + pages.allocatedPerZone[id] + " = " + sum + " != managed "
                        + zone.managedPages());
            }
        }
        long[] owners = pages.owners;
        for (PageOwner o : PageOwner.values()) {
            if (o != PageOwner.NONE && owners[o.ordinal()] != mm.vmstat().ownerPages(o)) {
                errors.add("owner " + o + ": " + owners[o.ordinal()] + " pages in mem_map, tally says "
                        + mm.vmstat().ownerPages(o));
            }
        }
        checkOwnerCounters(mm, owners, errors);
        mm.hugetlb().check(errors);
        mm.ksm().check(errors);
        checkZram(mm, owners, errors);
        mm.khugepaged().check(errors);
        if (mm.cma() != null) {
            mm.cma().check(errors);
        }
        mm.hugetlb().mapping().check(errors);
        if (mm.slab() != null) {
            mm.slab().check(errors);
        }
        if (mm.vmalloc() != null) {
            mm.vmalloc().check(errors);
            mm.threadStacks().check(errors);
        }
        if (mm.percpu() != null) {
            mm.percpu().check(errors);
        }
        checkLru(mm, errors);
        MemcgDebug.check(mm, errors);
        checkHugePages(mm, pages, errors);
        checkPageCache(mm, pages, errors);
        checkSwap(mm, errors, ptes);
        checkCommitted(mm, errors);
        checkPageCacheIndex(mm, errors);
        mm.pageIo().check(errors);
        mm.mempolicy().check(errors);
        return errors;
    }

    /**
     * The page cache and the pages agree (what migration must keep): every cached index names a page cache page
     * whose mapping and index are that file's and that offset and that holds the file's data there. (That every
     * anonymous page names a live anon_vma is checked in {@link MemMapPass}.)
     */
    private static void checkPageCacheIndex(MemoryManager mm, List<String> errors) {
        MemMap map = mm.memMap();
        for (Object o : mm.mappings().live()) {
            if (!(o instanceof AddressSpace a)) {
                continue;
            }
            a.pages.forEachIndex(idx -> {
                int pfn = a.pages.get(idx);
                PageOwner owner = map.owner(pfn);
                if ((owner != PageOwner.FILE && owner != PageOwner.SHMEM) || map.mapping(pfn) != a.id()
                        || (map.index(pfn) & 0xffffffffL) != idx) {
                    errors.add(a.path() + " index " + idx + " -> pfn " + pfn + " owned by " + owner + " mapping "
                            + map.mapping(pfn) + " index " + map.index(pfn));
                } else if (map.content(pfn) != PageContent.fileWord(a, idx)) {
                    errors.add(a.path() + " index " + idx + " -> pfn " + pfn + " holds data " + map.content(pfn)
                            + ", not the file's " + (int) PageContent.fileWord(a, idx));
                }
            });
        }
    }

    /**
     * Committed_AS is exactly the charge of every VM_ACCOUNT mapping plus every reserved shmem object; each mm's
     * charge is the size of its VM_ACCOUNT VMAs.
     */
    private static void checkCommitted(MemoryManager mm, List<String> errors) {
        long total = 0;
        for (MmStruct m : mm.mmStructs().all()) {
            long accounted = 0;
            for (Vma v : m.vmas()) {
                if (v.test(VmFlags.VM_ACCOUNT)) {
                    accounted += (v.end - v.start) >>> io.simproc.uapi.Page.PAGE_SHIFT;
                }
            }
            expect(errors, "mm " + System.identityHashCode(m) + " committed pages vs its VM_ACCOUNT VMAs",
                    m.committedPages, accounted);
            total += accounted;
        }
        for (AddressSpace a : mm.shmem().objects()) {
            total += a.chargedPages;
        }
        expect(errors, "Committed_AS vs VM_ACCOUNT mappings + shmem objects", mm.overcommit().committedAsPages(), total);
    }

    /** The page-cache, dirty and writeback counters against the pages (as {@link MemMapPass} counted them). */
    private static void checkPageCache(MemoryManager mm, MemMapPass pages, List<String> errors) {
        expect(errors, "NR_ANON_MAPPED (AnonPages) vs mapped anon pages", mm.vmstat().globalNodeState(NodeStatItem.NR_ANON_MAPPED),
                pages.anonMapped);
        expect(errors, "NR_SWAPCACHE (SwapCached)", mm.vmstat().globalNodeState(NodeStatItem.NR_SWAPCACHE),
                pages.swapCache);
        expect(errors, "NR_FILE_DIRTY (Dirty)", mm.vmstat().globalNodeState(NodeStatItem.NR_FILE_DIRTY), pages.dirty);
        expect(errors, "NR_WRITEBACK (Writeback)", mm.vmstat().globalNodeState(NodeStatItem.NR_WRITEBACK),
                pages.writeback);
        for (Zone z : mm.zones()) {
            expect(errors, z + ": NR_ZONE_WRITE_PENDING", z.state(ZoneStatItem.NR_ZONE_WRITE_PENDING),
                    pages.writePending[z.id()]);
        }
        long cached = 0;
        long buffers = 0;
        long fileDirty = 0;
        for (AddressSpace a : mm.inodes().files()) {
            if (a.isBlockdev()) {
                buffers += a.nrPages();
            } else {
                cached += a.nrPages();
            }
            fileDirty += a.nrDirty();
            if (a.nrDirty() != a.dirty.cardinality()) {
                errors.add(a.path() + ": nrDirty " + a.nrDirty() + " but " + a.dirty.cardinality() + " dirty tags");
            }
        }
        long shmemCached = 0;
        for (AddressSpace a : mm.shmem().objects()) {
            shmemCached += a.nrPages();
        }
        expect(errors, "Σ files' dirty pages", fileDirty, pages.dirty);
        expect(errors, "Buffers (nr_blockdev_pages)", mm.inodes().nrBlockdevPages(), buffers);
        expect(errors, "NR_FILE_PAGES = Cached + Buffers + SwapCached", mm.vmstat().globalNodeState(NodeStatItem.NR_FILE_PAGES),
                cached + shmemCached + buffers + pages.swapCache);
    }

    /** Swap slots against the swap PTEs and the swap cache. */
    private static void checkSwap(MemoryManager mm, List<String> errors, PteCounts counts) {
        Swapfile swap = mm.swap();
        long total = 0;
        long free = 0;
        MemMap map = mm.memMap();
        for (Swapfile.SwapInfo si : swap.areas()) {
            if (si.writeOk) {
                total += si.pages;
                free += si.pages - si.inuse;
            }
            long used = 0;
            for (int off = 1; off < si.maxPages; off++) {
                int v = si.swapMap[off];
                int entry = Swapfile.entry(si.type, off);
                int count = v & Swapfile.COUNT_MASK;
                boolean cache = (v & Swapfile.SWAP_HAS_CACHE) != 0;
                if (v != 0) {
                    used++;
                }
                int ptes = counts.swapPtes(si.type, off);
                if (count != ptes) {
                    errors.add(si.path + " slot " + off + ": count " + count + " but " + ptes + " swap PTEs");
                }
                int c = si.cache[off];
                if (cache != (c >= 0)) {
                    errors.add(si.path + " slot " + off + ": SWAP_HAS_CACHE " + cache + " but cache entry " + c);
                } else if (cache && (!map.test(c, PageFlags.PG_SWAPCACHE) || swap.entryOf(c) != entry)) {
                    errors.add(si.path + " slot " + off + ": cache page " + c + " does not name the slot");
                } else if (cache && !map.test(c, PageFlags.PG_DIRTY) && map.content(c) != si.content[off]) {
                    errors.add(si.path + " slot " + off + ": clean cache page " + c + " holds data " + map.content(c)
                            + " but the slot " + (int) si.content[off]);
                }
            }
            expect(errors, si.path + " inuse", si.inuse, used);
        }
        expect(errors, "SwapTotal", swap.totalSwapPages(), total);
        expect(errors, "SwapFree", swap.nrSwapPagesFree(), free);
        if (swap.nrSwapPagesFree() > swap.totalSwapPages() || swap.nrSwapPagesFree() < 0) {
            errors.add("SwapFree " + swap.nrSwapPagesFree() + " outside [0, SwapTotal " + swap.totalSwapPages() + "]");
        }
        for (int entry : counts.strayEntries()) {
            errors.add("a swap PTE names " + Integer.toHexString(entry) + ", no active slot");
        }
    }

    /** Every meminfo counter of user memory is a sum over owners. */
    private static void checkOwnerCounters(MemoryManager mm, long[] owners, List<String> errors) {
        expect(errors, "NR_FILE_PAGES (Cached) - NR_SWAPCACHE", mm.vmstat().globalNodeState(NodeStatItem.NR_FILE_PAGES)
                - mm.vmstat().globalNodeState(NodeStatItem.NR_SWAPCACHE),
                owners[PageOwner.FILE.ordinal()] + owners[PageOwner.SHMEM.ordinal()]);
        expect(errors, "NR_SHMEM (Shmem)", mm.vmstat().globalNodeState(NodeStatItem.NR_SHMEM),
                owners[PageOwner.SHMEM.ordinal()]);
        expect(errors, "NR_PAGETABLE (PageTables)", mm.vmstat().globalNodeState(NodeStatItem.NR_PAGETABLE),
                owners[PageOwner.PAGETABLE.ordinal()]);
    }

    /**
     * The LRU lists hold exactly the user pages, each on the list its flags select of the memory cgroup it is
     * charged to, and the counters agree.
     */
    private static void checkLru(MemoryManager mm, List<String> errors) {
        MemMap map = mm.memMap();
        long userPages = mm.vmstat().ownerPages(PageOwner.ANON) + mm.vmstat().ownerPages(PageOwner.FILE)
                + mm.vmstat().ownerPages(PageOwner.SHMEM);
        long onLists = 0;
        long mlocked = 0;
        for (MemCgroup memcg : mm.memcontrol().all()) {
            for (PgData pgdat : mm.nodes()) {
                Lruvec lruvec = memcg.lruvec(pgdat.nodeId());
                for (int lru = 0; lru < Lruvec.NR_LRU_LISTS; lru++) {
                    long n = 0;
                    for (int pfn = lruvec.head(lru); pfn != MemMap.NIL; pfn = lruvec.next(pfn)) {
                        int f = map.flags(pfn);
                        if ((f & PageFlags.PG_LRU) == 0 || Lruvec.lruOf(f) != lru) {
                            errors.add(pgdat.nodeId() + ": pfn " + pfn + " on LRU list " + lru + " with flags 0x"
                                    + Integer.toHexString(f));
                        }
                        if (mm.zoneOf(pfn).node() != pgdat) {
                            errors.add("pfn " + pfn + " on node " + pgdat.nodeId() + "'s LRU but lives elsewhere");
                        }
                        if (map.memcgId(pfn) != memcg.id()) {
                            errors.add("pfn " + pfn + " charged to memcg " + map.memcgId(pfn) + " is on the LRU of "
                                    + memcg);
                        }
                        if ((f & PageFlags.PG_MLOCKED) != 0) {
                            mlocked++;
                        }
                        n++;
                    }
                    expect(errors, memcg + " node " + pgdat.nodeId() + " LRU list " + lru, lruvec.size(lru), n);
                    onLists += n;
                }
            }
        }
        expect(errors, "pages on LRU lists vs user pages", onLists, userPages);
        expect(errors, "NR_MLOCK (Mlocked)", mm.vmstat().globalZoneState(ZoneStatItem.NR_MLOCK), mlocked);
        long zoneLru = 0;
        for (ZoneStatItem item : new ZoneStatItem[] {ZoneStatItem.NR_ZONE_INACTIVE_ANON,
            ZoneStatItem.NR_ZONE_ACTIVE_ANON, ZoneStatItem.NR_ZONE_INACTIVE_FILE, ZoneStatItem.NR_ZONE_ACTIVE_FILE,
            ZoneStatItem.NR_ZONE_UNEVICTABLE}) {
            zoneLru += mm.vmstat().globalZoneState(item);
        }
        expect(errors, "zone LRU counters vs lists", zoneLru, onLists);
    }

    /**
     * Every PTE of every address space: each mm's RSS counters are its PTEs by page type, its page-table pages are
     * counted, and mapped pages are user pages whose struct page names what the VMA maps there (the VMA's file or
     * an anon_vma, at the VMA's page index for the address). Returns the PTEs counted per page (which
     * {@link MemMapPass} compares with each page's mapcount) and per swap slot.
     */
    private static PteCounts checkMappings(MemoryManager mm, List<String> errors) {
        MemMap map = mm.memMap();
        PteCounts counts = new PteCounts(map.nrPfns(), mm.swap());
        long tablePages = 0;
        for (MmStruct m : mm.mmStructs().all()) {
            long[] rss = new long[4];
            for (Vma v : m.vmas()) {
                m.pgtable.scan(v.start, v.end, (addr, pte) -> {
                    if (PageTable.isSwap(pte)) {
                        counts.addSwapPte(PageTable.swapEntryOf(pte));
                        rss[MmStruct.MM_SWAPENTS]++;
                        return;
                    }
                    if (!PageTable.isPresent(pte)) {
                        return;
                    }
                    if ((pte & PageTable._PAGE_SPECIAL) != 0) {
                        checkZeroPte(mm, m, addr, pte, errors);
                        return;
                    }
                    int pfn = PageTable.pfnOf(pte);
                    PageOwner o = map.owner(pfn);
                    if (o != PageOwner.ANON && o != PageOwner.FILE && o != PageOwner.SHMEM) {
                        errors.add("a PTE at " + Long.toHexString(addr) + " maps pfn " + pfn + " owned by " + o);
                        return;
                    }
                    counts.addPte(pfn, (pte & PageTable._PAGE_PSE) != 0);
                    if ((pte & PageTable._PAGE_PSE) != 0) {
                        if (!map.test(pfn, PageFlags.PG_TRANSHUGE) || ((addr >>> io.simproc.uapi.Page.PAGE_SHIFT)
                                & (HugeMemory.HPAGE_PMD_NR - 1)) != (pfn & (HugeMemory.HPAGE_PMD_NR - 1))) {
                            errors.add("a huge PTE at " + Long.toHexString(addr) + " maps pfn " + pfn
                                    + " out of place or not of a THP");
                        }
                    }
                    rss[MmStruct.mmCounter(mm.memMap().flags(pfn))]++;
                    boolean identity = map.test(pfn, PageFlags.PG_KSM) ? mm.ksm().scan().trees().isStablePage(pfn)
                            : map.index(pfn) == (int) v.linearPageIndex(addr) && (o == PageOwner.ANON
                            ? mm.mappings().get(map.mapping(pfn)) instanceof AnonVma
                            : v.file != null && map.mapping(pfn) == v.file.id());
                    if (!identity) {
                        errors.add("a PTE at " + Long.toHexString(addr) + " of " + v + " maps pfn " + pfn + " ("
                                + o + " mapping " + map.mapping(pfn) + " index " + map.index(pfn) + ")");
                    }
                });
            }
            for (int i = 0; i < 4; i++) {
                expect(errors, "mm " + System.identityHashCode(m) + " rss[" + i + "]", m.rss(i), rss[i]);
            }
            tablePages += m.pgtable.nrTablePages();
        }
        expect(errors, "page-table pages of all mms", mm.vmstat().ownerPages(PageOwner.PAGETABLE), tablePages);
        return counts;
    }

    /**
     * A special PTE maps the 4 KiB zero page, or (marked huge) its page of the huge zero page, which the address
     * space holds a reference to.
     */
    private static void checkZeroPte(MemoryManager mm, MmStruct m, long addr, long pte, List<String> errors) {
        int pfn = PageTable.pfnOf(pte);
        if ((pte & PageTable._PAGE_PSE) == 0) {
            if (pfn != mm.memory().zeroPfn()) {
                errors.add("a special PTE at " + Long.toHexString(addr) + " maps pfn " + pfn);
            }
            return;
        }
        int zero = mm.hugeMemory().hugeZeroPfn();
        if (!m.hugeZeroFolio || zero < 0 || pfn != zero + (int) ((addr >>> io.simproc.uapi.Page.PAGE_SHIFT)
                & (HugeMemory.HPAGE_PMD_NR - 1))) {
            errors.add("a huge zero PTE at " + Long.toHexString(addr) + " maps pfn " + pfn + " (huge zero page "
                    + zero + ", held " + m.hugeZeroFolio + ")");
        }
    }

    /**
     * Transparent huge pages: each is 512 naturally aligned anonymous pages. One not on the deferred split queue is
     * mapped whole wherever it is mapped: its pages share one refcount and one mapcount; only a queued one has pages
     * no one references (both checked per page in {@link MemMapPass}). Huge PTEs map only THP pages (checked with
     * the PTEs); NR_ANON_THPS counts their pages per node; the huge zero page is referenced once by each address
     * space that maps it, and once for itself.
     */
    private static void checkHugePages(MemoryManager mm, MemMapPass pages, List<String> errors) {
        long holders = mm.mmStructs().all().stream().filter(m -> m.hugeZeroFolio).count();
        expect(errors, "huge zero page references", mm.hugeMemory().hugeZeroRefcount(),
                mm.hugeMemory().hugeZeroPfn() < 0 ? 0 : 1 + holders);
        for (int nid = 0; nid < pages.thpPerNode.length; nid++) {
            expect(errors, "node " + nid + " NR_ANON_THPS", mm.node(nid).vmStat[NodeStatItem.NR_ANON_THPS.ordinal()],
                    pages.thpPerNode[nid]);
        }
    }

    /** Adds a violation when a counter is not what the lists or pages it counts say. */
    static void expect(List<String> errors, String what, long actual, long expected) {
        if (actual != expected) {
            errors.add(what + " is " + actual + ", lists say " + expected);
        }
    }

    /**
     * The zram device agrees with its table ({@link Zram#check}), and its pool's pages are the ZSMALLOC pages of the
     * mem_map and the zones' NR_ZSPAGES.
     */
    private static void checkZram(MemoryManager mm, long[] owners, List<String> errors) {
        Zram zram = mm.zram();
        long poolPages = 0;
        if (zram != null) {
            zram.check(errors);
            poolPages = zram.poolPages();
        }
        expect(errors, "ZSMALLOC pages", owners[PageOwner.ZSMALLOC.ordinal()], poolPages);
        expect(errors, "NR_ZSPAGES", mm.vmstat().globalZoneState(ZoneStatItem.NR_ZSPAGES), poolPages);
    }
}
