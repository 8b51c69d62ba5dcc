package io.simproc.proc;

import io.simproc.mm.Hugetlb;
import io.simproc.mm.MemMap;
import io.simproc.mm.MmStruct;
import io.simproc.mm.PageFlags;
import io.simproc.mm.PageTable;
import io.simproc.mm.Vma;
import io.simproc.mm.VmFlags;
import io.simproc.uapi.Page;

/**
 * struct mem_size_stats of fs/proc/task_mmu.c and how smaps fills it: {@link #gather} walks a VMA's page table
 * (smap_gather_stats → smaps_pte_entry → smaps_account) and {@link #show} prints the block __show_smap prints.
 *
 * <p>Per present PTE mapping a page with a struct page (the shared zero page is special and counts nowhere): Rss
 * grows by the page; KSM when it is a KSM page; Anonymous when the page is anonymous, LazyFree when it is
 * anonymous, not swap-backed and clean; Referenced when the PTE is young or the page young or referenced. A page with refcount 1 is private with its full
 * size in Pss; otherwise a mapcount of 2 or more makes it shared with {@code PAGE_SIZE << PSS_SHIFT / mapcount}
 * in Pss (fixed point, truncated once when printed), else private. Dirty (PTE or page) pages go to the _Dirty
 * columns and Pss_Dirty, the rest to _Clean. The Pss splits by page kind (anon, shmem = swap-backed non-anon,
 * file) and Locked is the Pss of VM_LOCKED VMAs. A PMD-mapped anonymous THP (smaps_pmd_entry) is accounted page by
 * page the same way, and its size goes to AnonHugePages. A hugetlb VMA counts its folios in Shared_Hugetlb or
 * Private_Hugetlb alone. Sums are in bytes, as in the kernel.
 */
final class MemSizeStats {
    /** PSS_SHIFT: fractional bits of the proportional sums. */
    static final int PSS_SHIFT = 12;

    long resident;
    long sharedClean;
    long sharedDirty;
    long privateClean;
    long privateDirty;
    long referenced;
    long anonymous;
    long lazyfree;
    long anonymousThp;
    long shmemThp;
    long fileThp;
    long swap;
    long sharedHugetlb;
    long privateHugetlb;
    long ksm;
    long pss;
    long pssAnon;
    long pssFile;
    long pssShmem;
    long pssDirty;
    long pssLocked;
    long swapPss;

    /** smap_gather_stats(): add one VMA's pages. */
    void gather(MmStruct mm, Vma vma, MemMap map, java.util.function.IntUnaryOperator swapCounts) {
        if (vma.test(VmFlags.VM_HUGETLB)) {
            gatherHugetlb(mm, vma, map);
            return;
        }
        boolean locked = vma.test(VmFlags.VM_LOCKED);
        mm.pageTable().scan(vma.start(), vma.end(), (addr, pte) -> {
            if (PageTable.isSwap(pte)) {
                accountSwap(swapCounts.applyAsInt(PageTable.swapEntryOf(pte)));
                return;
            }
            if (!PageTable.isPresent(pte) || (pte & PageTable._PAGE_SPECIAL) != 0) {
                return;
            }
            int pfn = PageTable.pfnOf(pte);
            account(map, pfn, (pte & PageTable._PAGE_ACCESSED) != 0, (pte & PageTable._PAGE_DIRTY) != 0, locked);
            if ((pte & PageTable._PAGE_PSE) != 0 && (map.flags(pfn) & PageFlags.PG_ANON) != 0) {
                anonymousThp += Page.PAGE_SIZE;
            }
        });
    }

    /**
     * smaps_hugetlb_range(): a hugetlb VMA's folios count only as Shared_Hugetlb (mapped more than once) or
     * Private_Hugetlb, a huge page each; never in Rss, Pss or the other columns.
     */
    private void gatherHugetlb(MmStruct mm, Vma vma, MemMap map) {
        mm.pageTable().scanHugePmds(vma.start(), vma.end(), (haddr, pte) -> {
            if (map.mapcount(PageTable.pfnOf(pte)) >= 2) {
                sharedHugetlb += Hugetlb.HUGE_PAGE_SIZE;
            } else {
                privateHugetlb += Hugetlb.HUGE_PAGE_SIZE;
            }
        });
    }

