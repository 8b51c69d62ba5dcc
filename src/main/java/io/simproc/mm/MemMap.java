package io.simproc.mm;

import java.util.Arrays;

/**
 * The mem_map: one struct page per page frame, stored as parallel primitive arrays indexed by pfn (no object per
 * page). 8 ints per page (32 bytes) in one array, a page's fields side by side, the page's content word (2 bytes,
 * {@link PageContent}), plus two bytes per 512-page pageblock. One array rather than one per field: its fields are
 * read together, and the JVM's heap accounting of one large array wastes far less than that of eight.
 *
 * <p>Fields: {@code flags} ({@link PageFlags} bits and the {@link PageOwner}); {@code refcount}; {@code mapcount}
 * (number of page-table mappings); {@code next}/{@code prev}, the links of the one intrusive list a page sits on
 * (buddy free list, per-cpu list, LRU list, a slab cache's partial list), owned by {@link PageLists};
 * {@code mapping} and {@code index} (owner object id and offset); {@code priv} (buddy or compound order, the mlock
 * count). Beside them, per page, the id of the memory cgroup it is charged to (memcg_data; 0: not charged).
 * Per pageblock: its migrate type (with the isolate bit) and the global id of the zone it belongs to.
 *
 * <p>The arrays are private: every other class reads and writes a page through the accessors below, which the JIT
 * inlines (docs/BENCHMARKS.md compares the allocator before and after they replaced direct indexing).
 *
 * <p>Threading: written only by the simulation thread; renderers read under the machine's read lock.
 */
public final class MemMap {
    /** The end of a list, both ways (and "no page" for list heads). */
    public static final int NIL = -1;
    /** Both links of a page that is on no list, as memmap_init() and list_del() leave them (LIST_POISON). */
    static final int LIST_POISON = -2;
    static final int PB_MIGRATETYPE_MASK = 0x7;
    static final int PB_ISOLATE = 0x8;
    static final byte NO_ZONE = -1;

    /** Ints per struct page, as a shift: a page's fields are mem[pfn << STRIDE_SHIFT + F_*]. */
    private static final int STRIDE_SHIFT = 3;
    private static final int F_FLAGS = 0;
    private static final int F_REFCOUNT = 1;
    private static final int F_MAPCOUNT = 2;
    private static final int F_NEXT = 3;
    private static final int F_PREV = 4;
    private static final int F_MAPPING = 5;
    private static final int F_INDEX = 6;
    private static final int F_PRIV = 7;
    /** Bytes of heap one simulated page costs in this structure (the 40 B/page budget). */
    public static final int BYTES_PER_PAGE = (Integer.BYTES << STRIDE_SHIFT) + 2 * Character.BYTES;
    /** The largest mem_map one Java array can hold. */
    public static final long MAX_PFNS = (Integer.MAX_VALUE - 16) >>> STRIDE_SHIFT;

    private final int nrPfns;
    /** All struct pages, 8 ints each (array of structs: one cache line holds two pages). */
    private final int[] mem;
    /** Per page: its data as one word ({@link PageContent}). */
    private final char[] content;
    /** Per page: the id of the {@link MemCgroup} it is charged to, 0 when none (folio->memcg_data). */
    private final char[] memcg;
    private final byte[] pageblockFlags;
    private final byte[] pageblockZone;

