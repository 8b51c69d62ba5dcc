package io.simproc.mm;

/**
 * The page cache (mm/filemap.c, mm/shmem.c for shmem objects): finding a file's page, or bringing it in. A page
 * that is not cached is allocated, inserted into the file's index with the cache's reference, put on the inactive
 * list and read from the backing device — a major fault, counted in pgmajfault and pgpgin. Shmem pages are
 * created zero-filled without I/O (a minor fault) and counted as Shmem. Cached pages count in NR_FILE_PAGES
 * (Cached).
 */
public final class Filemap {
    /** What {@link #getPage} found: the page, and whether it had to be read in. */
    public record Lookup(int pfn, boolean major) {
    }

    private final MemoryManager mm;
    private final int[] mem;

    Filemap(MemoryManager mm) {
        this.mm = mm;
        this.mem = mm.memMap().mem;
    }

    /**
     * filemap_fault() / shmem_get_folio(): the page of {@code file} at {@code index}, allocated and read in if it
     * is not cached. Returns null when no page can be allocated.
     */
    Lookup getPage(AddressSpace file, long index, int nid, int cpu) {
        int pfn = file.pages.get(index);
        if (pfn >= 0) {
            return new Lookup(pfn, false);
        }
        PageOwner owner = file.isShmem() ? PageOwner.SHMEM : PageOwner.FILE;
        pfn = mm.pageAlloc().allocPages(Gfp.GFP_HIGHUSER_MOVABLE, 0, nid, cpu, owner);
        if (pfn < 0) {
            return null;
        }
        int b = pfn << MemMap.STRIDE_SHIFT;
        mem[b + MemMap.F_MAPPING] = file.id();
        mem[b + MemMap.F_INDEX] = (int) index;
        if (file.isShmem()) {
            mem[b + MemMap.F_FLAGS] |= PageFlags.PG_SWAPBACKED;
        }
        file.pages.put(index, pfn);
        PgData node = mm.zoneOf(pfn).node();
        node.vmStat[NodeStatItem.NR_FILE_PAGES.ordinal()]++;
        if (file.isShmem()) {
            node.vmStat[NodeStatItem.NR_SHMEM.ordinal()]++;
        }
        mm.folios().addLru(pfn);
        if (file.isShmem()) {
            return new Lookup(pfn, false);
        }
        mm.countEvent(VmEvent.PGMAJFAULT, 1);
        mm.countEvent(VmEvent.PGPGIN, io.simproc.uapi.Page.PAGE_SIZE >> 10);
        return new Lookup(pfn, true);
    }

    /**
     * Remove a cached page that no one maps from its file (truncation of a shmem object, eviction): the cache's
     * reference goes, and with it the page.
     */
    void deleteFromPageCache(AddressSpace file, long index, int cpu) {
        int pfn = file.pages.get(index);
        if (pfn < 0) {
            return;
        }
        file.pages.remove(index);
        PgData node = mm.zoneOf(pfn).node();
        node.vmStat[NodeStatItem.NR_FILE_PAGES.ordinal()]--;
        if (file.isShmem()) {
            node.vmStat[NodeStatItem.NR_SHMEM.ordinal()]--;
        }
        mm.folios().put(pfn, cpu);
    }
}
