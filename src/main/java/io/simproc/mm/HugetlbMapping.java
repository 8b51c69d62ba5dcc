package io.simproc.mm;

import io.simproc.uapi.Errno;
import io.simproc.uapi.Page;

import java.util.ArrayList;
import java.util.List;

/**
 * Mappings of hugetlb memory (mm/hugetlb.c, fs/hugetlbfs/inode.c): mmap(MAP_ANONYMOUS | MAP_PRIVATE | MAP_HUGETLB).
 *
 * <p>The mmap (ksys_mmap_pgoff's MAP_HUGETLB branch, hugetlb_file_setup, hugetlbfs_file_mmap) rounds the length up
 * to 2 MiB, backs the mapping by an unlinked hugetlbfs inode, {@code /anon_hugepage (deleted)}, and reserves a
 * folio for every 2 MiB of it (hugetlb_reserve_pages: the private mapping's resv_map, HPAGE_RESV_OWNER,
 * hugetlb_acct_memory), growing the pool by surplus folios within nr_overcommit_hugepages when the free folios do
 * not cover every reservation; when they cannot, mmap fails with ENOMEM and nothing stays. MAP_NORESERVE reserves
 * nothing (hugetlb_reserve_pages() returns at VM_NORESERVE): its faults take what is free or surplus. Such a mapping is never
 * charged to Committed_AS (accountable_mapping() excludes hugetlb files) and is VM_HUGETLB | VM_DONTEXPAND.
 *
 * <p>A fault (hugetlb_fault, hugetlb_no_page) on an unmapped 2 MiB range takes a folio from the pool: the one
 * reserved for it (HugePages_Rsvd and HugePages_Free drop) the first time, else one nobody was promised or a
 * surplus one; none is VM_FAULT_SIGBUS. Reads map a folio too (there is no hugetlb zero page); the entry is dirty
 * once written (hugetlb_wp reuses the exclusive folio). The folio is mapped by one PMD entry (no PTE table below),
 * counted in the address space's hugetlb_usage (HugetlbPages of status), in no RSS counter.
 *
 * <p>Unmapping (__unmap_hugepage_range) frees each folio (free_huge_folio: back to the free list, or to the buddy
 * allocator when surplus); closing the VMA (hugetlb_vm_op_close) gives back the reservations of the 2 MiB ranges
 * never faulted. A VMA splits only at a 2 MiB boundary (hugetlb_vm_op_split: EINVAL otherwise). A child forked
 * from the mapping's owner gets the VMA without a reservation map (hugetlb_dup_vma_private) and, in this model,
 * without the parent's folios: its faults take folios of its own.
 */
public final class HugetlbMapping {
    /** HUGETLB_ANON_FILE. */
    public static final String HUGETLB_ANON_FILE = "/anon_hugepage (deleted)";
    /**
     * The anonymous device of the default hstate's internal hugetlbfs mount (init_hugetlbfs_fs() kern_mount()s one
     * per hstate at fs_initcall time; its minor depends on the anonymous devices taken before it, 0:15 as recent
     * x86-64 kernels show it in maps).
     */
    static final int HUGETLBFS_DEV_MINOR = 15;

    /**
     * struct resv_map of a private mapping, shared by the parts of a split VMA: the huge page indices whose
     * reservation a fault consumed (region_add() at vma_commit_reservation()).
     */
    static final class ResvMap {
        final java.util.Set<Long> consumed = new java.util.HashSet<>();
    }

    private final MemoryManager mm;
    /** get_next_ino() of the hugetlbfs inodes. */
    private long nextIno = 1;

    HugetlbMapping(MemoryManager mm) {
        this.mm = mm;
    }

    /**
     * mmap(2) of {@code len} bytes of anonymous private hugetlb memory with {@code vmFlags} (prot and the rest):
     * the address, or -ENOMEM when the pool cannot promise a folio for every 2 MiB (or the address space is full),
     * -EINVAL for a MAP_FIXED address not 2 MiB aligned.
     */
    public long mmapAnon(MmStruct m, long addr, long len, long vmFlags, boolean fixed) {
        mm.assertWriter();
        if (len <= 0 || fixed && (addr & (Hugetlb.HUGE_PAGE_SIZE - 1)) != 0) {
            return -Errno.EINVAL;
        }
        len = (len + Hugetlb.HUGE_PAGE_SIZE - 1) & ~(Hugetlb.HUGE_PAGE_SIZE - 1);
        boolean noreserve = (vmFlags & VmFlags.VM_NORESERVE) != 0;
        long chg = noreserve ? 0 : len / Hugetlb.HUGE_PAGE_SIZE;
        if (mm.hugetlb().hugetlbAcctMemory(chg) < 0) {
            return -Errno.ENOMEM;
        }
        int id = mm.mappings().register(null);
        AddressSpace file = new AddressSpace(id, HUGETLB_ANON_FILE, len, 0, HUGETLBFS_DEV_MINOR, nextIno++, false,
                false);
        mm.mappings().set(id, file);
        long r = mm.mmap().mmap(m, fixed ? addr : 0, len, vmFlags | VmFlags.VM_HUGETLB | VmFlags.VM_DONTEXPAND,
                file, 0, null, fixed);
        if (r < 0) {
            mm.hugetlb().hugetlbAcctMemory(-chg);
            mm.mappings().release(id);
            return r;
        }
        if (!noreserve) {
            m.findVma(r).hugetlbResv = new ResvMap();
        }
        return r;
    }

