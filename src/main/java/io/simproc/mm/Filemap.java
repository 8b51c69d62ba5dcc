package io.simproc.mm;

/**
 * The page cache (mm/filemap.c, mm/readahead.c, mm/truncate.c; mm/shmem.c for shmem objects): finding a file's
 * page or bringing it in, reads and writes through the cache, and removing pages from it.
 *
 * <p>A page that is not cached is allocated, inserted into the file's index with the cache's reference (a shadow
 * entry there makes it a refault, see {@link Workingset}), put on the inactive list and read from the backing
 * device: pgpgin, and for a fault a major fault. Reads go through readahead: a miss reads a window that starts at
 * 4× the request (at most {@link #RA_PAGES}) and grows ×4 / ×2 while the reads stay sequential. Cached pages count
 * in NR_FILE_PAGES (Cached, or Buffers for a block device's cache); shmem pages are created zero-filled without
 * I/O and count as Shmem. {@link #markPageAccessed} is the second-chance rule: a first access sets PG_referenced,
 * a second one on the inactive list activates the page.
 */
public final class Filemap {
    /** VM_READAHEAD_PAGES: the default read_ahead_kb of 128 KiB. */
    public static final int RA_PAGES = 32;

    /** What {@link #getPage} found: the page, and whether it had to be read in. */
    public record Lookup(int pfn, boolean major) {
    }

    private final MemoryManager mm;
    private final MemMap map;

    Filemap(MemoryManager mm) {
        this.mm = mm;
        this.map = mm.memMap();
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
        pfn = addToPageCache(file, index, nid, cpu);
        if (pfn < 0) {
            return null;
        }
        if (file.isShmem()) {
            return new Lookup(pfn, false);
        }
        mm.vmstat().countEvent(VmEvent.PGMAJFAULT, 1);
        mm.memcontrol().countMemcgEventMm(mm.services().currentMm(), VmEvent.PGMAJFAULT, 1);
        mm.pageIo().readFilePage(file, index);
        return new Lookup(pfn, true);
    }

    /**
     * filemap_add_folio(): a new page for (file, index) joins the cache and the LRU; a shadow entry found there is
     * a refault. Returns the pfn, or -1 when no page could be allocated. The page holds one reference: the cache's.
     */
    int addToPageCache(AddressSpace file, long index, int nid, int cpu) {
        PageOwner owner = file.isShmem() ? PageOwner.SHMEM : PageOwner.FILE;
        int pfn = mm.pageAlloc().allocPages(Gfp.GFP_HIGHUSER_MOVABLE, 0, nid, cpu, owner);
        if (pfn < 0) {
            return -1;
        }
        Memcontrol memcontrol = mm.memcontrol();
        if (memcontrol.charging().charge(pfn, 1, memcontrol.mmMemcg(mm.services().currentMm()), Gfp.GFP_HIGHUSER_MOVABLE,
                cpu) != 0) {
            mm.pageAlloc().freePages(pfn, 0, cpu);
            return -1;
        }
        map.setMapping(pfn, file.id());
        map.setIndex(pfn, (int) index);
        mm.content().set(pfn, PageContent.fileWord(file, index));
        if (file.isShmem()) {
            map.addFlags(pfn, PageFlags.PG_SWAPBACKED);
        }
        int old = file.pages.raw(index);
        file.pages.put(index, pfn);
        memcontrol.modLruvecPageState(pfn, NodeStatItem.NR_FILE_PAGES, 1);
        if (file.isShmem()) {
            memcontrol.modLruvecPageState(pfn, NodeStatItem.NR_SHMEM, 1);
        }
        if (old <= PageCacheIndex.SHADOW_BASE) {
            mm.workingset().refault(pfn, old, !file.isShmem());
        }
        mm.folios().addLru(pfn);
        return pfn;
    }

