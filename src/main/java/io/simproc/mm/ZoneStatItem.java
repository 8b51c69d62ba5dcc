package io.simproc.mm;

/** enum zone_stat_item as Linux 6.18 prints it (zoneinfo, vmstat), in kernel order; values in pages. */
public enum ZoneStatItem {
    NR_FREE_PAGES("nr_free_pages"),
    NR_FREE_PAGES_BLOCKS("nr_free_pages_blocks"),
    NR_ZONE_INACTIVE_ANON("nr_zone_inactive_anon"),
    NR_ZONE_ACTIVE_ANON("nr_zone_active_anon"),
    NR_ZONE_INACTIVE_FILE("nr_zone_inactive_file"),
    NR_ZONE_ACTIVE_FILE("nr_zone_active_file"),
    NR_ZONE_UNEVICTABLE("nr_zone_unevictable"),
    NR_ZONE_WRITE_PENDING("nr_zone_write_pending"),
    NR_MLOCK("nr_mlock"),
    NR_ZSPAGES("nr_zspages"),
    NR_FREE_CMA_PAGES("nr_free_cma");

    private final String procName;

    ZoneStatItem(String procName) {
        this.procName = procName;
    }

    public String procName() {
        return procName;
    }
}
