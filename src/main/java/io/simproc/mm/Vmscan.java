package io.simproc.mm;

/**
 * Page reclaim of mm/vmscan.c (the classic two-list LRU, not MGLRU): {@link #tryToFreePages} is direct reclaim,
 * charged to the allocating task (allocstall_*, pgscan_direct, pgsteal_direct); {@link Kswapd} drives
 * {@link #shrinkNode} for background reclaim. A node pass splits its scan between anon and file with
 * {@link #getScanCount} (swappiness and the recent reclaim costs), deactivates from the active lists to keep the
 * inactive ratio, and in {@link #shrinkFolioList} decides per page: referenced pages are activated or kept, clean
 * file pages are dropped (leaving a shadow entry), dirty ones are queued for writeback, anon pages get a swap slot
 * and are written out, mapped pages are first unmapped from every task through reverse mapping. Slab shrinkers
 * are asked in proportion to the pass's priority.
 *
 * <p>Direct reclaim that freed nothing while it left an active list alone (the inactive list looked big enough, yet
 * every page on it was referenced) starts over with both active lists deactivated (force_deactivate), as
 * do_try_to_free_pages does. Direct reclaim that made no progress on a node is throttled (see
 * {@link #MAX_NOPROGRESS_THROTTLE}). Reclaim never sleeps otherwise: writeback the device has not completed yet keeps
 * a page on the list until a later pass; swap writes complete at once.
 */
public final class Vmscan {
    public static final int DEF_PRIORITY = 12;
    public static final int SWAP_CLUSTER_MAX = 32;
    public static final int MAX_SWAPPINESS = 200;
    /**
     * The longest a node that gave direct reclaim nothing is left alone (reclaim_throttle(VMSCAN_THROTTLE_NOPROGRESS)
     * puts such reclaimers to sleep; here the sleep is a window, doubling from HZ/10 while reclaim keeps failing, in
     * which direct reclaim on the node returns no progress at once — pgscan_direct_throttle — instead of scanning
     * lists it just found unreclaimable).
     */
    static final long MAX_NOPROGRESS_THROTTLE = 5L * KernelServices.HZ;

    private final MemoryManager mm;
    private final MemMap map;
    private final ShrinkFolioList shrinkFolioList;
    private int[] isolated = new int[SWAP_CLUSTER_MAX];

    Vmscan(MemoryManager mm) {
        this.mm = mm;
        this.map = mm.memMap();
        this.shrinkFolioList = new ShrinkFolioList(mm, this);
    }

    /**
     * try_to_free_pages(): direct reclaim for an allocation of 2^order pages that found every zone of its zonelist
     * below min. Counts allocstall for the allocation's highest zone and reclaims at most SWAP_CLUSTER_MAX pages,
     * raising the priority until it has them. Returns the pages reclaimed (the progress the slow path weighs).
     */
    public long tryToFreePages(int gfp, int order, int nid, int highestZoneidx) {
        mm.assertWriter();
        ScanControl sc = new ScanControl();
        sc.nrToReclaim = SWAP_CLUSTER_MAX;
        sc.gfp = gfp;
        sc.order = order;
        sc.reclaimIdx = highestZoneidx;
        sc.maySwap = true;
        mm.vmstat().events[VmEvent.forZone(VmEvent.ALLOCSTALL_DMA, ZoneType.values()[highestZoneidx]).ordinal()]++;
        java.util.LinkedHashSet<PgData> nodes = new java.util.LinkedHashSet<>();
        long now = mm.services().jiffies();
        for (Zone z : mm.node(nid).zonelist(highestZoneidx)) {
            if (z.node().noProgressUntil <= now) {
                nodes.add(z.node());
            }
        }
        if (nodes.isEmpty()) {
            mm.vmstat().events[VmEvent.PGSCAN_DIRECT_THROTTLE.ordinal()]++;
            return 0;
        }
        while (true) {
            do {
                for (PgData pgdat : nodes) {
                    shrinkNode(pgdat, sc);
                    if (sc.nrReclaimed >= sc.nrToReclaim) {
                        break;
                    }
                }
                if (sc.nrReclaimed >= sc.nrToReclaim) {
                    break;
                }
            } while (--sc.priority >= 0);
            if (sc.nrReclaimed > 0 || !sc.skippedDeactivate) {
                break;
            }
            sc.priority = DEF_PRIORITY;
            sc.forceDeactivate = true;
            sc.skippedDeactivate = false;
        }
        for (PgData pgdat : nodes) {
            snapshotRefaults(pgdat.lruvec);
            if (sc.nrReclaimed == 0) {
                pgdat.noProgressBackoff = Math.min(MAX_NOPROGRESS_THROTTLE,
                        Math.max(KernelServices.HZ / 10, pgdat.noProgressBackoff * 2));
                pgdat.noProgressUntil = now + pgdat.noProgressBackoff;
            } else {
                pgdat.noProgressBackoff = 0;
            }
        }
        return sc.nrReclaimed;
    }

