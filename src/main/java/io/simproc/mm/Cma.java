package io.simproc.mm;

import io.simproc.uapi.Errno;

import java.util.BitSet;
import java.util.List;

/**
 * A contiguous memory allocator area (mm/cma.c, struct cma): the global area {@code cma=} reserves at boot, named
 * "reserved" as dma_contiguous_reserve_area() names it, one range of {@code count} pages from {@code basePfn}, its
 * MIGRATE_CMA pageblocks lent to movable allocations ({@link Buddy}'s balance rule) until a driver asks for a buffer.
 * One bitmap bit per page (order_per_bit 0) marks the pages handed out.
 *
 * <p>{@link #alloc} is cma_alloc(): find a free run of the bitmap at the requested alignment, mark it, and ask
 * alloc_contig_range() ({@link ContigRange}) for its pages; a busy run (-EBUSY) is unmarked and the next aligned run
 * tried (cma_range_alloc()'s "start = bitmap_no + mask + 1"), any other error ends the search. A failure logs
 * "cma: __cma_alloc: reserved: alloc failed, req-size: N pages, ret: -E" and the free runs (cma_debug_show_areas())
 * unless the caller passed __GFP_NOWARN. cma_alloc_success / cma_alloc_fail count calls, the sysfs counters pages
 * (cma_sysfs_account_success_pages(), cma_sysfs_account_fail_pages()). {@link #release} is cma_release().
 */
public final class Cma {
    /** CONFIG_CMA_ALIGNMENT: the largest alignment (as an order) cma_alloc_aligned() asks for. */
    public static final int CMA_ALIGNMENT = 8;

    private final MemoryManager mm;
    private final ContigRange contig;
    private final String name;
    private final int basePfn;
    private final int count;
    private final BitSet bitmap;
    private long availableCount;
    private long nrPagesSucceeded;
    private long nrPagesFailed;
    private long nrPagesReleased;

    Cma(MemoryManager mm, String name, int basePfn, int count) {
        this.mm = mm;
        this.contig = new ContigRange(mm);
        this.name = name;
        this.basePfn = basePfn;
        this.count = count;
        this.bitmap = new BitSet(count);
        this.availableCount = count;
    }

    public String name() {
        return name;
    }

    public int basePfn() {
        return basePfn;
    }

    /** cma->count: total_pages in sysfs. */
    public int count() {
        return count;
    }

    /** cma->available_count: available_pages in sysfs. */
    public long availableCount() {
        return availableCount;
    }

    /** alloc_pages_success: pages handed out by successful cma_alloc() calls. */
    public long nrPagesSucceeded() {
        return nrPagesSucceeded;
    }

    /** alloc_pages_fail: pages asked for by failed cma_alloc() calls. */
    public long nrPagesFailed() {
        return nrPagesFailed;
    }

    /** release_pages_success: pages given back by cma_release(). */
    public long nrPagesReleased() {
        return nrPagesReleased;
    }

    /** Whether pfn lies in the area. */
    public boolean contains(long pfn) {
        return pfn >= basePfn && pfn < (long) basePfn + count;
    }

    /** Whether cma_alloc() handed out the page at pfn (its bitmap bit is set). */
    public boolean isAllocated(int pfn) {
        return contains(pfn) && bitmap.get(pfn - basePfn);
    }

    /**
     * cma_alloc(): {@code nrPages} contiguous pages aligned to 2^{@code align} pages (relative to pfn 0, as
     * bitmap_find_next_zero_area_off() aligns with the area's offset), owned by the kernel, allocated on
     * {@code cpu}'s behalf. Returns the first pfn, or -1.
     */
    public int alloc(int nrPages, int align, boolean noWarn, int cpu) {
        mm.assertWriter();
        if (nrPages <= 0) {
            return -1;
        }
        int mask = align > 0 ? (1 << align) - 1 : 0;
        int offset = basePfn & mask;
        int ret = -Errno.EBUSY;
        int page = -1;
        int start = 0;
        while (nrPages <= count && nrPages <= availableCount) {
            int no = findNextZeroAreaOff(start, nrPages, mask, offset);
            if (no < 0) {
                break;
            }
            bitmap.set(no, no + nrPages);
            availableCount -= nrPages;
            int pfn = basePfn + no;
            ret = contig.allocContigRange(pfn, pfn + nrPages, PageOwner.KERNEL, cpu);
            if (ret == 0) {
                page = pfn;
                break;
            }
            bitmap.clear(no, no + nrPages);
            availableCount += nrPages;
            if (ret != -Errno.EBUSY) {
                break;
            }
            start = no + mask + 1;
        }
        if (page < 0 && !noWarn) {
            KernelServices k = mm.services();
            k.printk(KernelServices.KERN_ERR, String.format("cma: __cma_alloc: %s: alloc failed, req-size: %d pages,"
                    + " ret: %d", name, nrPages, ret));
            showAreas(k);
        }
        if (page >= 0) {
            mm.vmstat().countEvent(VmEvent.CMA_ALLOC_SUCCESS, 1);
            nrPagesSucceeded += nrPages;
        } else {
            mm.vmstat().countEvent(VmEvent.CMA_ALLOC_FAIL, 1);
            nrPagesFailed += nrPages;
        }
        return page;
    }