    /** smaps_pte_entry() for a swap entry held by {@code count} page-table entries. */
    private void accountSwap(int count) {
        long size = Page.PAGE_SIZE;
        swap += size;
        swapPss += count >= 2 ? (size << PSS_SHIFT) / count : size << PSS_SHIFT;
    }

    /** smaps_account() for one base page. */
    private void account(MemMap map, int pfn, boolean young, boolean dirty, boolean locked) {
        long size = Page.PAGE_SIZE;
        int flags = map.flags(pfn);
        boolean anon = (flags & PageFlags.PG_ANON) != 0;
        boolean pageDirty = (flags & PageFlags.PG_DIRTY) != 0;
        if ((flags & PageFlags.PG_KSM) != 0) {
            ksm += size;
        }
        if (anon) {
            anonymous += size;
            if ((flags & PageFlags.PG_SWAPBACKED) == 0 && !dirty && !pageDirty) {
                lazyfree += size;
            }
        }
        resident += size;
        if (young || (flags & (PageFlags.PG_YOUNG | PageFlags.PG_REFERENCED)) != 0) {
            referenced += size;
        }
        if (map.refcount(pfn) == 1) {
            accumulate(flags, size, size << PSS_SHIFT, dirty, locked, true);
            return;
        }
        int mapcount = map.mapcount(pfn);
        long pssPart = size << PSS_SHIFT;
        if (mapcount >= 2) {
            pssPart /= mapcount;
        }
        accumulate(flags, size, pssPart, dirty, locked, mapcount < 2);
    }

    /** smaps_page_accumulate(). */
    private void accumulate(int flags, long size, long pssPart, boolean dirty, boolean locked, boolean priv) {
        pss += pssPart;
        if ((flags & PageFlags.PG_ANON) != 0) {
            pssAnon += pssPart;
        } else if ((flags & PageFlags.PG_SWAPBACKED) != 0) {
            pssShmem += pssPart;
        } else {
            pssFile += pssPart;
        }
        if (locked) {
            pssLocked += pssPart;
        }
        if (dirty || (flags & PageFlags.PG_DIRTY) != 0) {
            pssDirty += pssPart;
            if (priv) {
                privateDirty += size;
            } else {
                sharedDirty += size;
            }
        } else if (priv) {
            privateClean += size;
        } else {
            sharedClean += size;
        }
    }

    /** __show_smap(): Rss to Locked; the rollup adds the Pss split after Pss_Dirty. */
    void show(Seq s, boolean rollup) {
        line(s, "Rss:", resident);
        line(s, "Pss:", pss >> PSS_SHIFT);
        line(s, "Pss_Dirty:", pssDirty >> PSS_SHIFT);
        if (rollup) {
            line(s, "Pss_Anon:", pssAnon >> PSS_SHIFT);
            line(s, "Pss_File:", pssFile >> PSS_SHIFT);
            line(s, "Pss_Shmem:", pssShmem >> PSS_SHIFT);
        }
        line(s, "Shared_Clean:", sharedClean);
        line(s, "Shared_Dirty:", sharedDirty);
        line(s, "Private_Clean:", privateClean);
        line(s, "Private_Dirty:", privateDirty);
        line(s, "Referenced:", referenced);
        line(s, "Anonymous:", anonymous);
        line(s, "KSM:", ksm);
        line(s, "LazyFree:", lazyfree);
        line(s, "AnonHugePages:", anonymousThp);
        line(s, "ShmemPmdMapped:", shmemThp);
        line(s, "FilePmdMapped:", fileThp);
        line(s, "Shared_Hugetlb:", sharedHugetlb);
        s.put("Private_Hugetlb: ").dec(privateHugetlb >> 10, 7).put(" kB\n");
        line(s, "Swap:", swap);
        line(s, "SwapPss:", swapPss >> PSS_SHIFT);
        line(s, "Locked:", pssLocked >> PSS_SHIFT);
    }

    /** SEQ_PUT_DEC: a 16-column label and a byte count shown in kB, width 8. */
    static void line(Seq s, String label, long bytes) {
        s.left(label, 16).dec(bytes >> 10, 8).put(" kB\n");
    }
}