    /** snapshot_refaults(): remember the workingset activations seen at the end of this reclaim. */
    void snapshotRefaults(Lruvec lruvec) {
        lruvec.refaultsAnonSnapshot = lruvec.hierarchicalState(NodeStatItem.WORKINGSET_ACTIVATE_ANON);
        lruvec.refaultsFileSnapshot = lruvec.hierarchicalState(NodeStatItem.WORKINGSET_ACTIVATE_FILE);
    }

    /**
     * can_reclaim_anon_pages(): anon pages of the lruvec's group can be written to swap — a free slot the group
     * (and each of its ancestors) may still charge under memory.swap.max.
     */
    boolean canReclaimAnonPages(Lruvec lruvec, ScanControl sc) {
        return sc.maySwap && mm.memcontrol().swap().nrSwapPages(lruvec.memcg()) > 0;
    }

    /**
     * prepare_scan_control(): may_deactivate, cache_trim_mode and file_is_tiny for this pass, from the target
     * group's lruvec on the node (the node's own for global reclaim).
     */
    private void prepareScanControl(PgData pgdat, ScanControl sc) {
        Lruvec lruvec = sc.targetMemcg == null ? pgdat.lruvec : sc.targetMemcg.lruvec(pgdat.nodeId());
        sc.mayDeactivate = 0;
        if (sc.forceDeactivate) {
            sc.mayDeactivate = ScanControl.DEACTIVATE_ANON | ScanControl.DEACTIVATE_FILE;
        }
        if (lruvec.hierarchicalState(NodeStatItem.WORKINGSET_ACTIVATE_ANON) != lruvec.refaultsAnonSnapshot
                || lruvec.inactiveIsLow(Lruvec.LRU_INACTIVE_ANON)) {
            sc.mayDeactivate |= ScanControl.DEACTIVATE_ANON;
        }
        if (lruvec.hierarchicalState(NodeStatItem.WORKINGSET_ACTIVATE_FILE) != lruvec.refaultsFileSnapshot
                || lruvec.inactiveIsLow(Lruvec.LRU_INACTIVE_FILE)) {
            sc.mayDeactivate |= ScanControl.DEACTIVATE_FILE;
        }
        long file = lruvec.hierarchicalState(NodeStatItem.NR_INACTIVE_FILE);
        sc.cacheTrimMode = (file >> sc.priority) != 0 && (sc.mayDeactivate & ScanControl.DEACTIVATE_FILE) == 0;
        sc.fileIsTiny = false;
        if (sc.targetMemcg != null) {
            return;
        }
        long free = 0;
        long totalHigh = 0;
        for (Zone z : pgdat.zones) {
            if (z.isManaged()) {
                free += z.freePages();
                totalHigh += z.highWmarkPages();
            }
        }
        long fileAll = file + lruvec.hierarchicalState(NodeStatItem.NR_ACTIVE_FILE);
        long anon = lruvec.hierarchicalState(NodeStatItem.NR_INACTIVE_ANON);
        sc.fileIsTiny = fileAll + free <= totalHigh && (sc.mayDeactivate & ScanControl.DEACTIVATE_ANON) == 0
                && (anon >> sc.priority) != 0;
    }

    /** shrink_node(): one pass over the node's LRU lists, group by group ({@link MemcgReclaim}), and the slab. */
    void shrinkNode(PgData pgdat, ScanControl sc) {
        prepareScanControl(pgdat, sc);
        long reclaimedBefore = sc.nrReclaimed;
        long scannedBefore = sc.nrScanned;
        mm.memcgReclaim().shrinkNodeMemcgs(pgdat, sc);
        if (sc.nrReclaimed - reclaimedBefore > 0) {
            pgdat.kswapdFailures = 0;
        }
        if (sc.nrScanned - scannedBefore < 0) {
            throw new IllegalStateException("scan count went backwards");
        }
    }