    /**
     * filemap_read(): read {@code nrPages} pages of {@code file} from {@code index} through the cache, with
     * readahead on a miss. Every page read is marked accessed. Returns the pages read from the device, or -1 when
     * memory ran out before the read was complete.
     */
    public long read(AddressSpace file, long index, long nrPages, int nid, int cpu) {
        mm.assertWriter();
        long end = Math.min(index + nrPages, file.sizePages());
        long fromDevice = 0;
        for (long i = index; i < end; i++) {
            int pfn = file.pages.get(i);
            if (pfn < 0) {
                long got = readahead(file, i, end - i, nid, cpu);
                if (got < 0) {
                    return -1;
                }
                fromDevice += got;
                pfn = file.pages.get(i);
                if (pfn < 0) {
                    // Reclaim made room for the window by evicting its first page again: read that one alone.
                    pfn = addToPageCache(file, i, nid, cpu);
                    if (pfn < 0) {
                        return -1;
                    }
                    if (!file.isShmem()) {
                        mm.pageIo().readFilePage(file, i);
                    }
                    fromDevice++;
                }
            }
            markPageAccessed(pfn);
        }
        file.raPrevIndex = end;
        return fromDevice;
    }

    /**
     * page_cache_sync_ra(): a miss at {@code index} reads a window of pages that are not cached yet. The window is
     * get_init_ra_size() of the request for a new stream, get_next_ra_size() of the last window when the read
     * continues where the previous one ended; a request larger than the window is read whole.
     */
    private long readahead(AddressSpace file, long index, long requested, int nid, int cpu) {
        boolean sequential = index == file.raPrevIndex && file.raSize > 0;
        int window = sequential ? nextRaSize(file.raSize) : initRaSize(requested);
        file.raSize = window;
        long end = Math.min(file.sizePages(), index + Math.max(window, requested));
        long read = 0;
        PageIo io = mm.pageIo();
        io.startPlug();
        try {
            for (long i = index; i < end; i++) {
                if (file.pages.raw(i) >= 0) {
                    continue;
                }
                if (addToPageCache(file, i, nid, cpu) < 0) {
                    return i == index ? -1 : read;
                }
                if (!file.isShmem()) {
                    io.readFilePage(file, i);
                }
                read++;
            }
        } finally {
            io.finishPlug();
        }
        return read;
    }

    /** get_init_ra_size(). */
    static int initRaSize(long requested) {
        long size = Long.highestOneBit(Math.max(1, requested - 1)) << 1;
        if (requested <= 1) {
            size = 1;
        }
        if (size <= RA_PAGES / 32) {
            return (int) size * 4;
        }
        if (size <= RA_PAGES / 4) {
            return (int) size * 2;
        }
        return RA_PAGES;
    }

    /** get_next_ra_size(). */
    static int nextRaSize(int cur) {
        if (cur < RA_PAGES / 16) {
            return 4 * cur;
        }
        if (cur <= RA_PAGES / 2) {
            return 2 * cur;
        }
        return RA_PAGES;
    }

    /**
     * generic_perform_write(): write {@code nrPages} whole pages of {@code file} from {@code index} into the cache
     * (no read: the pages are overwritten), marking them accessed and dirty; the file grows past its end. Before
     * each page the writer passes balance_dirty_pages(): when dirty + writeback pages exceed the dirty threshold
     * the writer is throttled and the write stops there. Returns the pages written (fewer when throttled or when
     * memory ran out).
     */
    public long write(AddressSpace file, long index, long nrPages, int nid, int cpu) {
        mm.assertWriter();
        long written = 0;
        for (long i = index; i < index + nrPages; i++) {
            if (mm.pageWriteback().balanceDirtyPages()) {
                break;
            }
            int pfn = file.pages.get(i);
            if (pfn < 0) {
                pfn = addToPageCache(file, i, nid, cpu);
                if (pfn < 0) {
                    break;
                }
            }
            long endBytes = (i + 1) << io.simproc.uapi.Page.PAGE_SHIFT;
            if (endBytes > file.sizeBytes()) {
                file.setSizeBytes(endBytes);
            }
            markPageAccessed(pfn);
            mm.pageWriteback().folioMarkDirty(file, pfn);
            written++;
        }
        return written;
    }

