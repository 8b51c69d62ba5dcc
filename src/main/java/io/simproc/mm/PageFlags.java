package io.simproc.mm;

/**
 * Bits of {@link MemMap#flags} (include/linux/page-flags.h, page_type) and the owner field packed beside them.
 * The low 24 bits are page flags; bits 24..31 hold the owner kind, which says which subsystem an allocated page
 * belongs to and so which meminfo counter accounts for it.
 */
public final class PageFlags {
    /** Head page of a free buddy block; its order is in {@link MemMap#priv} (PageBuddy). */
    public static final int PG_BUDDY = 1;
    /** Head page of a block sitting on a per-cpu free list; its order is in priv. */
    public static final int PG_PCP = 1 << 1;
    /** Never handed to the buddy allocator: memblock reservation or firmware range (PageReserved). */
    public static final int PG_RESERVED = 1 << 2;
    /** No RAM behind this pfn: an e820 hole inside the mem_map (also PG_RESERVED, as init_unavailable_range does). */
    public static final int PG_HOLE = 1 << 3;
    public static final int PG_LRU = 1 << 4;
    public static final int PG_ACTIVE = 1 << 5;
    public static final int PG_REFERENCED = 1 << 6;
    public static final int PG_DIRTY = 1 << 7;
    public static final int PG_WRITEBACK = 1 << 8;
    public static final int PG_SWAPBACKED = 1 << 9;
    public static final int PG_UNEVICTABLE = 1 << 10;
    public static final int PG_MLOCKED = 1 << 11;
    public static final int PG_SWAPCACHE = 1 << 12;
    public static final int PG_WORKINGSET = 1 << 13;
    public static final int PG_RECLAIM = 1 << 14;
    /** First page of a compound (high-order) allocation; its order is in priv. */
    public static final int PG_HEAD = 1 << 15;
    public static final int PG_ANON = 1 << 16;
    public static final int PG_YOUNG = 1 << 17;
    /** One of the 512 pages of an anonymous PMD-sized folio, a transparent huge page ({@link HugeMemory}). */
    public static final int PG_TRANSHUGE = 1 << 18;
    /** PageKsm: a KSM page, write-protected wherever it is mapped; its mapping names a {@link KsmStableNode}. */
    public static final int PG_KSM = 1 << 19;

    public static final int OWNER_SHIFT = 24;
    public static final int OWNER_MASK = 0xff << OWNER_SHIFT;

    private PageFlags() {
    }
}