    /** hugetlb_vm_op_split(): a hugetlb VMA may be cut only at a 2 MiB boundary. */
    static boolean maySplit(Vma v, long addr) {
        return !v.test(VmFlags.VM_HUGETLB) || (addr & (Hugetlb.HUGE_PAGE_SIZE - 1)) == 0;
    }

    /** vma_hugecache_offset(): the huge page index of {@code haddr} in the mapping's file. */
    private static long hugeIndex(Vma v, long haddr) {
        return ((haddr - v.start) >>> (Page.PAGE_SHIFT + Hugetlb.HUGETLB_PAGE_ORDER))
                + (v.pgoff >>> Hugetlb.HUGETLB_PAGE_ORDER);
    }

    /**
     * hugetlb_fault(): a load or store at {@code addr} of hugetlb VMA {@code v}. Returns {@link Memory#HIT} when the
     * entry allows it, else counts pgfault and returns {@link Memory#MINOR}, {@link Memory#OOM} (no page-table
     * page) or {@link Memory#SIGBUS} (no folio).
     */
    int fault(MmStruct m, Vma v, long addr, boolean write) {
        long haddr = addr & ~(Hugetlb.HUGE_PAGE_SIZE - 1);
        long pte = m.pgtable.hugePmd(haddr);
        if (pte != 0 && (!write || (pte & PageTable._PAGE_RW) != 0)) {
            m.pgtable.setHugePmd(haddr, pte | PageTable._PAGE_ACCESSED | (write ? PageTable._PAGE_DIRTY : 0));
            return Memory.HIT;
        }
        mm.vmstat().countEvent(VmEvent.PGFAULT, 1);
        if (pte != 0) {
            m.pgtable.setHugePmd(haddr, pte | PageTable._PAGE_RW | PageTable._PAGE_DIRTY);
            return Memory.MINOR;
        }
        if (!m.pgtable.hugePmdAlloc(haddr, mm.mmap().tableAllocator(m))) {
            return Memory.OOM;
        }
        return hugetlbNoPage(m, v, haddr, write);
    }

    /**
     * hugetlb_no_page(): a folio for the empty entry — under the mapping's reservation when it holds one for this
     * index (vma_needs_reservation() finds no consumed region), then recorded as consumed
     * (vma_commit_reservation()) — cleared, counted in hugetlb_usage and mapped by the PMD entry.
     */
    private int hugetlbNoPage(MmStruct m, Vma v, long haddr, boolean write) {
        long idx = hugeIndex(v, haddr);
        boolean reserved = v.hugetlbResv != null && !v.hugetlbResv.consumed.contains(idx);
        int pfn = mm.hugetlb().allocHugetlbFolio(mm.mempolicy().hugeNode(m, v, haddr), reserved);
        if (pfn < 0) {
            return Memory.SIGBUS;
        }
        if (v.hugetlbResv != null) {
            v.hugetlbResv.consumed.add(idx);
        }
        mm.memMap().setMapcount(pfn, mm.memMap().mapcount(pfn) + 1);
        m.hugetlbUsage += Hugetlb.PAGES_PER_HUGE_PAGE;
        long flags = write ? PageTable._PAGE_RW | PageTable._PAGE_DIRTY : 0;
        m.pgtable.setHugePmd(haddr, Memory.mkPte(pfn, flags | PageTable._PAGE_PSE));
        return Memory.MINOR;
    }

