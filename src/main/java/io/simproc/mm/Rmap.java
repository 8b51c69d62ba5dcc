package io.simproc.mm;

/**
 * Reverse-mapping bookkeeping of mm/rmap.c: a page's mapcount (how many page-table entries map it) and the
 * counters that follow from it — NR_ANON_MAPPED counts anonymous pages mapped at least once, NR_FILE_MAPPED file
 * and shmem pages mapped at least once (Mapped in meminfo). New anonymous pages learn their anon_vma and index,
 * which is what a walk from page to mappings needs.
 */
public final class Rmap {
    private final MemoryManager mm;
    private final int[] mem;

    Rmap(MemoryManager mm) {
        this.mm = mm;
        this.mem = mm.memMap().mem;
    }

    /** folio_add_new_anon_rmap(): a freshly allocated page becomes the first mapping of anon_vma at addr. */
    void addNewAnon(int pfn, Vma vma, long addr) {
        int b = pfn << MemMap.STRIDE_SHIFT;
        mem[b + MemMap.F_FLAGS] |= PageFlags.PG_ANON | PageFlags.PG_SWAPBACKED;
        mem[b + MemMap.F_MAPPING] = vma.anonVma.id;
        mem[b + MemMap.F_INDEX] = (int) vma.linearPageIndex(addr);
        mem[b + MemMap.F_MAPCOUNT] = 1;
        node(pfn).vmStat[NodeStatItem.NR_ANON_MAPPED.ordinal()]++;
    }

    /** folio_dup_anon_rmap / folio_add_file_rmap: one more page-table entry maps this page. */
    void addMapping(int pfn) {
        int b = pfn << MemMap.STRIDE_SHIFT;
        int count = ++mem[b + MemMap.F_MAPCOUNT];
        if (count == 1) {
            if ((mem[b + MemMap.F_FLAGS] & PageFlags.PG_ANON) != 0) {
                node(pfn).vmStat[NodeStatItem.NR_ANON_MAPPED.ordinal()]++;
            } else {
                node(pfn).vmStat[NodeStatItem.NR_FILE_MAPPED.ordinal()]++;
            }
        }
    }

    /** folio_remove_rmap_pte(): one page-table entry less. */
    void removeMapping(int pfn) {
        int b = pfn << MemMap.STRIDE_SHIFT;
        int count = --mem[b + MemMap.F_MAPCOUNT];
        if (count < 0) {
            throw new IllegalStateException("pfn " + pfn + " mapcount went negative");
        }
        if (count == 0) {
            if ((mem[b + MemMap.F_FLAGS] & PageFlags.PG_ANON) != 0) {
                node(pfn).vmStat[NodeStatItem.NR_ANON_MAPPED.ordinal()]--;
            } else {
                node(pfn).vmStat[NodeStatItem.NR_FILE_MAPPED.ordinal()]--;
            }
        }
    }

    private PgData node(int pfn) {
        return mm.zoneOf(pfn).node();
    }
}
