package io.simproc.mm;

import java.util.Arrays;

/**
 * The mem_map: one struct page per page frame, stored as parallel primitive arrays indexed by pfn (no object per
 * page). 8 ints per page (32 bytes) plus two bytes per 512-page pageblock.
 *
 * <p>Fields: {@code flags} ({@link PageFlags} bits and the {@link PageOwner}); {@code refcount}; {@code mapcount}
 * (number of page-table mappings); {@code next}/{@code prev}, the links of the one intrusive list a page sits on
 * (buddy free list, per-cpu list, later the LRU); {@code mapping} and {@code index} (owner object id and offset);
 * {@code priv} (buddy or compound order, later a swap entry). Per pageblock: its migrate type (with the isolate bit)
 * and the global id of the zone it belongs to.
 *
 * <p>Threading: written only by the simulation thread; renderers read under the machine's read lock.
 */
public final class MemMap {
    public static final int NIL = -1;
    static final int PB_MIGRATETYPE_MASK = 0x7;
    static final int PB_ISOLATE = 0x8;
    static final byte NO_ZONE = -1;

    final int nrPfns;
    final int[] flags;
    final int[] refcount;
    final int[] mapcount;
    final int[] next;
    final int[] prev;
    final int[] mapping;
    final int[] index;
    final int[] priv;
    final byte[] pageblockFlags;
    final byte[] pageblockZone;

    /** Bytes of heap one simulated page costs in this structure (the 40 B/page budget). */
    public static final int BYTES_PER_PAGE = 8 * Integer.BYTES;

    MemMap(int nrPfns) {
        this.nrPfns = nrPfns;
        flags = new int[nrPfns];
        refcount = new int[nrPfns];
        mapcount = new int[nrPfns];
        next = new int[nrPfns];
        prev = new int[nrPfns];
        mapping = new int[nrPfns];
        index = new int[nrPfns];
        priv = new int[nrPfns];
        int blocks = (nrPfns + PageAlloc.PAGEBLOCK_NR_PAGES - 1) >>> PageAlloc.PAGEBLOCK_ORDER;
        pageblockFlags = new byte[blocks];
        pageblockZone = new byte[blocks];
        Arrays.fill(pageblockZone, NO_ZONE);
    }

    /** Heap bytes needed for a mem_map of this many pfns, computed before allocating it. */
    public static long heapBytesFor(long nrPfns) {
        return nrPfns * BYTES_PER_PAGE + 2 * ((nrPfns >>> PageAlloc.PAGEBLOCK_ORDER) + 1);
    }

    public int nrPfns() {
        return nrPfns;
    }

    public int flags(int pfn) {
        return flags[pfn];
    }

    public boolean test(int pfn, int flag) {
        return (flags[pfn] & flag) != 0;
    }

    public PageOwner owner(int pfn) {
        return PageOwner.of((flags[pfn] & PageFlags.OWNER_MASK) >>> PageFlags.OWNER_SHIFT);
    }

    public int refcount(int pfn) {
        return refcount[pfn];
    }

    public int mapcount(int pfn) {
        return mapcount[pfn];
    }

    public int priv(int pfn) {
        return priv[pfn];
    }

    public int mapping(int pfn) {
        return mapping[pfn];
    }

    public int index(int pfn) {
        return index[pfn];
    }

    /** PageBuddy(): head of a free block in the buddy allocator. */
    public boolean isBuddy(int pfn) {
        return (flags[pfn] & PageFlags.PG_BUDDY) != 0;
    }

    /** buddy_order(): valid only for {@link #isBuddy} pages (and per-cpu list heads). */
    public int buddyOrder(int pfn) {
        return priv[pfn];
    }

    /** get_pfnblock_migratetype(): the stored type, or ISOLATE while the block is isolated. */
    public int pageblockMigratetype(int pfn) {
        int f = pageblockFlags[pfn >>> PageAlloc.PAGEBLOCK_ORDER];
        return (f & PB_ISOLATE) != 0 ? MigrateType.ISOLATE.ordinal() : f & PB_MIGRATETYPE_MASK;
    }

    void setPageblockMigratetype(int pfn, int mt) {
        int pb = pfn >>> PageAlloc.PAGEBLOCK_ORDER;
        if (mt == MigrateType.ISOLATE.ordinal()) {
            pageblockFlags[pb] |= PB_ISOLATE;
        } else {
            pageblockFlags[pb] = (byte) mt;
        }
    }

    /** Global zone id ({@link Zone#id()}) of the zone that owns the pageblock holding pfn, or -1. */
    public int zoneId(int pfn) {
        return pageblockZone[pfn >>> PageAlloc.PAGEBLOCK_ORDER];
    }

    void setOwner(int pfn, PageOwner owner) {
        flags[pfn] = (flags[pfn] & ~PageFlags.OWNER_MASK) | (owner.ordinal() << PageFlags.OWNER_SHIFT);
    }

    void setFlag(int pfn, int flag) {
        flags[pfn] |= flag;
    }

    void clearFlag(int pfn, int flag) {
        flags[pfn] &= ~flag;
    }
}
