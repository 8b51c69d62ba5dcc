package io.simproc.mm;

/**
 * The derived figures of mm/show_mem.c, mm/util.c and mm/page-writeback.c that /proc/meminfo and /proc/vmstat
 * print: MemAvailable ({@code si_mem_available}), CommitLimit ({@code vm_commit_limit}) and the global dirty
 * thresholds ({@code global_dirty_limits}). Pure functions of the memory manager's current state.
 */
public final class ShowMem {
    private ShowMem() {
    }

    /** si_mem_available(): free pages beyond the reserves plus the page cache and slab that reclaim could free. */
    public static long siMemAvailable(MemoryManager mm) {
        long wmarkLow = 0;
        for (Zone z : mm.zones()) {
            wmarkLow += z.lowWmarkPages();
        }
        long available = mm.vmstat().globalZoneState(ZoneStatItem.NR_FREE_PAGES) - mm.watermarks().totalreservePages();
        long pagecache = mm.vmstat().globalNodeState(NodeStatItem.NR_ACTIVE_FILE)
                + mm.vmstat().globalNodeState(NodeStatItem.NR_INACTIVE_FILE);
        available += pagecache - Math.min(pagecache / 2, wmarkLow);
        long reclaimable = NodeStatItem.NR_SLAB_RECLAIMABLE_B.shown(mm.vmstat().globalNodeState(NodeStatItem.NR_SLAB_RECLAIMABLE_B))
                + mm.vmstat().globalNodeState(NodeStatItem.NR_KERNEL_MISC_RECLAIMABLE);
        available += reclaimable - Math.min(reclaimable / 2, wmarkLow);
        return Math.max(0, available);
    }

    /**
     * vm_commit_limit(): overcommit_kbytes, or (RAM − the hugetlb pool) × overcommit_ratio / 100, plus swap — in
     * unsigned long arithmetic as the kernel's (a negative ratio wraps to a huge limit).
     */
    public static long vmCommitLimit(MemoryManager mm) {
        VmTunables t = mm.tunables();
        long allowed;
        if (t.overcommitKbytes != 0) {
            allowed = t.overcommitKbytes >>> (io.simproc.uapi.Page.PAGE_SHIFT - 10);
        } else {
            allowed = Long.divideUnsigned((mm.vmstat().totalramPages() - mm.hugetlb().hugetlbTotalPages())
                    * t.overcommitRatio, 100);
        }
        return allowed + mm.swap().totalSwapPages();
    }

    /** global_dirtyable_memory(): free pages above the reserves plus the file LRU, plus one. */
    public static long globalDirtyableMemory(MemoryManager mm) {
        long x = mm.vmstat().globalZoneState(ZoneStatItem.NR_FREE_PAGES);
        x -= Math.min(x, mm.watermarks().totalreservePages());
        x += mm.vmstat().globalNodeState(NodeStatItem.NR_INACTIVE_FILE);
        x += mm.vmstat().globalNodeState(NodeStatItem.NR_ACTIVE_FILE);
        return x + 1;
    }

    /** global_dirty_limits(): {dirty threshold, background threshold} in pages. */
    public static long[] globalDirtyLimits(MemoryManager mm) {
        VmTunables t = mm.tunables();
        long available = globalDirtyableMemory(mm);
        long pageSize = io.simproc.uapi.Page.PAGE_SIZE;
        long ratio = t.dirtyRatio * pageSize / 100;
        long bgRatio = t.dirtyBackgroundRatio * pageSize / 100;
        long thresh = t.dirtyBytes != 0 ? (t.dirtyBytes + pageSize - 1) / pageSize : ratio * available / pageSize;
        long bgThresh = t.dirtyBackgroundBytes != 0 ? (t.dirtyBackgroundBytes + pageSize - 1) / pageSize
                : bgRatio * available / pageSize;
        if (bgThresh >= thresh) {
            bgThresh = thresh / 2;
        }
        return new long[] {thresh, bgThresh};
    }

    private static final char[] MIGRATION_TYPE_LETTERS = {'U', 'M', 'E', 'H', 'C', 'I'};

