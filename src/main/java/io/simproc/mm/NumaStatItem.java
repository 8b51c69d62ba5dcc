package io.simproc.mm;

/** enum numa_stat_item (CONFIG_NUMA): per-zone allocation placement events, in kernel order. */
public enum NumaStatItem {
    NUMA_HIT("numa_hit"),
    NUMA_MISS("numa_miss"),
    NUMA_FOREIGN("numa_foreign"),
    NUMA_INTERLEAVE_HIT("numa_interleave"),
    NUMA_LOCAL("numa_local"),
    NUMA_OTHER("numa_other");

    private final String procName;

    NumaStatItem(String procName) {
        this.procName = procName;
    }

    public String procName() {
        return procName;
    }
}
