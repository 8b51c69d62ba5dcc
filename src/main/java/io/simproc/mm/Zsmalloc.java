package io.simproc.mm;

import io.simproc.uapi.Page;

import java.util.Arrays;
import java.util.List;

/**
 * A zsmalloc pool (mm/zsmalloc.c): objects of up to a page kept in size classes 16 bytes apart from
 * ZS_MIN_ALLOC_SIZE (32), each class packing its objects into zspages of 1 to ZS_MAX_PAGES_PER_ZSPAGE
 * (CONFIG_ZSMALLOC_CHAIN_SIZE, 8) order-0 pages, the chain that wastes least (calculate_zspage_chain_size()). An
 * object carries its handle (ZS_HANDLE_SIZE) except in a class of one object per one-page zspage — the first such
 * class is huge_class_size, where zram stops compressing.
 *
 * <p>Zspage pages come from the buddy allocator one by one with the caller's GFP (alloc_zspage()), are owned by
 * {@link PageOwner#ZSMALLOC}, on no LRU, and counted in their zone's NR_ZSPAGES (inc_zone_page_state()). The model
 * keeps each class at its tightest packing: a zspage is added when the objects no longer fit and the last one is
 * freed when the rest hold them all, as if zs_compact() ran at every free. So the fragmentation compaction would
 * undo never builds up and pages_compacted stays 0 (docs/ZRAM.md).
 */
final class Zsmalloc {
    static final int ZS_MIN_ALLOC_SIZE = 32;
    static final int ZS_SIZE_CLASS_DELTA = Page.PAGE_SIZE >> 8;
    static final int ZS_MAX_PAGES_PER_ZSPAGE = 8;
    static final int ZS_HANDLE_SIZE = 8;
    static final int ZS_SIZE_CLASSES = (Page.PAGE_SIZE - ZS_MIN_ALLOC_SIZE) / ZS_SIZE_CLASS_DELTA + 1;
    /** zs_huge_class_size(): the smallest compressed size zram stores as a whole page. */
    static final int HUGE_CLASS_SIZE;
    private static final int[] PAGES_PER_ZSPAGE = new int[ZS_SIZE_CLASSES];
    private static final int[] OBJS_PER_ZSPAGE = new int[ZS_SIZE_CLASSES];

    static {
        int huge = 0;
        for (int i = 0; i < ZS_SIZE_CLASSES; i++) {
            int size = Math.min(Page.PAGE_SIZE, ZS_MIN_ALLOC_SIZE + i * ZS_SIZE_CLASS_DELTA);
            PAGES_PER_ZSPAGE[i] = chainSize(size);
            OBJS_PER_ZSPAGE[i] = PAGES_PER_ZSPAGE[i] * Page.PAGE_SIZE / size;
            if (PAGES_PER_ZSPAGE[i] == 1 && OBJS_PER_ZSPAGE[i] == 1 && huge == 0) {
                huge = size - (ZS_HANDLE_SIZE - 1);
            }
        }
        HUGE_CLASS_SIZE = huge;
    }

    private final MemoryManager mm;
    private final long[] objsInuse = new long[ZS_SIZE_CLASSES];
    private final int[] zspages = new int[ZS_SIZE_CLASSES];
    /** Per class, the pages of its zspages, zspage by zspage. */
    private final int[][] pages = new int[ZS_SIZE_CLASSES][];
    private long totalPages;

    Zsmalloc(MemoryManager mm) {
        this.mm = mm;
    }

    /** calculate_zspage_chain_size(): the chain of pages (1..8) whose tail wastes least. */
    static int chainSize(int classSize) {
        if (Integer.bitCount(classSize) == 1) {
            return 1;
        }
        int chain = 1;
        int minWaste = Integer.MAX_VALUE;
        for (int i = 1; i <= ZS_MAX_PAGES_PER_ZSPAGE; i++) {
            int waste = (i * Page.PAGE_SIZE) % classSize;
            if (waste < minWaste) {
                minWaste = waste;
                chain = i;
            }
        }
        return chain;
    }

    /** get_size_class_index(). */
    static int classIndex(int size) {
        int idx = size <= ZS_MIN_ALLOC_SIZE ? 0 : (size - ZS_MIN_ALLOC_SIZE + ZS_SIZE_CLASS_DELTA - 1)
                / ZS_SIZE_CLASS_DELTA;
        return Math.min(ZS_SIZE_CLASSES - 1, idx);
    }

