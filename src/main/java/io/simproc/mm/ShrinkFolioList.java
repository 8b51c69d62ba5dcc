package io.simproc.mm;

/**
 * shrink_folio_list() of mm/vmscan.c: what reclaim does with each page it isolated from an inactive list — activate
 * it (referenced again, or no swap for it), keep it for another trip, or free it: a clean file page leaves the page
 * cache with a shadow entry, a dirty one is queued for writeback, an anon page gets a swap slot (charged to its
 * memory cgroup's swap counter), is unmapped from every task through the reverse map and written out.
 */
final class ShrinkFolioList {
    private static final int ACTIVATE = 0;
    private static final int KEEP = 1;
    private static final int RECLAIM = 2;
    private static final int RECLAIM_CLEAN = 3;

    private final MemoryManager mm;
    private final MemMap map;
    private final Vmscan vmscan;
    /** pr_alert_ratelimited() of end_swap_bio_write(). */
    private final Ratelimit writeErrorRatelimit = new Ratelimit(Ratelimit.DEFAULT_INTERVAL_SECONDS
            * KernelServices.HZ, Ratelimit.DEFAULT_BURST);

    ShrinkFolioList(MemoryManager mm, Vmscan vmscan) {
        this.mm = mm;
        this.map = mm.memMap();
        this.vmscan = vmscan;
    }

    /**
     * folio_check_references(): a page mapped with a young PTE is kept for another trip (marked referenced) and
     * activated when it is seen referenced again; file-backed executable pages are activated at once. Since 5.9
     * anon pages are treated alike (mm/vmscan: protect the workingset on anonymous LRU).
     */
    private int folioCheckReferences(int pfn) {
        long[] vmFlags = new long[1];
        int referencedPtes = map.mapcount(pfn) > 0 ? mm.rmap().folioReferenced(pfn, vmFlags) : 0;
        int f = map.flags(pfn);
        boolean referencedFolio = (f & PageFlags.PG_REFERENCED) != 0;
        map.setFlags(pfn, f & ~PageFlags.PG_REFERENCED);
        boolean swapbacked = (f & PageFlags.PG_SWAPBACKED) != 0;
        if (referencedPtes > 0) {
            map.addFlags(pfn, PageFlags.PG_REFERENCED);
            if (referencedFolio || referencedPtes > 1) {
                return ACTIVATE;
            }
            if ((vmFlags[0] & VmFlags.VM_EXEC) != 0 && !swapbacked) {
                return ACTIVATE;
            }
            return KEEP;
        }
        if (referencedFolio && !swapbacked) {
            return RECLAIM_CLEAN;
        }
        return RECLAIM;
    }

