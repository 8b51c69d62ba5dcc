package io.simproc.mm;

/**
 * struct per_cpu_pages: one CPU's cache of free pages for one zone (mm/page_alloc.c). Its lists[NR_PCP_LISTS]
 * ({@link PageLists}, through the pages' pcp_list links) hold one list per (migrate type, order) for orders
 * 0..PAGE_ALLOC_COSTLY_ORDER plus two THP-order lists; {@code count} pages are cached and are
 * neither in NR_FREE_PAGES nor in buddyinfo. {@code high} floats between {@code highMin} and {@code highMax}
 * (auto-tuned as the kernel does); {@code batch} is the refill/drain unit.
 */
public final class PerCpuPages extends PageLists {
    /** NR_LOWORDER_PCP_LISTS. */
    static final int NR_LOWORDER_PCP_LISTS = MigrateType.MIGRATE_PCPTYPES * (PageAlloc.PAGE_ALLOC_COSTLY_ORDER + 1);
    /** NR_PCP_LISTS with CONFIG_TRANSPARENT_HUGEPAGE: two THP lists (movable, other). */
    static final int NR_PCP_LISTS = NR_LOWORDER_PCP_LISTS + 2;
    /** CONFIG_PCP_BATCH_SCALE_MAX. */
    static final int PCP_BATCH_SCALE_MAX = 5;
    static final int PCPF_PREV_FREE_HIGH_ORDER = 1;
    static final int PCPF_FREE_HIGH_BATCH = 2;

    final int cpu;
    int count;
    int high;
    int highMin;
    int highMax;
    int batch = 1;
    int freeCount;
    int allocFactor;
    int pcpFlags;

    PerCpuPages(MemMap map, int cpu) {
        super(map, NR_PCP_LISTS);
        this.cpu = cpu;
    }

    /** list_add() of a free page to list {@code pindex}: PG_PCP, its order in page->private, at the head. */
    void add(int pindex, int pfn, int order) {
        map.addFlags(pfn, PageFlags.PG_PCP);
        map.setPriv(pfn, order);
        listAdd(pindex, pfn);
    }

    /** list_add_tail() of a free page to list {@code pindex} (rmqueue_bulk()'s refill). */
    void addTail(int pindex, int pfn, int order) {
        map.addFlags(pfn, PageFlags.PG_PCP);
        map.setPriv(pfn, order);
        listAddTail(pindex, pfn);
    }

    /** list_del() of a page from list {@code pindex}; it loses PG_PCP. */
    void del(int pindex, int pfn) {
        listDel(pindex, pfn);
        map.clearFlags(pfn, PageFlags.PG_PCP);
    }

    /** order_to_pindex(). */
    static int orderToPindex(int mt, int order) {
        if (order > PageAlloc.PAGE_ALLOC_COSTLY_ORDER) {
            return NR_LOWORDER_PCP_LISTS + (mt == MigrateType.MOVABLE.ordinal() ? 1 : 0);
        }
        return MigrateType.MIGRATE_PCPTYPES * order + mt;
    }

    /** pindex_to_order(). */
    static int pindexToOrder(int pindex) {
        return pindex >= NR_LOWORDER_PCP_LISTS ? PageAlloc.PAGEBLOCK_ORDER : pindex / MigrateType.MIGRATE_PCPTYPES;
    }

    public int count() {
        return count;
    }

    public int high() {
        return high;
    }

    public int highMin() {
        return highMin;
    }

    public int highMax() {
        return highMax;
    }

    public int batch() {
        return batch;
    }
}