    /**
     * __show_mem(SHOW_MEM_FILTER_NODES, NULL, max_zone_idx): the "Mem-Info:" block the OOM killer and other dumps
     * print — global LRU and slab counts, a line per node, a line and the lowmem_reserve array per populated zone up
     * to {@code maxZoneIdx}, each zone's free blocks per order with the migrate types present, the page cache and
     * swap summary and the RAM/reserved totals. One string per printk line. As 6.18 prints it, without the bounce
     * fields (NR_BOUNCE is gone) and with the node's Balloon figure; the swap lines are show_swap_cache_info()'s:
     * "Free swap" is get_nr_swap_pages() (SwapFree), "Total swap" is total_swap_pages (SwapTotal).
     */
    public static java.util.List<String> showMem(MemoryManager mm, int maxZoneIdx) {
        java.util.List<String> out = new java.util.ArrayList<>();
        out.add("Mem-Info:");
        long freePcp = 0;
        for (Zone z : mm.zones()) {
            if (z.isPopulated() && z.type().ordinal() <= maxZoneIdx) {
                freePcp += pcpCount(z);
            }
        }
        out.add(String.format("active_anon:%d inactive_anon:%d isolated_anon:%d",
                node(mm, NodeStatItem.NR_ACTIVE_ANON), node(mm, NodeStatItem.NR_INACTIVE_ANON),
                node(mm, NodeStatItem.NR_ISOLATED_ANON)));
        out.add(String.format(" active_file:%d inactive_file:%d isolated_file:%d",
                node(mm, NodeStatItem.NR_ACTIVE_FILE), node(mm, NodeStatItem.NR_INACTIVE_FILE),
                node(mm, NodeStatItem.NR_ISOLATED_FILE)));
        out.add(String.format(" unevictable:%d dirty:%d writeback:%d", node(mm, NodeStatItem.NR_UNEVICTABLE),
                node(mm, NodeStatItem.NR_FILE_DIRTY), node(mm, NodeStatItem.NR_WRITEBACK)));
        out.add(String.format(" slab_reclaimable:%d slab_unreclaimable:%d",
                NodeStatItem.NR_SLAB_RECLAIMABLE_B.shown(node(mm, NodeStatItem.NR_SLAB_RECLAIMABLE_B)),
                NodeStatItem.NR_SLAB_UNRECLAIMABLE_B.shown(node(mm, NodeStatItem.NR_SLAB_UNRECLAIMABLE_B))));
        out.add(String.format(" mapped:%d shmem:%d pagetables:%d", node(mm, NodeStatItem.NR_FILE_MAPPED),
                node(mm, NodeStatItem.NR_SHMEM), node(mm, NodeStatItem.NR_PAGETABLE)));
        out.add(String.format(" sec_pagetables:%d", node(mm, NodeStatItem.NR_SECONDARY_PAGETABLE)));
        out.add(String.format(" kernel_misc_reclaimable:%d", node(mm, NodeStatItem.NR_KERNEL_MISC_RECLAIMABLE)));
        out.add(String.format(" free:%d free_pcp:%d free_cma:%d", mm.vmstat().globalZoneState(ZoneStatItem.NR_FREE_PAGES),
                freePcp, mm.vmstat().globalZoneState(ZoneStatItem.NR_FREE_CMA_PAGES)));
        for (PgData p : mm.nodes()) {
            boolean managed = false;
            for (int i = 0; i <= maxZoneIdx; i++) {
                managed |= p.zones[i].managedPages > 0;
            }
            if (!managed) {
                continue;
            }
            out.add(String.format("Node %d active_anon:%dkB inactive_anon:%dkB active_file:%dkB inactive_file:%dkB"
                    + " unevictable:%dkB isolated(anon):%dkB isolated(file):%dkB mapped:%dkB dirty:%dkB"
                    + " writeback:%dkB shmem:%dkB shmem_thp:%dkB shmem_pmdmapped:%dkB anon_thp:%dkB"
                    + " writeback_tmp:%dkB kernel_stack:%dkB pagetables:%dkB sec_pagetables:%dkB"
                    + " all_unreclaimable? %s Balloon:%dkB",
                    p.nodeId(), k(p.state(NodeStatItem.NR_ACTIVE_ANON)), k(p.state(NodeStatItem.NR_INACTIVE_ANON)),
                    k(p.state(NodeStatItem.NR_ACTIVE_FILE)), k(p.state(NodeStatItem.NR_INACTIVE_FILE)),
                    k(p.state(NodeStatItem.NR_UNEVICTABLE)), k(p.state(NodeStatItem.NR_ISOLATED_ANON)),
                    k(p.state(NodeStatItem.NR_ISOLATED_FILE)), k(p.state(NodeStatItem.NR_FILE_MAPPED)),
                    k(p.state(NodeStatItem.NR_FILE_DIRTY)), k(p.state(NodeStatItem.NR_WRITEBACK)),
                    k(p.state(NodeStatItem.NR_SHMEM)), k(p.state(NodeStatItem.NR_SHMEM_THPS)),
                    k(p.state(NodeStatItem.NR_SHMEM_PMDMAPPED)), k(p.state(NodeStatItem.NR_ANON_THPS)), 0L,
                    p.state(NodeStatItem.NR_KERNEL_STACK_KB), k(p.state(NodeStatItem.NR_PAGETABLE)),
                    k(p.state(NodeStatItem.NR_SECONDARY_PAGETABLE)), p.isUnreclaimable() ? "yes" : "no",
                    k(p.state(NodeStatItem.NR_BALLOON_PAGES))));
        }
        for (Zone z : mm.zones()) {
            if (!z.isPopulated() || z.type().ordinal() > maxZoneIdx) {
                continue;
            }
            out.add(String.format("Node %d %s free:%dkB boost:%dkB min:%dkB low:%dkB high:%dkB"
                    + " reserved_highatomic:%dKB active_anon:%dkB inactive_anon:%dkB active_file:%dkB"
                    + " inactive_file:%dkB unevictable:%dkB writepending:%dkB present:%dkB managed:%dkB mlocked:%dkB"
                    + " free_pcp:%dkB local_pcp:%dkB free_cma:%dkB",
                    z.node().nodeId(), z.type().procName(), k(z.state(ZoneStatItem.NR_FREE_PAGES)),
                    k(z.watermarkBoost), k(z.watermark[Zone.WMARK_MIN]), k(z.watermark[Zone.WMARK_LOW]),
                    k(z.watermark[Zone.WMARK_HIGH]), k(z.nrReservedHighatomic),
                    k(z.state(ZoneStatItem.NR_ZONE_ACTIVE_ANON)), k(z.state(ZoneStatItem.NR_ZONE_INACTIVE_ANON)),
                    k(z.state(ZoneStatItem.NR_ZONE_ACTIVE_FILE)), k(z.state(ZoneStatItem.NR_ZONE_INACTIVE_FILE)),
                    k(z.state(ZoneStatItem.NR_ZONE_UNEVICTABLE)), k(z.state(ZoneStatItem.NR_ZONE_WRITE_PENDING)),
                    k(z.presentPages), k(z.managedPages), k(z.state(ZoneStatItem.NR_MLOCK)), k(pcpCount(z)),
                    k(z.pcp[0].count), k(z.state(ZoneStatItem.NR_FREE_CMA_PAGES))));
            StringBuilder reserve = new StringBuilder("lowmem_reserve[]:");
            for (long r : z.lowmemReserve) {
                reserve.append(' ').append(r);
            }
            out.add(reserve.toString());
        }
        java.util.List<MigrateType> types = mm.config().migrateTypes();
        for (Zone z : mm.zones()) {
            if (!z.isPopulated() || z.type().ordinal() > maxZoneIdx) {
                continue;
            }
            StringBuilder line = new StringBuilder(String.format("Node %d %s: ", z.node().nodeId(),
                    z.type().procName()));
            long total = 0;
            for (int order = 0; order < PageAlloc.NR_PAGE_ORDERS; order++) {
                long nr = z.freeArea.nrFree(order);
                total += nr << order;
                line.append(nr).append('*').append(4L << order).append("kB ");
                if (nr != 0) {
                    line.append('(');
                    for (MigrateType mt : types) {
                        if (!z.freeArea.isEmpty(order, mt.ordinal())) {
                            line.append(MIGRATION_TYPE_LETTERS[mt.ordinal()]);
                        }
                    }
                    line.append(") ");
                }
            }
            out.add(line.append("= ").append(k(total)).append("kB").toString());
        }
        for (PgData pgdat : mm.nodes()) {
            hugetlbShowMeminfoNode(mm, pgdat.nodeId(), out);
        }
        out.add(String.format("%d total pagecache pages", node(mm, NodeStatItem.NR_FILE_PAGES)));
        out.add(String.format("%d pages in swap cache", node(mm, NodeStatItem.NR_SWAPCACHE)));
        out.add(String.format("Free swap  = %dkB", k(mm.swap().nrSwapPagesFree())));
        out.add(String.format("Total swap = %dkB", k(mm.swap().totalSwapPages())));
        long present = 0;
        long reserved = 0;
        for (Zone z : mm.zones()) {
            if (z.isPopulated()) {
                present += z.presentPages;
                reserved += z.presentPages - z.managedPages;
            }
        }
        out.add(present + " pages RAM");
        out.add("0 pages HighMem/MovableOnly");
        out.add(reserved + " pages reserved");
        if (mm.config().cma()) {
            long cma = 0;
            for (Zone z : mm.zones()) {
                cma += z.cmaPages;
            }
            out.add(cma + " pages cma reserved");
        }
        out.add("0 pages hwpoisoned");
        return out;
    }

    private static long node(MemoryManager mm, NodeStatItem item) {
        return mm.vmstat().globalNodeState(item);
    }

    private static long pcpCount(Zone z) {
        long n = 0;
        for (PerCpuPages p : z.pcp) {
            n += p.count;
        }
        return n;
    }

    private static long k(long pages) {
        return pages << (io.simproc.uapi.Page.PAGE_SHIFT - 10);
    }

    /** hugetlb_show_meminfo_node(): the node's share of each hstate's pool (one, the 2 MB pages). */
    private static void hugetlbShowMeminfoNode(MemoryManager mm, int nid, java.util.List<String> out) {
        Hugetlb h = mm.hugetlb();
        out.add(String.format("Node %d hugepages_total=%d hugepages_free=%d hugepages_surp=%d hugepages_size=%dkB",
                nid, h.nrHugePagesNode(nid), h.freeHugePagesNode(nid), h.surplusHugePagesNode(nid),
                Hugetlb.HUGE_PAGE_SIZE_KB));
    }
}