    /**
     * __unmap_hugepage_range(): clear the entries of [start, end) of {@code v}; each folio loses the mapping, the
     * address space's hugetlb_usage drops, and an unmapped folio is freed (its reservation consumed for good).
     */
    void unmapHugepageRange(MmStruct m, Vma v, long start, long end) {
        List<Long> mapped = new ArrayList<>();
        m.pgtable.scanHugePmds(start, end, (haddr, pte) -> mapped.add(haddr));
        for (long haddr : mapped) {
            int pfn = PageTable.pfnOf(m.pgtable.hugePmd(haddr));
            m.pgtable.setHugePmd(haddr, 0);
            m.hugetlbUsage -= Hugetlb.PAGES_PER_HUGE_PAGE;
            int mapcount = mm.memMap().mapcount(pfn) - 1;
            mm.memMap().setMapcount(pfn, mapcount);
            if (mapcount == 0) {
                mm.hugetlb().freeHugeFolio(pfn, false);
            }
        }
    }

    /**
     * hugetlb_vm_op_close(): a VMA of a private mapping going away gives back the reservations of its huge pages
     * no fault consumed (hugetlb_acct_memory with minus that count, freeing surplus folios).
     */
    void vmOpClose(Vma v) {
        if (v.hugetlbResv == null) {
            return;
        }
        long first = hugeIndex(v, v.start);
        long last = hugeIndex(v, v.end);
        long consumed = 0;
        for (long idx : v.hugetlbResv.consumed) {
            if (idx >= first && idx < last) {
                consumed++;
            }
        }
        long reserve = last - first - consumed;
        if (reserve > 0) {
            mm.hugetlb().hugetlbAcctMemory(-reserve);
        }
        v.hugetlbResv = null;
    }

    /** The last VMA of a hugetlbfs inode went: the unlinked inode goes (hugetlbfs_evict_inode). */
    void releaseFile(AddressSpace file) {
        mm.mappings().release(file.id());
    }

    // ---------------------------------------------------------------------------------------------------------
    // Invariants

    /**
     * The mappings against the pool: every hugetlb PMD entry lies in a VM_HUGETLB VMA, 2 MiB aligned, and maps the
     * head of a pool folio in use; each such folio's mapcount is the number of entries mapping it, and the folios
     * mapped are exactly those in use (HugePages_Total - HugePages_Free); each address space's hugetlb_usage is its
     * entries; the reservations the VMAs still hold (huge pages neither faulted nor given back) are
     * HugePages_Rsvd.
     */
    void check(List<String> errors) {
        MemMap map = mm.memMap();
        java.util.Map<Integer, Integer> entries = new java.util.HashMap<>();
        long held = 0;
        for (MmStruct m : mm.mmStructs().all()) {
            long[] usage = {0};
            long[] covered = {0};
            for (Vma v : m.vmas()) {
                if (!v.test(VmFlags.VM_HUGETLB)) {
                    continue;
                }
                m.pgtable.scanHugePmds(v.start, v.end, (haddr, pte) -> {
                    covered[0]++;
                    usage[0] += Hugetlb.PAGES_PER_HUGE_PAGE;
                    entries.merge(PageTable.pfnOf(pte), 1, Integer::sum);
                });
                if (v.hugetlbResv != null) {
                    long first = hugeIndex(v, v.start);
                    long last = hugeIndex(v, v.end);
                    held += last - first - v.hugetlbResv.consumed.stream().filter(i -> i >= first && i < last).count();
                }
            }
            long[] all = {0};
            m.pgtable.scanHugePmds(0, Long.MAX_VALUE, (haddr, pte) -> all[0]++);
            if (all[0] != covered[0]) {
                errors.add("hugetlb: " + (all[0] - covered[0]) + " PMD entries of mm " + System.identityHashCode(m)
                        + " outside its hugetlb VMAs");
            }
            if (usage[0] != m.hugetlbUsage) {
                errors.add("hugetlb: mm " + System.identityHashCode(m) + " hugetlb_usage " + m.hugetlbUsage
                        + " pages, its entries map " + usage[0]);
            }
        }
        for (var e : entries.entrySet()) {
            int pfn = e.getKey();
            if (map.owner(pfn) != PageOwner.HUGETLB || (pfn & (Hugetlb.PAGES_PER_HUGE_PAGE - 1)) != 0
                    || map.mapcount(pfn) != e.getValue()) {
                errors.add("hugetlb: pfn " + pfn + " (" + map.owner(pfn) + ", mapcount " + map.mapcount(pfn)
                        + ") mapped by " + e.getValue() + " entries");
            }
        }
        Hugetlb h = mm.hugetlb();
        if (entries.size() != h.nrHugePages() - h.freeHugePages()) {
            errors.add("hugetlb: " + entries.size() + " folios mapped, " + (h.nrHugePages() - h.freeHugePages())
                    + " in use (Total - Free)");
        }
        if (held != h.resvHugePages()) {
            errors.add("hugetlb: the mappings hold " + held + " reservations, resv_huge_pages " + h.resvHugePages());
        }
    }
}
