package io.simproc.mm;

/**
 * Dirty and writeback page state of mm/page-writeback.c: marking a page cache page dirty (NR_FILE_DIRTY,
 * nr_dirtied, NR_ZONE_WRITE_PENDING, the file's DIRTY tag and the inode's dirtied_when), moving it to writeback
 * (NR_WRITEBACK) and back to clean when the device completes it (nr_written, pgpgout), and
 * balance_dirty_pages(): above the background threshold the flusher is kicked, above the dirty threshold the
 * writer is throttled. The thresholds are {@link ShowMem#globalDirtyLimits}.
 *
 * <p>Invariant: NR_FILE_DIRTY = pages with PG_dirty in a file's cache = Σ files' nrDirty; NR_WRITEBACK = pages
 * with PG_writeback; NR_ZONE_WRITE_PENDING = their sum per zone.
 */
public final class PageWriteback {
    private final MemoryManager mm;
    private final MemMap map;

    PageWriteback(MemoryManager mm) {
        this.mm = mm;
        this.map = mm.memMap();
    }

    /** filemap_dirty_folio(): a clean cache page of {@code file} becomes dirty. */
    void folioMarkDirty(AddressSpace file, int pfn) {
        if (map.test(pfn, PageFlags.PG_DIRTY)) {
            return;
        }
        map.addFlags(pfn, PageFlags.PG_DIRTY);
        if (file.isShmem()) {
            return;
        }
        Zone zone = mm.zoneOf(pfn);
        mm.memcontrol().modLruvecPageState(pfn, NodeStatItem.NR_FILE_DIRTY, 1);
        zone.node().vmStat[NodeStatItem.NR_DIRTIED.ordinal()]++;
        zone.vmStat[ZoneStatItem.NR_ZONE_WRITE_PENDING.ordinal()]++;
        int index = map.index(pfn);
        file.dirty.set(index);
        if (file.nrDirty++ == 0) {
            file.dirtiedWhen = mm.services().jiffies();
            mm.bdi().inodeDirtied(file);
        }
    }

    /** folio_cancel_dirty() / clear_page_dirty_for_io(): the page is clean again (truncated or sent to disk). */
    void cancelDirty(AddressSpace file, int pfn) {
        if (!map.test(pfn, PageFlags.PG_DIRTY)) {
            return;
        }
        map.clearFlags(pfn, PageFlags.PG_DIRTY);
        if (file.isShmem()) {
            return;
        }
        Zone zone = mm.zoneOf(pfn);
        mm.memcontrol().modLruvecPageState(pfn, NodeStatItem.NR_FILE_DIRTY, -1);
        zone.vmStat[ZoneStatItem.NR_ZONE_WRITE_PENDING.ordinal()]--;
        file.dirty.clear(map.index(pfn));
        if (--file.nrDirty == 0) {
            mm.bdi().inodeCleaned(file);
        }
    }

    /** clear_page_dirty_for_io() + folio_start_writeback(): a dirty page goes to the device. */
    void startWriteback(AddressSpace file, int pfn) {
        cancelDirty(file, pfn);
        Zone zone = mm.zoneOf(pfn);
        map.addFlags(pfn, PageFlags.PG_WRITEBACK);
        mm.memcontrol().modLruvecPageState(pfn, NodeStatItem.NR_WRITEBACK, 1);
        zone.vmStat[ZoneStatItem.NR_ZONE_WRITE_PENDING.ordinal()]++;
    }

    /**
     * folio_end_writeback(): the device finished writing the page. A page reclaim wanted (PG_reclaim) goes to the
     * tail of its inactive list so that the next scan frees it (pgrotated).
     */
    void endWriteback(int pfn) {
        int f = map.flags(pfn);
        if ((f & PageFlags.PG_WRITEBACK) == 0) {
            return;
        }
        map.setFlags(pfn, f & ~(PageFlags.PG_WRITEBACK | PageFlags.PG_RECLAIM));
        Zone zone = mm.zoneOf(pfn);
        mm.memcontrol().modLruvecPageState(pfn, NodeStatItem.NR_WRITEBACK, -1);
        zone.node().vmStat[NodeStatItem.NR_WRITTEN.ordinal()]++;
        zone.vmStat[ZoneStatItem.NR_ZONE_WRITE_PENDING.ordinal()]--;
        mm.pageIo().wroteFilePage((AddressSpace) mm.mappings().get(map.mapping(pfn)), map.index(pfn) & 0xffffffffL);
        if ((f & PageFlags.PG_RECLAIM) != 0 && (f & PageFlags.PG_LRU) != 0 && (f & PageFlags.PG_ACTIVE) == 0) {
            Lruvec lruvec = mm.memcontrol().folioLruvec(pfn);
            lruvec.del(pfn);
            lruvec.addTail(pfn);
            mm.vmstat().events[VmEvent.PGROTATED.ordinal()]++;
        }
    }

    /** Whether dirty + writeback pages are above the dirty threshold (writers would be throttled). */
    public boolean overDirtyLimit() {
        return mm.vmstat().globalNodeState(NodeStatItem.NR_FILE_DIRTY) + mm.vmstat().globalNodeState(NodeStatItem.NR_WRITEBACK)
                > ShowMem.globalDirtyLimits(mm)[0];
    }

    /**
     * balance_dirty_pages() before one more page is dirtied: returns true when the writer must wait (dirty +
     * writeback above the dirty threshold); above the background threshold it starts background writeback.
     */
    boolean balanceDirtyPages() {
        long dirty = mm.vmstat().globalNodeState(NodeStatItem.NR_FILE_DIRTY);
        long writeback = mm.vmstat().globalNodeState(NodeStatItem.NR_WRITEBACK);
        long[] limits = ShowMem.globalDirtyLimits(mm);
        if (dirty > limits[1]) {
            mm.bdi().wakeupFlusher();
        }
        return dirty + writeback > limits[0];
    }
}