    MemMap(int nrPfns) {
        if (nrPfns > MAX_PFNS) {
            throw new IllegalArgumentException("a mem_map of " + nrPfns + " pages exceeds " + MAX_PFNS);
        }
        this.nrPfns = nrPfns;
        mem = new int[nrPfns << STRIDE_SHIFT];
        content = new char[nrPfns];
        memcg = new char[nrPfns];
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

    // ---------------------------------------------------------------------------------------------------------
    // flags

    public int flags(int pfn) {
        return mem[pfn << STRIDE_SHIFT];
    }

    public boolean test(int pfn, int flag) {
        return (mem[pfn << STRIDE_SHIFT] & flag) != 0;
    }

    public PageOwner owner(int pfn) {
        return PageOwner.of((mem[pfn << STRIDE_SHIFT] & PageFlags.OWNER_MASK) >>> PageFlags.OWNER_SHIFT);
    }

    void setFlags(int pfn, int flags) {
        mem[pfn << STRIDE_SHIFT] = flags;
    }

    /** Set the bits {@code bits} (SetPageXxx()). */
    void addFlags(int pfn, int bits) {
        mem[pfn << STRIDE_SHIFT] |= bits;
    }

    /** Clear the bits {@code bits} (ClearPageXxx()). */
    void clearFlags(int pfn, int bits) {
        mem[pfn << STRIDE_SHIFT] &= ~bits;
    }

    /** PageBuddy(): head of a free block in the buddy allocator. */
    public boolean isBuddy(int pfn) {
        return (mem[pfn << STRIDE_SHIFT] & PageFlags.PG_BUDDY) != 0;
    }

    // ---------------------------------------------------------------------------------------------------------
    // _refcount and _mapcount

    public int refcount(int pfn) {
        return mem[(pfn << STRIDE_SHIFT) + F_REFCOUNT];
    }

    void setRefcount(int pfn, int refcount) {
        mem[(pfn << STRIDE_SHIFT) + F_REFCOUNT] = refcount;
    }

    /** page_ref_inc(). */
    void incRefcount(int pfn) {
        mem[(pfn << STRIDE_SHIFT) + F_REFCOUNT]++;
    }

    /** page_ref_dec_return(). */
    int decRefcount(int pfn) {
        return --mem[(pfn << STRIDE_SHIFT) + F_REFCOUNT];
    }

    public int mapcount(int pfn) {
        return mem[(pfn << STRIDE_SHIFT) + F_MAPCOUNT];
    }

    void setMapcount(int pfn, int mapcount) {
        mem[(pfn << STRIDE_SHIFT) + F_MAPCOUNT] = mapcount;
    }

    /** atomic_inc_return(&page->_mapcount). */
    int incMapcount(int pfn) {
        return ++mem[(pfn << STRIDE_SHIFT) + F_MAPCOUNT];
    }

    /** atomic_dec_return(&page->_mapcount). */
    int decMapcount(int pfn) {
        return --mem[(pfn << STRIDE_SHIFT) + F_MAPCOUNT];
    }

    // ---------------------------------------------------------------------------------------------------------
    // mapping, index, private

    public int mapping(int pfn) {
        return mem[(pfn << STRIDE_SHIFT) + F_MAPPING];
    }

    void setMapping(int pfn, int mapping) {
        mem[(pfn << STRIDE_SHIFT) + F_MAPPING] = mapping;
    }

    /**
     * Record in the struct pages of an allocated block which kernel object owns it (slab: the cache and slab), as
     * page->slab_cache and the slab index do. Only for slab, vmalloc, stack and percpu pages.
     */
    public void setKernelPageOwner(int pfn, int nrPages, int mapping, int index) {
        for (int i = 0; i < nrPages; i++) {
            PageOwner o = owner(pfn + i);
            if (o != PageOwner.SLAB && o != PageOwner.VMALLOC && o != PageOwner.KERNEL_STACK
                    && o != PageOwner.PERCPU) {
                throw new IllegalStateException("pfn " + (pfn + i) + " is owned by " + o + ", not a kernel allocator");
            }
            setMapping(pfn + i, mapping);
            setIndex(pfn + i, index);
        }
    }

    public int index(int pfn) {
        return mem[(pfn << STRIDE_SHIFT) + F_INDEX];
    }

    void setIndex(int pfn, int index) {
        mem[(pfn << STRIDE_SHIFT) + F_INDEX] = index;
    }

    public int priv(int pfn) {
        return mem[(pfn << STRIDE_SHIFT) + F_PRIV];
    }

    void setPriv(int pfn, int priv) {
        mem[(pfn << STRIDE_SHIFT) + F_PRIV] = priv;
    }

    /** buddy_order(): valid only for {@link #isBuddy} pages (and per-cpu list heads). */
    public int buddyOrder(int pfn) {
        return mem[(pfn << STRIDE_SHIFT) + F_PRIV];
    }

    /**
     * post_alloc_hook()'s struct pages of a newly allocated block of {@code nrPages}: each owned by
     * {@code ownerBits}, with no reference, mapping, mapping owner or index yet.
     */
    void initAllocated(int pfn, int nrPages, int ownerBits) {
        for (int i = 0; i < nrPages; i++) {
            int b = (pfn + i) << STRIDE_SHIFT;
            mem[b + F_FLAGS] = ownerBits;
            mem[b + F_REFCOUNT] = 0;
            mem[b + F_MAPCOUNT] = 0;
            mem[b + F_MAPPING] = 0;
            mem[b + F_INDEX] = 0;
        }
    }

    /** free_pages_prepare(): the struct pages of a freed block lose their flags, references and mapping owner. */
    void resetFreed(int pfn, int nrPages) {
        for (int i = 0; i < nrPages; i++) {
            int b = (pfn + i) << STRIDE_SHIFT;
            mem[b + F_FLAGS] = 0;
            mem[b + F_REFCOUNT] = 0;
            mem[b + F_MAPCOUNT] = 0;
            mem[b + F_MAPPING] = 0;
        }
    }

    /**
     * Copy the struct page of {@code src} to {@code dst} but for its list links (migration: the new page takes the
     * old one's state).
     */
    /** The id of the memory cgroup the page is charged to; 0 when it is not charged (folio_memcg() NULL). */
    public int memcgId(int pfn) {
        return memcg[pfn];
    }

    void setMemcgId(int pfn, int id) {
        memcg[pfn] = (char) id;
    }

    void copyPageState(int src, int dst) {
        int s = src << STRIDE_SHIFT;
        int d = dst << STRIDE_SHIFT;
        mem[d + F_FLAGS] = mem[s + F_FLAGS];
        mem[d + F_REFCOUNT] = mem[s + F_REFCOUNT];
        mem[d + F_MAPCOUNT] = mem[s + F_MAPCOUNT];
        mem[d + F_MAPPING] = mem[s + F_MAPPING];
        mem[d + F_INDEX] = mem[s + F_INDEX];
        mem[d + F_PRIV] = mem[s + F_PRIV];
        memcg[dst] = memcg[src];
    }

    // ---------------------------------------------------------------------------------------------------------
    // list links: read and written by PageLists alone

    int next(int pfn) {
        return mem[(pfn << STRIDE_SHIFT) + F_NEXT];
    }

    int prev(int pfn) {
        return mem[(pfn << STRIDE_SHIFT) + F_PREV];
    }

    void setNext(int pfn, int next) {
        mem[(pfn << STRIDE_SHIFT) + F_NEXT] = next;
    }

    void setPrev(int pfn, int prev) {
        mem[(pfn << STRIDE_SHIFT) + F_PREV] = prev;
    }

    // ---------------------------------------------------------------------------------------------------------
    // the page's data word

    /** The page's data as a word ({@link PageContent}); what a load from the page reads. */
    public int content(int pfn) {
        return content[pfn];
    }

    void setContent(int pfn, char word) {
        content[pfn] = word;
    }

    // ---------------------------------------------------------------------------------------------------------
    // pageblocks

    /** get_pfnblock_migratetype(): the stored type, or ISOLATE while the block is isolated. */
    public int pageblockMigratetype(int pfn) {
        int f = pageblockFlags[pfn >>> PageAlloc.PAGEBLOCK_ORDER];
        return (f & PB_ISOLATE) != 0 ? MigrateType.ISOLATE.ordinal() : f & PB_MIGRATETYPE_MASK;
    }

    /** get_pageblock_migratetype() without the isolate bit: the type the block returns to when isolation ends. */
    int storedPageblockMigratetype(int pfn) {
        return pageblockFlags[pfn >>> PageAlloc.PAGEBLOCK_ORDER] & PB_MIGRATETYPE_MASK;
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

    /** The pageblock holding pfn belongs to zone {@code zoneId}, unless a zone laid out before claimed it. */
    void claimPageblockZone(int pfn, int zoneId) {
        int pb = pfn >>> PageAlloc.PAGEBLOCK_ORDER;
        if (pageblockZone[pb] == NO_ZONE) {
            pageblockZone[pb] = (byte) zoneId;
        }
    }

    /** memmap_init(): every pageblock starts with migrate type {@code mt}. */
    void initPageblockMigratetypes(int mt) {
        Arrays.fill(pageblockFlags, (byte) mt);
    }

    /**
     * Set the page flags and refcount of [from, to), their list links poisoned (__init_single_page(), which also
     * runs INIT_LIST_HEAD(&page->lru)).
     */
    void fill(int from, int to, int flags, int refcount) {
        for (int pfn = from; pfn < to; pfn++) {
            int b = pfn << STRIDE_SHIFT;
            mem[b + F_FLAGS] = flags;
            mem[b + F_REFCOUNT] = refcount;
            mem[b + F_NEXT] = LIST_POISON;
            mem[b + F_PREV] = LIST_POISON;
        }
    }
}
