package io.simproc.mm;

import io.simproc.uapi.Errno;
import io.simproc.uapi.Page;

/**
 * Pinning user pages for DMA (mm/gup.c): pin_user_pages() with FOLL_PIN | FOLL_WRITE takes
 * GUP_PIN_COUNTING_BIAS references on each page of a range the caller has faulted in, so that
 * folio_maybe_dma_pinned() holds and neither migration ({@link Migrate#isMovable}: references beyond the mappings)
 * nor reclaim's unmap (try_to_unmap() refuses a pinned exclusive anonymous page) moves it; unpin_user_page() drops
 * them, freeing a page nothing else references.
 *
 * <p>A short-term pin (O_DIRECT I/O in flight, an RDMA transfer being set up) pins the pages where they are, CMA
 * pageblocks included: this is what makes cma_alloc() fail with -EBUSY. A FOLL_LONGTERM pin (io_uring fixed
 * buffers, vfio, RDMA memory registration) first migrates every page that may not be pinned for long — one in a
 * CMA pageblock or ZONE_MOVABLE (folio_is_longterm_pinnable()) — to an unmovable page
 * (check_and_migrate_movable_folios(), the target allocated under memalloc_pin_save(), so without __GFP_MOVABLE),
 * and pins the new page: a long-term pin never blocks a CMA allocation. Only base pages are pinned here: a range
 * backed by a transparent huge page is refused with -EINVAL.
 */
public final class Gup {
    /** GUP_PIN_COUNTING_BIAS: the references one FOLL_PIN takes on a small folio. */
    public static final int GUP_PIN_COUNTING_BIAS = 1024;

    private final MemoryManager mm;
    private final MemMap map;
    private final Migrate migrate;

    Gup(MemoryManager mm) {
        this.mm = mm;
        this.map = mm.memMap();
        this.migrate = new Migrate(mm);
    }

    /** folio_maybe_dma_pinned() of a small folio. */
    static boolean maybeDmaPinned(MemMap map, int pfn) {
        return map.refcount(pfn) >= GUP_PIN_COUNTING_BIAS;
    }

    /**
     * pin_user_pages() of the present pages of [start, start + len) in {@code m} (the caller faulted them in for
     * writing), with FOLL_LONGTERM when {@code longterm}. Returns the pinned pfns in address order, or null with
     * {@code err[0]} the errno: -EFAULT for a page not present, -EINVAL for a huge page, -ENOMEM when a page that
     * had to leave CMA could not be migrated. Nothing stays pinned on failure.
     */
    public int[] pinUserPages(MmStruct m, long start, long len, boolean longterm, int cpu, int[] err) {
        mm.assertWriter();
        long first = start & Page.PAGE_MASK;
        int n = (int) ((start + len - first + Page.PAGE_SIZE - 1) >>> Page.PAGE_SHIFT);
        int[] pfns = new int[n];
        for (int i = 0; i < n; i++) {
            long addr = first + ((long) i << Page.PAGE_SHIFT);
            long pte = m.pgtable.get(addr);
            if (!PageTable.isPresent(pte) || (pte & PageTable._PAGE_SPECIAL) != 0) {
                err[0] = -Errno.EFAULT;
                return null;
            }
            int pfn = PageTable.pfnOf(pte);
            if (map.test(pfn, PageFlags.PG_TRANSHUGE)) {
                err[0] = -Errno.EINVAL;
                return null;
            }
            if (longterm && !longtermPinnable(pfn)) {
                pfn = migrateUnpinnable(pfn, cpu);
                if (pfn < 0) {
                    err[0] = -Errno.ENOMEM;
                    return null;
                }
            }
            pfns[i] = pfn;
        }
        for (int pfn : pfns) {
            map.setRefcount(pfn, map.refcount(pfn) + GUP_PIN_COUNTING_BIAS);
        }
        return pfns;
    }

    /** unpin_user_page(): drop one pin; a page nothing else references is freed on {@code cpu}. */
    public void unpinUserPage(int pfn, int cpu) {
        mm.assertWriter();
        if (!maybeDmaPinned(map, pfn)) {
            throw new IllegalStateException("unpin of pfn " + pfn + " that is not pinned");
        }
        map.setRefcount(pfn, map.refcount(pfn) - GUP_PIN_COUNTING_BIAS + 1);
        mm.folios().put(pfn, cpu);
    }

    /** folio_is_longterm_pinnable(): not in a CMA pageblock, not in ZONE_MOVABLE. */
    private boolean longtermPinnable(int pfn) {
        return map.pageblockMigratetype(pfn) != PageAlloc.MT_CMA && mm.zoneOf(pfn).type() != ZoneType.MOVABLE;
    }

    /**
     * migrate_longterm_unpinnable_folios() of one page: to an unmovable page of the same zone. Returns the new pfn,
     * or -1 when the page cannot move or no target is free.
     */
    private int migrateUnpinnable(int pfn, int cpu) {
        if (!migrate.isMovable(pfn)) {
            return -1;
        }
        int dst = mm.pageAlloc().allocMigrationTarget(mm.zoneOf(pfn), PageAlloc.MT_UNMOVABLE, 0);
        if (dst < 0) {
            return -1;
        }
        if (!migrate.migratePage(pfn, dst, cpu)) {
            mm.pageAlloc().releaseIsolatedPage(dst);
            return -1;
        }
        return dst;
    }
}