    /**
     * folio_mark_accessed(): inactive and unreferenced → referenced; inactive and referenced → active (pgactivate,
     * workingset activation); active → referenced. Unevictable pages are left alone.
     */
    public void markPageAccessed(int pfn) {
        int f = map.flags(pfn);
        if ((f & PageFlags.PG_UNEVICTABLE) != 0) {
            return;
        }
        if ((f & PageFlags.PG_ACTIVE) == 0 && (f & PageFlags.PG_REFERENCED) != 0) {
            if ((f & PageFlags.PG_LRU) != 0) {
                Lruvec lruvec = mm.memcontrol().folioLruvec(pfn);
                lruvec.del(pfn);
                map.setFlags(pfn, (map.flags(pfn) | PageFlags.PG_ACTIVE) & ~PageFlags.PG_REFERENCED);
                lruvec.add(pfn);
                mm.vmstat().countEvent(VmEvent.PGACTIVATE, 1);
                mm.memcontrol().countMemcgEvents(lruvec.memcg(), VmEvent.PGACTIVATE, 1);
            } else {
                map.setFlags(pfn, (f | PageFlags.PG_ACTIVE) & ~PageFlags.PG_REFERENCED);
            }
            mm.workingset().activation(pfn);
        } else if ((f & PageFlags.PG_REFERENCED) == 0) {
            map.setFlags(pfn, f | PageFlags.PG_REFERENCED);
        }
    }

    /**
     * Remove a cached page from its file for truncation: writeback is waited for (completed), the dirty state
     * dropped, mappings must be gone already; the cache's reference goes, and with it the page.
     */
    void deleteFromPageCache(AddressSpace file, long index, int cpu) {
        int pfn = file.pages.get(index);
        if (pfn < 0) {
            return;
        }
        if (mm.memMap().test(pfn, PageFlags.PG_WRITEBACK)) {
            mm.pageWriteback().endWriteback(pfn);
        }
        mm.pageWriteback().cancelDirty(file, pfn);
        file.pages.remove(index);
        unaccount(file, pfn);
        mm.folios().put(pfn, cpu);
    }

    /**
     * __filemap_remove_folio() for reclaim: the clean, unmapped page at {@code index} leaves the cache and a shadow
     * entry takes its place. The caller still holds its own reference to the page.
     */
    void removeForReclaim(AddressSpace file, long index, int pfn, boolean shadow) {
        if (shadow && !file.isShmem()) {
            file.pages.put(index, mm.workingset().eviction(pfn));
        } else {
            file.pages.remove(index);
        }
        unaccount(file, pfn);
        mm.folios().put(pfn, 0);
    }

    private void unaccount(AddressSpace file, int pfn) {
        mm.memcontrol().modLruvecPageState(pfn, NodeStatItem.NR_FILE_PAGES, -1);
        if (file.isShmem()) {
            mm.memcontrol().modLruvecPageState(pfn, NodeStatItem.NR_SHMEM, -1);
        }
    }

    /**
     * truncate_inode_pages_range(): drop every cached page from {@code fromIndex} on (pages still mapped are
     * skipped: the caller unmapped them) and forget the shadows. Returns the pages dropped.
     */
    public long truncate(AddressSpace file, long fromIndex, int cpu) {
        mm.assertWriter();
        long[] dropped = {0};
        file.pages.forEachIndex(i -> {
            if (i < fromIndex) {
                return;
            }
            int pfn = file.pages.get(i);
            if (map.mapcount(pfn) == 0) {
                deleteFromPageCache(file, i, cpu);
                dropped[0]++;
            }
        });
        file.pages.clearShadowsFrom(fromIndex);
        return dropped[0];
    }

    /**
     * mapping_try_invalidate() as drop_caches runs it: every page of the file that is clean, unmapped, not under
     * writeback, not locked in memory and not shmem leaves the cache. Returns the pages freed.
     */
    long invalidateMappingPages(AddressSpace file) {
        if (file.isShmem()) {
            return 0;
        }
        long[] freed = {0};
        file.pages.forEachIndex(i -> {
            int pfn = file.pages.get(i);
            int f = map.flags(pfn);
            if ((f & (PageFlags.PG_DIRTY | PageFlags.PG_WRITEBACK | PageFlags.PG_MLOCKED)) != 0
                    || map.mapcount(pfn) != 0 || map.refcount(pfn) != 1) {
                return;
            }
            removeForReclaim(file, i, pfn, false);
            freed[0]++;
        });
        return freed[0];
    }
}
