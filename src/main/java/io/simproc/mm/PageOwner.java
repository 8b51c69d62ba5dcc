package io.simproc.mm;

/**
 * Who holds an allocated page. Exactly one owner per allocated page: this is what page conservation checks
 * ({@link MmDebug}) and what lets every meminfo counter be a sum over owners.
 */
public enum PageOwner {
    /** Free (buddy or per-cpu list) or reserved: no owner. */
    NONE,
    /** alloc_pages() by kernel code that no meminfo field accounts for (drivers, network buffers). */
    KERNEL,
    PAGETABLE,
    ANON,
    FILE,
    SHMEM,
    SLAB,
    VMALLOC,
    KERNEL_STACK,
    PERCPU,
    /** A folio of the hugetlb pool, free or in use ({@link Hugetlb}). */
    HUGETLB,
    /**
     * A page of a zsmalloc zspage ({@link Zsmalloc}): compressed swap data of zram, on no LRU and in no meminfo
     * field (NR_ZSPAGES, nr_zspages in /proc/zoneinfo, counts it).
     */
    ZSMALLOC;

    private static final PageOwner[] VALUES = values();

    public static PageOwner of(int index) {
        return VALUES[index];
    }
}