    /**
     * shrink_folio_list(): per isolated page, activate, keep, or free it. Returns the pages freed;
     * {@code pageout[0]} gets the pages written (to swap or queued to the file's device).
     */
    long shrink(int[] pages, Lruvec lruvec, ScanControl sc, long[] pageout) {
        long reclaimed = 0;
        for (int pfn : pages) {
            int f = map.flags(pfn);
            if ((f & PageFlags.PG_UNEVICTABLE) != 0 || !sc.mayUnmap && map.mapcount(pfn) > 0) {
                vmscan.putback(lruvec, pfn);
                continue;
            }
            if ((f & PageFlags.PG_WRITEBACK) != 0) {
                map.addFlags(pfn, PageFlags.PG_RECLAIM);
                lruvec.pgdat().vmStat[NodeStatItem.NR_VMSCAN_IMMEDIATE.ordinal()]++;
                vmscan.putback(lruvec, pfn);
                continue;
            }
            int references = folioCheckReferences(pfn);
            if (references == ACTIVATE) {
                activate(lruvec, pfn);
                continue;
            }
            if (references == KEEP) {
                vmscan.putback(lruvec, pfn);
                continue;
            }
            if ((f & PageFlags.PG_KSM) != 0) {
                // KSM pages are not swapped in this model (Ksm): reclaim keeps them.
                activate(lruvec, pfn);
                continue;
            }
            boolean anon = (f & PageFlags.PG_ANON) != 0;
            boolean swapbacked = (f & PageFlags.PG_SWAPBACKED) != 0;
            if (swapbacked && !anon) {
                vmscan.putback(lruvec, pfn);
                continue;
            }
            if (anon && (f & (PageFlags.PG_TRANSHUGE | PageFlags.PG_SWAPCACHE)) == PageFlags.PG_TRANSHUGE
                    && (sc.gfp & Gfp.__GFP_IO) != 0 && mm.hugeMemory().isDeferred(HugeMemory.headOf(pfn))) {
                // A partly unmapped folio is split right away: its unmapped pages are freed without I/O.
                mm.hugeMemory().splitHugePage(HugeMemory.headOf(pfn));
            }
            if (anon && (map.flags(pfn) & (PageFlags.PG_TRANSHUGE | PageFlags.PG_SWAPCACHE)) == 0
                    && map.mapcount(pfn) == 0 && map.refcount(pfn) == 1) {
                // An unmapped page of a split folio: only the isolation holds it.
                mm.folios().put(pfn, 0);
                reclaimed++;
                continue;
            }
            if (anon && !map.test(pfn, PageFlags.PG_SWAPCACHE)) {
                if (!vmscan.canReclaimAnonPages(lruvec, sc) || (sc.gfp & Gfp.__GFP_IO) == 0) {
                    activate(lruvec, pfn);
                    continue;
                }
                if (map.test(pfn, PageFlags.PG_TRANSHUGE)) {
                    // add_to_swap() of a THP needs a whole free swap cluster, which these swap areas never hand
                    // out: split the folio and swap its pages one by one.
                    mm.hugeMemory().splitHugePage(HugeMemory.headOf(pfn));
                    mm.vmstat().countEvent(VmEvent.THP_SWPOUT_FALLBACK, 1);
                }
                int entry = mm.swap().getSwapPage();
                if (entry == 0) {
                    activate(lruvec, pfn);
                    continue;
                }
                if (!mm.memcontrol().swap().tryChargeSwap(pfn, entry)) {
                    mm.swap().putSwapFolio(entry);
                    activate(lruvec, pfn);
                    continue;
                }
                mm.swap().addToSwapCache(pfn, entry);
                map.addFlags(pfn, PageFlags.PG_DIRTY);
            }
            if (map.mapcount(pfn) > 0) {
                if (!sc.mayUnmap || anon && Gup.maybeDmaPinned(map, pfn) || !mm.rmap().tryToUnmap(pfn)) {
                    activate(lruvec, pfn);
                    continue;
                }
            }
            f = map.flags(pfn);
            if ((f & PageFlags.PG_DIRTY) != 0) {
                if (references == RECLAIM_CLEAN || !sc.mayWritepage) {
                    vmscan.putback(lruvec, pfn);
                    continue;
                }
                if (anon) {
                    pageout[0]++;
                    if (!swapWritepage(pfn)) {
                        vmscan.putback(lruvec, pfn);
                        continue;
                    }
                } else {
                    AddressSpace file = (AddressSpace) mm.mappings().get(map.mapping(pfn));
                    mm.bdi().writepage(file, pfn);
                    map.addFlags(pfn, PageFlags.PG_RECLAIM);
                    lruvec.pgdat().vmStat[NodeStatItem.NR_VMSCAN_WRITE.ordinal()]++;
                    pageout[0]++;
                    vmscan.putback(lruvec, pfn);
                    continue;
                }
            }
            if (map.refcount(pfn) != 2) {
                vmscan.putback(lruvec, pfn);
                continue;
            }
            if (anon) {
                mm.swap().deleteFromSwapCache(pfn, true);
                mm.folios().put(pfn, 0);
            } else {
                AddressSpace file = (AddressSpace) mm.mappings().get(map.mapping(pfn));
                mm.filemap().removeForReclaim(file, map.index(pfn) & 0xffffffffL, pfn, true);
            }
            mm.folios().put(pfn, 0);
            reclaimed++;
        }
        return reclaimed;
    }

    /**
     * swap_writepage(): the anon page's data goes to its slot (pswpout); the write completes at once. When the
     * device fails it (zram out of pool memory), end_swap_bio_write() marks the page dirty again and says so, and
     * shrink_folio_list() keeps the dirty page: false.
     */
    private boolean swapWritepage(int pfn) {
        MemCgroup memcg = mm.memcontrol().folioMemcg(pfn);
        if (memcg != null) {
            mm.memcontrol().countMemcgEvents(memcg, VmEvent.PSWPOUT, 1);
        }
        boolean written = mm.swap().writeSlot(pfn);
        int entry = mm.swap().entryOf(pfn);
        map.clearFlags(pfn, PageFlags.PG_DIRTY);
        mm.pageIo().swapWrite(entry);
        if (written) {
            return true;
        }
        map.addFlags(pfn, PageFlags.PG_DIRTY);
        if (writeErrorRatelimit.allow(mm.services().jiffies(), new int[1])) {
            io.simproc.block.BlockDevice bdev = mm.swap().bdevOf(entry);
            mm.services().printk(KernelServices.KERN_ALERT, "Write-error on swap-device (" + bdev.major() + ":"
                    + bdev.minor() + ":" + ((long) Swapfile.offset(entry) << 3) + ")");
        }
        return false;
    }

    private void activate(Lruvec lruvec, int pfn) {
        if (!map.test(pfn, PageFlags.PG_ACTIVE)) {
            map.addFlags(pfn, PageFlags.PG_ACTIVE);
            mm.vmstat().events[VmEvent.PGACTIVATE.ordinal()]++;
            lruvec.memcg().vmEvents[VmEvent.PGACTIVATE.ordinal()]++;
        }
        vmscan.putback(lruvec, pfn);
    }
}