    /**
     * zs_malloc(): an object of {@code size} bytes (≤ PAGE_SIZE) and its handle; a new zspage when its class is
     * full, its pages from the buddy allocator of node {@code nid} as {@link PageAlloc#allocPagesPfmemalloc}
     * gives them. Returns the class the object went to, or -1 (-ENOMEM) when a page could not be had.
     */
    int malloc(int size, int gfp, int nid, int cpu) {
        int k = classIndex(size + ZS_HANDLE_SIZE);
        if (objsInuse[k] == (long) zspages[k] * OBJS_PER_ZSPAGE[k]) {
            int n = PAGES_PER_ZSPAGE[k];
            int[] got = pages[k] == null ? new int[Math.max(16, n)] : pages[k];
            int base = zspages[k] * n;
            if (base + n > got.length) {
                got = Arrays.copyOf(got, Math.max(base + n, got.length * 2));
            }
            for (int i = 0; i < n; i++) {
                int pfn = mm.pageAlloc().allocPagesPfmemalloc(gfp, 0, nid, cpu, PageOwner.ZSMALLOC);
                if (pfn < 0) {
                    for (int j = 0; j < i; j++) {
                        freeZspagePage(got[base + j], cpu);
                    }
                    return -1;
                }
                mm.zoneOf(pfn).vmStat[ZoneStatItem.NR_ZSPAGES.ordinal()]++;
                got[base + i] = pfn;
            }
            pages[k] = got;
            zspages[k]++;
            totalPages += n;
        }
        objsInuse[k]++;
        return k;
    }

    /** zs_free(): an object of class {@code k}; its class's last zspage goes back when the others hold the rest. */
    void free(int k, int cpu) {
        if (objsInuse[k] <= 0) {
            throw new IllegalStateException("zsmalloc: class " + k + " has no object to free");
        }
        objsInuse[k]--;
        int n = PAGES_PER_ZSPAGE[k];
        if (objsInuse[k] <= (long) (zspages[k] - 1) * OBJS_PER_ZSPAGE[k]) {
            zspages[k]--;
            int base = zspages[k] * n;
            for (int i = 0; i < n; i++) {
                freeZspagePage(pages[k][base + i], cpu);
                pages[k][base + i] = 0;
            }
            totalPages -= n;
        }
    }

    private void freeZspagePage(int pfn, int cpu) {
        mm.zoneOf(pfn).vmStat[ZoneStatItem.NR_ZSPAGES.ordinal()]--;
        mm.pageAlloc().freePages(pfn, 0, cpu);
    }

    /** zs_get_total_pages(). */
    long totalPages() {
        return totalPages;
    }

    /** Objects in use in all classes. */
    long objects() {
        long n = 0;
        for (long o : objsInuse) {
            n += o;
        }
        return n;
    }

    /**
     * The pool's invariants: each class has the zspages its objects need and no more, and its pages are
     * ZSMALLOC pages; {@code pool} names it in messages.
     */
    void check(String pool, List<String> errors) {
        long sum = 0;
        MemMap map = mm.memMap();
        for (int k = 0; k < ZS_SIZE_CLASSES; k++) {
            long need = (objsInuse[k] + OBJS_PER_ZSPAGE[k] - 1) / OBJS_PER_ZSPAGE[k];
            if (zspages[k] != need) {
                errors.add(pool + ": class " + k + " holds " + objsInuse[k] + " objects in " + zspages[k]
                        + " zspages, not " + need);
            }
            for (int i = 0; i < zspages[k] * PAGES_PER_ZSPAGE[k]; i++) {
                if (map.owner(pages[k][i]) != PageOwner.ZSMALLOC) {
                    errors.add(pool + ": pfn " + pages[k][i] + " of class " + k + " is owned by "
                            + map.owner(pages[k][i]));
                }
            }
            sum += (long) zspages[k] * PAGES_PER_ZSPAGE[k];
        }
        if (sum != totalPages) {
            errors.add(pool + ": " + totalPages + " pages counted, zspages hold " + sum);
        }
    }
}
