package io.simproc.mm;

/**
 * enum vm_event_item (include/linux/vm_event_item.h) for the simulated 6.18 x86_64 configuration, in the order
 * /proc/vmstat prints it. The per-zone families (pgalloc_*, allocstall_*, pgskip_*) have one entry per
 * {@link ZoneType}; {@link #forZone} picks it. Events that need CONFIG_CMA are printed only on CMA kernels.
 */
public enum VmEvent {
    PGPGIN("pgpgin"),
    PGPGOUT("pgpgout"),
    PSWPIN("pswpin"),
    PSWPOUT("pswpout"),
    PGALLOC_DMA("pgalloc_dma"),
    PGALLOC_DMA32("pgalloc_dma32"),
    PGALLOC_NORMAL("pgalloc_normal"),
    PGALLOC_MOVABLE("pgalloc_movable"),
    PGALLOC_DEVICE("pgalloc_device"),
    ALLOCSTALL_DMA("allocstall_dma"),
    ALLOCSTALL_DMA32("allocstall_dma32"),
    ALLOCSTALL_NORMAL("allocstall_normal"),
    ALLOCSTALL_MOVABLE("allocstall_movable"),
    ALLOCSTALL_DEVICE("allocstall_device"),
    PGSKIP_DMA("pgskip_dma"),
    PGSKIP_DMA32("pgskip_dma32"),
    PGSKIP_NORMAL("pgskip_normal"),
    PGSKIP_MOVABLE("pgskip_movable"),
    PGSKIP_DEVICE("pgskip_device"),
    PGFREE("pgfree"),
    PGACTIVATE("pgactivate"),
    PGDEACTIVATE("pgdeactivate"),
    PGLAZYFREE("pglazyfree"),
    PGFAULT("pgfault"),
    PGMAJFAULT("pgmajfault"),
    PGLAZYFREED("pglazyfreed"),
    PGREFILL("pgrefill"),
    PGREUSE("pgreuse"),
    PGSTEAL_KSWAPD("pgsteal_kswapd"),
    PGSTEAL_DIRECT("pgsteal_direct"),
    PGSTEAL_KHUGEPAGED("pgsteal_khugepaged"),
    PGSTEAL_PROACTIVE("pgsteal_proactive"),
    PGSCAN_KSWAPD("pgscan_kswapd"),
    PGSCAN_DIRECT("pgscan_direct"),
    PGSCAN_KHUGEPAGED("pgscan_khugepaged"),
    PGSCAN_PROACTIVE("pgscan_proactive"),
    PGSCAN_DIRECT_THROTTLE("pgscan_direct_throttle"),
    PGSCAN_ANON("pgscan_anon"),
    PGSCAN_FILE("pgscan_file"),
    PGSTEAL_ANON("pgsteal_anon"),
    PGSTEAL_FILE("pgsteal_file"),
    ZONE_RECLAIM_SUCCESS("zone_reclaim_success"),
    ZONE_RECLAIM_FAILED("zone_reclaim_failed"),
    PGINODESTEAL("pginodesteal"),
    SLABS_SCANNED("slabs_scanned"),
    KSWAPD_INODESTEAL("kswapd_inodesteal"),
    KSWAPD_LOW_WMARK_HIT_QUICKLY("kswapd_low_wmark_hit_quickly"),
    KSWAPD_HIGH_WMARK_HIT_QUICKLY("kswapd_high_wmark_hit_quickly"),
    PAGEOUTRUN("pageoutrun"),
    PGROTATED("pgrotated"),
    DROP_PAGECACHE("drop_pagecache"),
    DROP_SLAB("drop_slab"),
    OOM_KILL("oom_kill"),
    NUMA_PTE_UPDATES("numa_pte_updates"),
    NUMA_HUGE_PTE_UPDATES("numa_huge_pte_updates"),
    NUMA_HINT_FAULTS("numa_hint_faults"),
    NUMA_HINT_FAULTS_LOCAL("numa_hint_faults_local"),
    NUMA_PAGES_MIGRATED("numa_pages_migrated"),
    PGMIGRATE_SUCCESS("pgmigrate_success"),
    PGMIGRATE_FAIL("pgmigrate_fail"),
    THP_MIGRATION_SUCCESS("thp_migration_success"),
    THP_MIGRATION_FAIL("thp_migration_fail"),
    THP_MIGRATION_SPLIT("thp_migration_split"),
    COMPACT_MIGRATE_SCANNED("compact_migrate_scanned"),
    COMPACT_FREE_SCANNED("compact_free_scanned"),
    COMPACT_ISOLATED("compact_isolated"),
    COMPACT_STALL("compact_stall"),
    COMPACT_FAIL("compact_fail"),
    COMPACT_SUCCESS("compact_success"),
    COMPACT_DAEMON_WAKE("compact_daemon_wake"),
    COMPACT_DAEMON_MIGRATE_SCANNED("compact_daemon_migrate_scanned"),
    COMPACT_DAEMON_FREE_SCANNED("compact_daemon_free_scanned"),
    HTLB_BUDDY_ALLOC_SUCCESS("htlb_buddy_alloc_success"),
    HTLB_BUDDY_ALLOC_FAIL("htlb_buddy_alloc_fail"),
    CMA_ALLOC_SUCCESS("cma_alloc_success", true),
    CMA_ALLOC_FAIL("cma_alloc_fail", true),
    UNEVICTABLE_PGS_CULLED("unevictable_pgs_culled"),
    UNEVICTABLE_PGS_SCANNED("unevictable_pgs_scanned"),
    UNEVICTABLE_PGS_RESCUED("unevictable_pgs_rescued"),
    UNEVICTABLE_PGS_MLOCKED("unevictable_pgs_mlocked"),
    UNEVICTABLE_PGS_MUNLOCKED("unevictable_pgs_munlocked"),
    UNEVICTABLE_PGS_CLEARED("unevictable_pgs_cleared"),
    UNEVICTABLE_PGS_STRANDED("unevictable_pgs_stranded"),
    THP_FAULT_ALLOC("thp_fault_alloc"),
    THP_FAULT_FALLBACK("thp_fault_fallback"),
    THP_FAULT_FALLBACK_CHARGE("thp_fault_fallback_charge"),
    THP_COLLAPSE_ALLOC("thp_collapse_alloc"),
    THP_COLLAPSE_ALLOC_FAILED("thp_collapse_alloc_failed"),
    THP_FILE_ALLOC("thp_file_alloc"),
    THP_FILE_FALLBACK("thp_file_fallback"),
    THP_FILE_FALLBACK_CHARGE("thp_file_fallback_charge"),
    THP_FILE_MAPPED("thp_file_mapped"),
    THP_SPLIT_PAGE("thp_split_page"),
    THP_SPLIT_PAGE_FAILED("thp_split_page_failed"),
    THP_DEFERRED_SPLIT_PAGE("thp_deferred_split_page"),
    THP_UNDERUSED_SPLIT_PAGE("thp_underused_split_page"),
    THP_SPLIT_PMD("thp_split_pmd"),
    THP_SCAN_EXCEED_NONE_PTE("thp_scan_exceed_none_pte"),
    THP_SCAN_EXCEED_SWAP_PTE("thp_scan_exceed_swap_pte"),
    THP_SCAN_EXCEED_SHARE_PTE("thp_scan_exceed_share_pte"),
    THP_SPLIT_PUD("thp_split_pud"),
    THP_ZERO_PAGE_ALLOC("thp_zero_page_alloc"),
    THP_ZERO_PAGE_ALLOC_FAILED("thp_zero_page_alloc_failed"),
    THP_SWPOUT("thp_swpout"),
    THP_SWPOUT_FALLBACK("thp_swpout_fallback"),
    BALLOON_INFLATE("balloon_inflate"),
    BALLOON_DEFLATE("balloon_deflate"),
    BALLOON_MIGRATE("balloon_migrate"),
    SWAP_RA("swap_ra"),
    SWAP_RA_HIT("swap_ra_hit"),
    SWPIN_ZERO("swpin_zero"),
    SWPOUT_ZERO("swpout_zero"),
    KSM_SWPIN_COPY("ksm_swpin_copy"),
    COW_KSM("cow_ksm"),
    ZSWPIN("zswpin"),
    ZSWPOUT("zswpout"),
    ZSWPWB("zswpwb"),
    DIRECT_MAP_LEVEL2_SPLITS("direct_map_level2_splits"),
    DIRECT_MAP_LEVEL3_SPLITS("direct_map_level3_splits"),
    DIRECT_MAP_LEVEL2_COLLAPSES("direct_map_level2_collapses"),
    DIRECT_MAP_LEVEL3_COLLAPSES("direct_map_level3_collapses");

    private static final VmEvent[] VALUES = values();

    private final String procName;
    private final boolean needsCma;

    VmEvent(String procName) {
        this(procName, false);
    }

    VmEvent(String procName, boolean needsCma) {
        this.procName = procName;
        this.needsCma = needsCma;
    }

    public String procName() {
        return procName;
    }

    public boolean needsCma() {
        return needsCma;
    }

    /** The member of a per-zone family (PGALLOC_DMA, ALLOCSTALL_DMA, PGSKIP_DMA) for a zone. */
    public static VmEvent forZone(VmEvent familyFirst, ZoneType zone) {
        return VALUES[familyFirst.ordinal() + zone.ordinal()];
    }
}