    /**
     * get_scan_count() (mm/vmscan.c): how many pages of each evictable list this pass scans, {@code size >>
     * priority}: file only without usable swap; equal at priority 0; anon only when the file cache is tiny; file
     * only in cache-trim mode; otherwise split by swappiness (mem_cgroup_swappiness(): a v1 group's own; file only
     * for a group's limit reclaim at 0) weighted with the recent reclaim costs. A group's
     * lists are scanned less in proportion to its memory.min/low protection (and at least SWAP_CLUSTER_MAX); a
     * dying group's shortest lists are scraped out whole.
     */
    long[] getScanCount(Lruvec lruvec, ScanControl sc) {
        int swappiness = mm.memcontrol().swappiness(lruvec.memcg());
        final int scanEqual = 0;
        final int scanFract = 1;
        final int scanAnon = 2;
        final int scanFile = 3;
        int scanBalance;
        long ap = 0;
        long fp = 0;
        if (!canReclaimAnonPages(lruvec, sc)) {
            scanBalance = scanFile;
        } else if (sc.targetMemcg != null && swappiness == 0) {
            // A group's limit reclaim with swappiness 0 (a v1 group's memory.swappiness) does not swap at all.
            scanBalance = scanFile;
        } else if (sc.priority == 0 && swappiness != 0) {
            scanBalance = scanEqual;
        } else if (sc.fileIsTiny) {
            scanBalance = scanAnon;
        } else if (sc.cacheTrimMode) {
            scanBalance = scanFile;
        } else {
            scanBalance = scanFract;
            long total = lruvec.anonCost + lruvec.fileCost;
            long anonCost = total + lruvec.anonCost;
            long fileCost = total + lruvec.fileCost;
            long total2 = anonCost + fileCost;
            ap = swappiness * (total2 + 1) / (anonCost + 1);
            fp = (MAX_SWAPPINESS - swappiness) * (total2 + 1) / (fileCost + 1);
        }
        MemCgroup memcg = lruvec.memcg();
        MemCgroup target = sc.targetMemcg == null ? mm.memcontrol().root() : sc.targetMemcg;
        long protection = MemcgReclaim.protection(target, memcg, sc.memcgLowReclaim);
        long[] nr = new long[Lruvec.NR_LRU_LISTS];
        for (int lru = 0; lru < Lruvec.LRU_UNEVICTABLE; lru++) {
            boolean file = lru >= Lruvec.LRU_INACTIVE_FILE;
            long size = lruvec.size(lru);
            long scan = size;
            if (protection > 0) {
                long cgroupSize = Math.max(memcg.memory.usage, protection);
                scan = Math.max(size - size * protection / (cgroupSize + 1), SWAP_CLUSTER_MAX);
            }
            scan >>= sc.priority;
            if (scan == 0 && !memcg.isOnline()) {
                scan = Math.min(size, SWAP_CLUSTER_MAX);
            }
            long fraction = file ? fp : ap;
            nr[lru] = switch (scanBalance) {
                case scanEqual -> scan;
                case scanFract -> {
                    long denominator = ap + fp;
                    if (denominator == 0) {
                        yield 0;
                    }
                    yield memcg.isOnline() ? scan * fraction / denominator
                            : (scan * fraction + denominator - 1) / denominator;
                }
                case scanFile -> file ? scan : 0;
                default -> file ? 0 : scan;
            };
        }
        return nr;
    }

    /** shrink_lruvec(): scan the lists in SWAP_CLUSTER_MAX batches until the targets are met. */
    void shrinkLruvec(Lruvec lruvec, ScanControl sc) {
        long[] nr = getScanCount(lruvec, sc);
        long[] targets = nr.clone();
        long toReclaim = sc.nrToReclaim;
        long reclaimedAtStart = sc.nrReclaimed;
        boolean proportional = !sc.kswapd && sc.priority == DEF_PRIORITY;
        boolean scanAdjusted = false;
        while (nr[Lruvec.LRU_INACTIVE_ANON] > 0 || nr[Lruvec.LRU_ACTIVE_FILE] > 0
                || nr[Lruvec.LRU_INACTIVE_FILE] > 0) {
            for (int lru = 0; lru < Lruvec.LRU_UNEVICTABLE; lru++) {
                if (nr[lru] > 0) {
                    long n = Math.min(nr[lru], SWAP_CLUSTER_MAX);
                    nr[lru] -= n;
                    sc.nrReclaimed += shrinkList(lru, n, lruvec, sc);
                }
            }
            if (sc.nrReclaimed - reclaimedAtStart < toReclaim || proportional || scanAdjusted) {
                continue;
            }
            long nrFile = nr[Lruvec.LRU_INACTIVE_FILE] + nr[Lruvec.LRU_ACTIVE_FILE];
            long nrAnon = nr[Lruvec.LRU_INACTIVE_ANON] + nr[Lruvec.LRU_ACTIVE_ANON];
            if (nrFile == 0 || nrAnon == 0) {
                break;
            }
            int lru;
            long percentage;
            if (nrFile > nrAnon) {
                long target = targets[Lruvec.LRU_INACTIVE_ANON] + targets[Lruvec.LRU_ACTIVE_ANON] + 1;
                lru = Lruvec.LRU_INACTIVE_FILE;
                percentage = nrAnon * 100 / target;
                nr[Lruvec.LRU_INACTIVE_ANON] = 0;
                nr[Lruvec.LRU_ACTIVE_ANON] = 0;
            } else {
                long target = targets[Lruvec.LRU_INACTIVE_FILE] + targets[Lruvec.LRU_ACTIVE_FILE] + 1;
                lru = Lruvec.LRU_INACTIVE_ANON;
                percentage = nrFile * 100 / target;
                nr[Lruvec.LRU_INACTIVE_FILE] = 0;
                nr[Lruvec.LRU_ACTIVE_FILE] = 0;
            }
            for (int l = lru; l <= lru + 1; l++) {
                long scanned = targets[l] - nr[l];
                nr[l] = targets[l] * (100 - percentage) / 100;
                nr[l] -= Math.min(nr[l], scanned);
            }
            scanAdjusted = true;
        }
        if (canReclaimAnonPages(lruvec, sc) && lruvec.inactiveIsLow(Lruvec.LRU_INACTIVE_ANON)) {
            shrinkActiveList(SWAP_CLUSTER_MAX, lruvec, sc, Lruvec.LRU_ACTIVE_ANON);
        }
    }

