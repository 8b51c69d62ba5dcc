package io.simproc.mm;

import java.util.Arrays;

/**
 * The mem_map: one struct page per page frame, stored as parallel primitive arrays indexed by pfn (no object per
 * page). 8 ints per page (32 bytes) in one array, a page's fields side by side, the page's content word (2 bytes,
 * {@link PageContent}), plus two bytes per 512-page pageblock. One array rather than one per field: its fields are read together, and the JVM's heap accounting
 * of one large array wastes far less than that of eight.
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

    /** Ints per struct page, as a shift: a page's fields are mem[pfn << PAGE_SHIFT_INTS + F_*]. */
    static final int STRIDE_SHIFT = 3;
    static final int F_FLAGS = 0;
    static final int F_REFCOUNT = 1;
    static final int F_MAPCOUNT = 2;
    static final int F_NEXT = 3;
    static final int F_PREV = 4;
    static final int F_MAPPING = 5;
    static final int F_INDEX = 6;
    static final int F_PRIV = 7;
    /** Bytes of heap one simulated page costs in this structure (the 40 B/page budget). */
    public static final int BYTES_PER_PAGE = (Integer.BYTES << STRIDE_SHIFT) + Character.BYTES;
    /** The largest mem_map one Java array can hold. */
    public static final long MAX_PFNS = (Integer.MAX_VALUE - 16) >>> STRIDE_SHIFT;

    final int nrPfns;
    /** All struct pages, 8 ints each (array of structs: one cache line holds two pages). */
    final int[] mem;
    /** Per page: its data as one word ({@link PageContent}). */
    final char[] content;
    final byte[] pageblockFlags;
    final byte[] pageblockZone;

    MemMap(int nrPfns) {
        if (nrPfns > MAX_PFNS) {
            throw new IllegalArgumentException("a mem_map of " + nrPfns + " pages exceeds " + MAX_PFNS);
        }
        this.nrPfns = nrPfns;
        mem = new int[nrPfns << STRIDE_SHIFT];
        content = new char[nrPfns];
        int blocks = (nrPfns + PageAlloc.PAGEBLOCK_NR_PAGES - 1) >>> PageAlloc.PAGEBLOCK_ORDER;
        pageblockFlags = new byte[blocks];
        pageblockZone = new byte[blocks];
        Arrays.fill(pageblockZone, NO_ZONE);
    }

    /** Heap bytes needed for a mem_map of this many pfns, computed before allocating it. */
    public static long heapBytesFor(long nrPfns) {
        return nrPfns * BYTES_PER_PAGE + 2 * ((nrPfns >>> PageAlloc.PAGEBLOCK_ORDER) + 1);
    }

    static int at(int pfn, int field) {
        return (pfn << STRIDE_SHIFT) + field;
    }

    public int nrPfns() {
        return nrPfns;
    }

    public int flags(int pfn) {
        return mem[pfn << STRIDE_SHIFT];
    }

    public boolean test(int pfn, int flag) {
        return (mem[pfn << STRIDE_SHIFT] & flag) != 0;
    }

    public PageOwner owner(int pfn) {
        return PageOwner.of((mem[pfn << STRIDE_SHIFT] & PageFlags.OWNER_MASK) >>> PageFlags.OWNER_SHIFT);
    }

    public int refcount(int pfn) {
        return mem[at(pfn, F_REFCOUNT)];
    }

    public int mapcount(int pfn) {
        return mem[at(pfn, F_MAPCOUNT)];
    }

    public int priv(int pfn) {
        return mem[at(pfn, F_PRIV)];
    }

    public int mapping(int pfn) {
        return mem[at(pfn, F_MAPPING)];
    }

    public int index(int pfn) {
        return mem[at(pfn, F_INDEX)];
    }

    /** The page's data as a word ({@link PageContent}); what a load from the page reads. */
    public int content(int pfn) {
        return content[pfn];
    }

    int next(int pfn) {
        return mem[at(pfn, F_NEXT)];
    }

    /** PageBuddy(): head of a free block in the buddy allocator. */
    public boolean isBuddy(int pfn) {
        return (mem[pfn << STRIDE_SHIFT] & PageFlags.PG_BUDDY) != 0;
    }

    /** buddy_order(): valid only for {@link #isBuddy} pages (and per-cpu list heads). */
    public int buddyOrder(int pfn) {
        return mem[at(pfn, F_PRIV)];
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

    /** Set the page flags and refcount of [from, to) (memmap_init). */
    void fill(int from, int to, int flags, int refcount) {
        for (int pfn = from; pfn < to; pfn++) {
            int b = pfn << STRIDE_SHIFT;
            mem[b + F_FLAGS] = flags;
            mem[b + F_REFCOUNT] = refcount;
        }
    }
}