    /**
     * cma_release(): false when [pfn, pfn + nrPages) is not in the area; else its pages go back to the page
     * allocator on {@code cpu} and their bits are cleared.
     */
    public boolean release(int pfn, int nrPages, int cpu) {
        mm.assertWriter();
        if (!contains(pfn) || !contains(pfn + (long) nrPages - 1)) {
            return false;
        }
        contig.freeContigRange(pfn, nrPages, cpu);
        bitmap.clear(pfn - basePfn, pfn - basePfn + nrPages);
        availableCount += nrPages;
        nrPagesReleased += nrPages;
        return true;
    }

    /**
     * bitmap_find_next_zero_area_off(): the first index ≥ start of nr clear bits with (index + offset) &amp; mask
     * == 0, or -1.
     */
    private int findNextZeroAreaOff(int start, int nr, int mask, int offset) {
        int index = start;
        while (true) {
            index = bitmap.nextClearBit(index);
            index = ((index + offset + mask) & ~mask) - offset;
            if (index < 0 || (long) index + nr > count) {
                return -1;
            }
            int set = bitmap.nextSetBit(index);
            if (set < 0 || set >= index + nr) {
                return index;
            }
            index = set + 1;
        }
    }

    /**
     * cma_debug_show_areas(): "number of available pages: ", then per range "range N: " continued with its free runs
     * (size@offset, "+" between them), then pr_info("\n") — a line of just the prefix — and the totals continued
     * after it with pr_cont(), which has no prefix.
     */
    private void showAreas(KernelServices k) {
        k.printk(KernelServices.KERN_INFO, "cma: number of available pages: ");
        StringBuilder runs = new StringBuilder("cma: range 0: ");
        int start = 0;
        while (true) {
            int zero = bitmap.nextClearBit(start);
            if (zero >= count) {
                break;
            }
            int set = bitmap.nextSetBit(zero);
            int next = set < 0 || set > count ? count : set;
            runs.append(start != 0 ? "+" : "").append(next - zero).append('@').append(zero);
            start = next;
        }
        k.printk(KernelServices.KERN_INFO, runs.toString());
        k.printk(KernelServices.KERN_INFO, "cma: ");
        k.printk(KernelServices.KERN_INFO, String.format("=> %d free of %d total pages", availableCount, count));
    }

    /**
     * The area's invariants: available_count is the number of clear bits; every page handed out is a kernel page;
     * every allocated page in the area's pageblocks is either handed out or a user page that came from a movable
     * allocation (anonymous, page cache, shmem, hugetlb) — CMA pageblocks never hold unmovable or reclaimable pages;
     * the area's pageblocks are MIGRATE_CMA (or isolated); and the zone's NR_FREE_CMA_PAGES (CmaFree, nr_free_cma)
     * is the sum of the free blocks in them, the area being the zone's only CMA memory. Appends violations.
     */
    void check(List<String> errors) {
        long clear = count - bitmap.cardinality();
        if (clear != availableCount) {
            errors.add("cma " + name + ": available_count " + availableCount + ", but " + clear + " bits clear");
        }
        MemMap map = mm.memMap();
        long freeInCmaBlocks = 0;
        for (int pfn = basePfn; pfn < basePfn + count; pfn++) {
            if (map.isBuddy(pfn) && map.pageblockMigratetype(pfn) == PageAlloc.MT_CMA) {
                freeInCmaBlocks += 1L << map.buddyOrder(pfn);
            }
            if ((pfn & (PageAlloc.PAGEBLOCK_NR_PAGES - 1)) == 0
                    && map.storedPageblockMigratetype(pfn) != PageAlloc.MT_CMA) {
                errors.add("cma " + name + ": pageblock at pfn " + pfn + " is "
                        + MigrateType.of(map.storedPageblockMigratetype(pfn)) + ", not CMA");
            }
            int f = map.flags(pfn);
            if ((f & (PageFlags.PG_BUDDY | PageFlags.PG_PCP)) != 0) {
                continue;
            }
            PageOwner owner = map.owner(pfn);
            if (owner == PageOwner.NONE) {
                continue;
            }
            boolean handedOut = bitmap.get(pfn - basePfn);
            if (handedOut ? owner != PageOwner.KERNEL : !movableOwner(owner)) {
                errors.add("cma " + name + ": pfn " + pfn + " in a CMA pageblock is owned by " + owner
                        + (handedOut ? " though cma_alloc handed it out" : ", not by a movable allocation"));
            }
        }
        Zone zone = mm.zoneOf(basePfn);
        MmDebug.expect(errors, zone + ": NR_FREE_CMA_PAGES against the free pages of its CMA pageblocks",
                zone.state(ZoneStatItem.NR_FREE_CMA_PAGES), freeInCmaBlocks);
        MmDebug.expect(errors, zone + ": cma pages against the area", zone.cmaPages(), count);
    }

    /** The owners whose pages come from movable allocations (GFP_HIGHUSER_MOVABLE, htlb_alloc_mask()). */
    static boolean movableOwner(PageOwner owner) {
        return owner == PageOwner.ANON || owner == PageOwner.FILE || owner == PageOwner.SHMEM
                || owner == PageOwner.HUGETLB;
    }
}