    private long shrinkList(int lru, long nrToScan, Lruvec lruvec, ScanControl sc) {
        boolean file = lru >= Lruvec.LRU_INACTIVE_FILE;
        if ((lru & 1) == 1) {
            int bit = file ? ScanControl.DEACTIVATE_FILE : ScanControl.DEACTIVATE_ANON;
            if ((sc.mayDeactivate & bit) != 0) {
                shrinkActiveList(nrToScan, lruvec, sc, lru);
            } else {
                sc.skippedDeactivate = true;
            }
            return 0;
        }
        return shrinkInactiveList(nrToScan, lruvec, sc, lru);
    }

    /**
     * isolate_lru_folios(): take up to n pages from the tail of a list, each with an extra reference; pages of
     * zones above the reclaim index are skipped (pgskip_*) and go back to the head.
     */
    private int isolateLruFolios(long n, Lruvec lruvec, int lru, ScanControl sc) {
        if (isolated.length < n) {
            isolated = new int[(int) n];
        }
        int taken = 0;
        int[] skippedHead = null;
        int skipped = 0;
        long budget = n * 4;
        int pfn = lruvec.tail(lru);
        while (pfn != MemMap.NIL && taken < n && budget-- > 0) {
            int prev = lruvec.prev(pfn);
            lruvec.del(pfn);
            Zone z = mm.zoneOf(pfn);
            if (z.type().ordinal() > sc.reclaimIdx) {
                if (skippedHead == null) {
                    skippedHead = new int[(int) n * 4];
                }
                skippedHead[skipped++] = pfn;
                mm.vmstat().events[VmEvent.forZone(VmEvent.PGSKIP_DMA, z.type()).ordinal()]++;
            } else {
                map.incRefcount(pfn);
                isolated[taken++] = pfn;
            }
            pfn = prev;
        }
        for (int i = 0; i < skipped; i++) {
            lruvec.add(skippedHead[i]);
        }
        return taken;
    }

    /** Put an isolated page back on the list its flags select and drop the isolation reference. */
    void putback(Lruvec lruvec, int pfn) {
        lruvec.add(pfn);
        mm.folios().put(pfn, 0);
    }

    /**
     * shrink_active_list(): move pages from the tail of an active list to the inactive one (pgdeactivate), except
     * mapped executable file pages that were referenced, which stay active. Counts pgrefill.
     */
    void shrinkActiveList(long nrToScan, Lruvec lruvec, ScanControl sc, int lru) {
        int n = isolateLruFolios(nrToScan, lruvec, lru, sc);
        mm.vmstat().events[VmEvent.PGREFILL.ordinal()] += n;
        lruvec.memcg().vmEvents[VmEvent.PGREFILL.ordinal()] += n;
        int[] pages = java.util.Arrays.copyOf(isolated, n);
        long rotated = 0;
        long deactivated = 0;
        long[] vmFlags = new long[1];
        for (int pfn : pages) {
            if (map.test(pfn, PageFlags.PG_UNEVICTABLE)) {
                putback(lruvec, pfn);
                continue;
            }
            vmFlags[0] = 0;
            if (map.mapcount(pfn) > 0 && mm.rmap().folioReferenced(pfn, vmFlags) > 0
                    && (vmFlags[0] & VmFlags.VM_EXEC) != 0 && !map.test(pfn, PageFlags.PG_SWAPBACKED)) {
                rotated++;
                putback(lruvec, pfn);
                continue;
            }
            map.setFlags(pfn, (map.flags(pfn) & ~(PageFlags.PG_ACTIVE | PageFlags.PG_REFERENCED))
                    | PageFlags.PG_WORKINGSET);
            deactivated++;
            putback(lruvec, pfn);
        }
        mm.vmstat().events[VmEvent.PGDEACTIVATE.ordinal()] += deactivated;
        lruvec.memcg().vmEvents[VmEvent.PGDEACTIVATE.ordinal()] += deactivated;
        lruNoteCost(lruvec, lru >= Lruvec.LRU_INACTIVE_FILE, 0, rotated);
    }

