package io.simproc.mm;

/**
 * enum node_stat_item (include/linux/mmzone.h) as Linux 6.18 prints it in /proc/zoneinfo and /proc/vmstat, in kernel
 * order. Values are kept in pages, except the slab items (bytes, shown in pages) and nr_kernel_stack (KiB); the THP
 * items are kept in base pages and shown as huge pages.
 */
public enum NodeStatItem {
    NR_INACTIVE_ANON("nr_inactive_anon"),
    NR_ACTIVE_ANON("nr_active_anon"),
    NR_INACTIVE_FILE("nr_inactive_file"),
    NR_ACTIVE_FILE("nr_active_file"),
    NR_UNEVICTABLE("nr_unevictable"),
    NR_SLAB_RECLAIMABLE_B("nr_slab_reclaimable", Unit.BYTES),
    NR_SLAB_UNRECLAIMABLE_B("nr_slab_unreclaimable", Unit.BYTES),
    NR_ISOLATED_ANON("nr_isolated_anon"),
    NR_ISOLATED_FILE("nr_isolated_file"),
    WORKINGSET_NODES("workingset_nodes"),
    WORKINGSET_REFAULT_ANON("workingset_refault_anon"),
    WORKINGSET_REFAULT_FILE("workingset_refault_file"),
    WORKINGSET_ACTIVATE_ANON("workingset_activate_anon"),
    WORKINGSET_ACTIVATE_FILE("workingset_activate_file"),
    WORKINGSET_RESTORE_ANON("workingset_restore_anon"),
    WORKINGSET_RESTORE_FILE("workingset_restore_file"),
    WORKINGSET_NODERECLAIM("workingset_nodereclaim"),
    NR_ANON_MAPPED("nr_anon_pages"),
    NR_FILE_MAPPED("nr_mapped"),
    NR_FILE_PAGES("nr_file_pages"),
    NR_FILE_DIRTY("nr_dirty"),
    NR_WRITEBACK("nr_writeback"),
    NR_SHMEM("nr_shmem"),
    NR_SHMEM_THPS("nr_shmem_hugepages", Unit.HUGE_PAGES),
    NR_SHMEM_PMDMAPPED("nr_shmem_pmdmapped", Unit.HUGE_PAGES),
    NR_FILE_THPS("nr_file_hugepages", Unit.HUGE_PAGES),
    NR_FILE_PMDMAPPED("nr_file_pmdmapped", Unit.HUGE_PAGES),
    NR_ANON_THPS("nr_anon_transparent_hugepages", Unit.HUGE_PAGES),
    NR_VMSCAN_WRITE("nr_vmscan_write"),
    NR_VMSCAN_IMMEDIATE("nr_vmscan_immediate_reclaim"),
    NR_DIRTIED("nr_dirtied"),
    NR_WRITTEN("nr_written"),
    NR_THROTTLED_WRITTEN("nr_throttled_written"),
    NR_KERNEL_MISC_RECLAIMABLE("nr_kernel_misc_reclaimable"),
    NR_FOLL_PIN_ACQUIRED("nr_foll_pin_acquired"),
    NR_FOLL_PIN_RELEASED("nr_foll_pin_released"),
    NR_KERNEL_STACK_KB("nr_kernel_stack", Unit.KB),
    NR_PAGETABLE("nr_page_table_pages"),
    NR_SECONDARY_PAGETABLE("nr_sec_page_table_pages"),
    NR_IOMMU_PAGES("nr_iommu_pages"),
    NR_SWAPCACHE("nr_swapcached"),
    PGPROMOTE_SUCCESS("pgpromote_success"),
    PGPROMOTE_CANDIDATE("pgpromote_candidate"),
    PGPROMOTE_CANDIDATE_NRL("pgpromote_candidate_nrl"),
    PGDEMOTE_KSWAPD("pgdemote_kswapd"),
    PGDEMOTE_DIRECT("pgdemote_direct"),
    PGDEMOTE_KHUGEPAGED("pgdemote_khugepaged"),
    PGDEMOTE_PROACTIVE("pgdemote_proactive"),
    NR_HUGETLB("nr_hugetlb"),
    NR_BALLOON_PAGES("nr_balloon_pages"),
    NR_KERNEL_FILE_PAGES("nr_kernel_file_pages");

    /** How a value is stored and how procfs shows it. */
    public enum Unit { PAGES, KB, BYTES, HUGE_PAGES }

    private final String procName;
    private final Unit unit;

    NodeStatItem(String procName) {
        this(procName, Unit.PAGES);
    }

    NodeStatItem(String procName, Unit unit) {
        this.procName = procName;
        this.unit = unit;
    }

    public String procName() {
        return procName;
    }

    public Unit unit() {
        return unit;
    }

    /** The number procfs prints for a stored value (node_page_state_pages and the THP/bytes conversions). */
    public long shown(long stored) {
        return switch (unit) {
            case PAGES, KB -> stored;
            case BYTES -> stored >> io.simproc.uapi.Page.PAGE_SHIFT;
            case HUGE_PAGES -> stored / PageAlloc.PAGEBLOCK_NR_PAGES;
        };
    }
}