    /**
     * shrink_inactive_list(): isolate, decide page by page, count scan and steal (in the group's events always,
     * in the machine's kswapd/direct events only for global reclaim), note the cost.
     */
    long shrinkInactiveList(long nrToScan, Lruvec lruvec, ScanControl sc, int lru) {
        boolean file = lru >= Lruvec.LRU_INACTIVE_FILE;
        int n = isolateLruFolios(nrToScan, lruvec, lru, sc);
        if (n == 0) {
            return 0;
        }
        sc.nrScanned += n;
        // reclaimer_offset(): kswapd, khugepaged (its huge page allocations), else direct reclaim.
        boolean khugepaged = !sc.kswapd && mm.khugepaged().currentIsKhugepaged();
        VmEvent scanEvent = sc.kswapd ? VmEvent.PGSCAN_KSWAPD
                : khugepaged ? VmEvent.PGSCAN_KHUGEPAGED : VmEvent.PGSCAN_DIRECT;
        if (sc.targetMemcg == null) {
            mm.vmstat().events[scanEvent.ordinal()] += n;
        }
        lruvec.memcg().vmEvents[scanEvent.ordinal()] += n;
        mm.vmstat().events[(file ? VmEvent.PGSCAN_FILE : VmEvent.PGSCAN_ANON).ordinal()] += n;
        long[] pageout = {0};
        long reclaimed = shrinkFolioList.shrink(java.util.Arrays.copyOf(isolated, n), lruvec, sc, pageout);
        VmEvent stealEvent = sc.kswapd ? VmEvent.PGSTEAL_KSWAPD
                : khugepaged ? VmEvent.PGSTEAL_KHUGEPAGED : VmEvent.PGSTEAL_DIRECT;
        if (sc.targetMemcg == null) {
            mm.vmstat().events[stealEvent.ordinal()] += reclaimed;
        } else {
            mm.memcgReclaim().countWork(n, reclaimed);
        }
        lruvec.memcg().vmEvents[stealEvent.ordinal()] += reclaimed;
        mm.vmstat().events[(file ? VmEvent.PGSTEAL_FILE : VmEvent.PGSTEAL_ANON).ordinal()] += reclaimed;
        lruNoteCost(lruvec, file, pageout[0], n - reclaimed);
        return reclaimed;
    }

    /** lru_note_cost(): I/O costs SWAP_CLUSTER_MAX per page, rotations 1; costs halve beyond a quarter of the LRU. */
    void lruNoteCost(Lruvec lruvec, boolean file, long nrIo, long nrRotated) {
        long cost = nrIo * SWAP_CLUSTER_MAX + nrRotated;
        if (file) {
            lruvec.fileCost += cost;
        } else {
            lruvec.anonCost += cost;
        }
        long lrusize = lruvec.size(Lruvec.LRU_INACTIVE_ANON) + lruvec.size(Lruvec.LRU_ACTIVE_ANON)
                + lruvec.size(Lruvec.LRU_INACTIVE_FILE) + lruvec.size(Lruvec.LRU_ACTIVE_FILE);
        if (lruvec.fileCost + lruvec.anonCost > lrusize / 4) {
            lruvec.anonCost /= 2;
            lruvec.fileCost /= 2;
        }
    }

    /** zone_reclaimable_pages(): the zone's file LRU pages, and its anon ones while swap has room. */
    long zoneReclaimablePages(Zone z) {
        long n = z.state(ZoneStatItem.NR_ZONE_INACTIVE_FILE) + z.state(ZoneStatItem.NR_ZONE_ACTIVE_FILE);
        if (mm.swap().nrSwapPagesFree() > 0) {
            n += z.state(ZoneStatItem.NR_ZONE_INACTIVE_ANON) + z.state(ZoneStatItem.NR_ZONE_ACTIVE_ANON);
        }
        return n;
    }
}
