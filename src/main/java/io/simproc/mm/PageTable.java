package io.simproc.mm;

/**
 * A process's x86_64 4-level page table (PGD → PUD → PMD → PTE, 512 entries per level). Every table is a real page
 * obtained from the buddy allocator and owned by {@link PageOwner#PAGETABLE}: PUD, PMD and PTE tables count in
 * the mm's pgtables_bytes (VmPTE), and all of them, the PGD included, in NR_PAGETABLE (PageTables).
 *
 * <p>A PTE is a long: 0 is none; a present entry is {@code pfn << 12 | flags} with the x86 bits below; a swap entry
 * (later) has the present bit clear and a non-zero value. Tables are freed when the range they cover no longer has
 * any mapping (free_pgtables) and all of them at exit.
 */
public final class PageTable {
    public static final long _PAGE_PRESENT = 0x1;
    public static final long _PAGE_RW = 0x2;
    public static final long _PAGE_USER = 0x4;
    public static final long _PAGE_ACCESSED = 0x20;
    public static final long _PAGE_DIRTY = 0x40;
    /**
     * _PAGE_PSE: in this model, set on each of the 512 PTEs that together stand for one huge PMD mapping a
     * transparent huge page ({@link HugeMemory}).
     */
    public static final long _PAGE_PSE = 0x80;
    /** _PAGE_SPECIAL: a mapping without a struct page to account (the shared zero page). */
    public static final long _PAGE_SPECIAL = 0x200;
    /** Marks a non-present PTE that holds a swap entry (in the bits above PTE_SHIFT). */
    public static final long _PAGE_SWP = 0x400;
    static final int PTRS_PER_TABLE = 512;
    static final int PTE_SHIFT = 12;
    static final int PMD_SHIFT = 21;
    static final int PUD_SHIFT = 30;
    static final int PGD_SHIFT = 39;

    /** Allocates and frees table pages; returns the pfn or -1. */
    interface TableAllocator {
        int alloc();

        void free(int pfn);
    }

    /** An upper-level table (PGD, PUD or PMD): children and how many are set. */
    static final class Dir {
        final int pfn;
        final Object[] child = new Object[PTRS_PER_TABLE];
        int used;

        Dir(int pfn) {
            this.pfn = pfn;
        }
    }

    /** A leaf table: 512 PTEs and how many are non-zero. */
    static final class Pte {
        final int pfn;
        final long[] entry = new long[PTRS_PER_TABLE];
        int used;

        Pte(int pfn) {
            this.pfn = pfn;
        }
    }

    /** Visits the non-zero PTEs of a range; may change or clear the entry through the table it is given. */
    @FunctionalInterface
    interface Visitor {
        void visit(long addr, long pte, Pte table, int index);
    }

    private final Dir pgd;
    /**
     * The PMD entries that map hugetlb folios (huge_pte_alloc() on x86-64 with 2 MB pages: a PMD entry, no PTE
     * table below it), by 2 MiB-aligned address: a pte-like value, the folio's head pfn and the x86 bits. Each
     * counts as a used entry of its PMD table, so the table stays while it maps one.
     */
    private final java.util.TreeMap<Long, Long> hugePmds = new java.util.TreeMap<>();
    private long nrPud;
    private long nrPmd;
    private long nrPte;

    PageTable(int pgdPfn) {
        this.pgd = new Dir(pgdPfn);
    }

    int pgdPfn() {
        return pgd.pfn;
    }

    /** pgtables_bytes: the PUD, PMD and PTE tables (not the PGD), in bytes. */
    public long pgtablesBytes() {
        return (nrPud + nrPmd + nrPte) << io.simproc.uapi.Page.PAGE_SHIFT;
    }

    /** Every table page including the PGD. */
    public long nrTablePages() {
        return 1 + nrPud + nrPmd + nrPte;
    }

    private static int idx(long addr, int shift) {
        return (int) ((addr >>> shift) & (PTRS_PER_TABLE - 1));
    }

    /** The PTE for addr, or 0 when none (no table, or an empty entry). */
    public long get(long addr) {
        Pte t = leaf(addr, null);
        return t == null ? 0 : t.entry[idx(addr, PTE_SHIFT)];
    }

    /** The leaf table covering addr; allocates missing levels through {@code alloc} (null: don't). */
    Pte leaf(long addr, TableAllocator alloc) {
        Dir pud = (Dir) descend(pgd, idx(addr, PGD_SHIFT), alloc, 3);
        if (pud == null) {
            return null;
        }
        Dir pmd = (Dir) descend(pud, idx(addr, PUD_SHIFT), alloc, 2);
        if (pmd == null) {
            return null;
        }
        return (Pte) descend(pmd, idx(addr, PMD_SHIFT), alloc, 1);
    }

    /**
     * The child table at entry {@code i} of {@code dir}; when there is none and {@code alloc} is given, a new one
     * (level: 3 = a PUD, 2 a PMD, 1 a PTE table). As pud_alloc(), pmd_alloc() and pte_alloc() in
     * include/linux/mm.h, the walk stays inline and the allocation of a missing table ({@link #populate}, their
     * __pud_alloc(), __pmd_alloc(), __pte_alloc()) is a call of its own: most walks find every level present, and
     * a short walk is one the JIT inlines into the fault and rmap paths.
     */
    private Object descend(Dir dir, int i, TableAllocator alloc, int level) {
        Object c = dir.child[i];
        if (c != null || alloc == null) {
            return c;
        }
        return populate(dir, i, alloc, level);
    }

    /** A new table for the empty entry {@code i} of {@code dir}, or null when no page is left for it. */
    private Object populate(Dir dir, int i, TableAllocator alloc, int level) {
        Object c;
        int pfn = alloc.alloc();
        if (pfn < 0) {
            return null;
        }
        if (level == 1) {
            c = new Pte(pfn);
            nrPte++;
        } else {
            c = new Dir(pfn);
            if (level == 3) {
                nrPud++;
            } else {
                nrPmd++;
            }
        }
        dir.child[i] = c;
        dir.used++;
        return c;
    }

    /**
     * huge_pte_alloc() for a 2 MB hugetlb page at {@code haddr}: the PUD and PMD tables down to its PMD entry,
     * allocated when missing; false when a table could not be had.
     */
    boolean hugePmdAlloc(long haddr, TableAllocator alloc) {
        Dir pud = (Dir) descend(pgd, idx(haddr, PGD_SHIFT), alloc, 3);
        return pud != null && descend(pud, idx(haddr, PUD_SHIFT), alloc, 2) != null;
    }

    /** The hugetlb PMD entry at {@code haddr} (huge_ptep_get()), 0 when none. */
    public long hugePmd(long haddr) {
        Long e = hugePmds.get(haddr);
        return e == null ? 0 : e;
    }

    /** set_huge_pte_at() / huge_ptep_get_and_clear(): {@code pte} 0 clears; the PMD table must exist. */
    void setHugePmd(long haddr, long pte) {
        Dir pmd = (Dir) ((Dir) pgd.child[idx(haddr, PGD_SHIFT)]).child[idx(haddr, PUD_SHIFT)];
        Long old = pte == 0 ? hugePmds.remove(haddr) : hugePmds.put(haddr, pte);
        if (old == null && pte != 0) {
            pmd.used++;
        } else if (old != null && pte == 0) {
            pmd.used--;
        }
    }

    /** Read-only: every hugetlb PMD entry in [start, end), in address order (walk_hugetlb_range()). */
    public void scanHugePmds(long start, long end, PteConsumer consumer) {
        for (var e : hugePmds.subMap(start, true, end, false).entrySet()) {
            consumer.accept(e.getKey(), e.getValue());
        }
    }

    /** Set the PTE for addr in an existing leaf table. */
    static void set(Pte t, long addr, long pte) {
        int i = idx(addr, PTE_SHIFT);
        long old = t.entry[i];
        if (old == 0 && pte != 0) {
            t.used++;
        } else if (old != 0 && pte == 0) {
            t.used--;
        }
        t.entry[i] = pte;
    }

    static int indexOf(long addr) {
        return idx(addr, PTE_SHIFT);
    }

    /**
     * Free the empty leaf table covering {@code addr} (zap_deposited_table when a huge PMD is zapped): the PMD entry
     * becomes none again.
     */
    void freeLeaf(long addr, TableAllocator alloc) {
        Dir pud = (Dir) pgd.child[idx(addr, PGD_SHIFT)];
        Dir pmd = pud == null ? null : (Dir) pud.child[idx(addr, PUD_SHIFT)];
        Pte t = pmd == null ? null : (Pte) pmd.child[idx(addr, PMD_SHIFT)];
        if (t == null || t.used != 0) {
            return;
        }
        pmd.child[idx(addr, PMD_SHIFT)] = null;
        pmd.used--;
        nrPte--;
        alloc.free(t.pfn);
    }

    /** Receives the address and value of each non-zero PTE of a read-only scan. */
    @FunctionalInterface
    public interface PteConsumer {
        void accept(long addr, long pte);
    }

    /** Read-only: every non-zero PTE in [start, end), in address order (renderers use this). */
    public void scan(long start, long end, PteConsumer consumer) {
        walk(start, end, (addr, pte, table, index) -> consumer.accept(addr, pte));
    }

    /** The pfn a present PTE maps. */
    public static int pfnOf(long pte) {
        return (int) (pte >>> PTE_SHIFT);
    }

    /** A non-present PTE holding a swap entry. */
    public static boolean isSwap(long pte) {
        return (pte & (_PAGE_PRESENT | _PAGE_SWP)) == _PAGE_SWP;
    }

    /** The swap entry of a swap PTE. */
    public static int swapEntryOf(long pte) {
        return (int) (pte >>> PTE_SHIFT);
    }

    static long swapPte(int entry) {
        return ((long) entry << PTE_SHIFT) | _PAGE_SWP;
    }

    public static boolean isPresent(long pte) {
        return (pte & _PAGE_PRESENT) != 0;
    }

    /** Visit every non-zero PTE in [start, end), in address order. */
    void walk(long start, long end, Visitor v) {
        long addr = start;
        while (addr < end) {
            Pte t = usedTable(addr);
            if (t == null) {
                addr = nextTableStart(addr);
                continue;
            }
            long tableEnd = Math.min(end, next(addr, PMD_SHIFT));
            for (; addr < tableEnd; addr += io.simproc.uapi.Page.PAGE_SIZE) {
                int i = idx(addr, PTE_SHIFT);
                long pte = t.entry[i];
                if (pte != 0) {
                    v.visit(addr, pte, t, i);
                }
            }
        }
    }

    /**
     * The first address in [start, end) whose PTE is present, skipping ranges without tables; -1 when none (ksmd's
     * walk of a VMA, walk_page_range_vma()).
     */
    long nextPresent(long start, long end) {
        long addr = start;
        while (addr < end) {
            Pte t = usedTable(addr);
            if (t == null) {
                addr = nextTableStart(addr);
                continue;
            }
            long tableEnd = Math.min(end, next(addr, PMD_SHIFT));
            for (; addr < tableEnd; addr += io.simproc.uapi.Page.PAGE_SIZE) {
                if ((t.entry[idx(addr, PTE_SHIFT)] & _PAGE_PRESENT) != 0) {
                    return addr;
                }
            }
        }
        return -1;
    }

    /** The leaf table covering addr when it has entries in use, else null. */
    private Pte usedTable(long addr) {
        Dir pud = (Dir) pgd.child[idx(addr, PGD_SHIFT)];
        Dir pmd = pud == null ? null : (Dir) pud.child[idx(addr, PUD_SHIFT)];
        Pte t = pmd == null ? null : (Pte) pmd.child[idx(addr, PMD_SHIFT)];
        return t == null || t.used == 0 ? null : t;
    }

    /** Past addr, whose leaf table is missing or empty: the start of the next PGD, PUD or PMD range to look at. */
    private long nextTableStart(long addr) {
        Dir pud = (Dir) pgd.child[idx(addr, PGD_SHIFT)];
        if (pud == null) {
            return next(addr, PGD_SHIFT);
        }
        return pud.child[idx(addr, PUD_SHIFT)] == null ? next(addr, PUD_SHIFT) : next(addr, PMD_SHIFT);
    }

    private static long next(long addr, int shift) {
        return ((addr >>> shift) + 1) << shift;
    }

    /**
     * free_pgtables(): free the empty tables whose whole range lies in [floor, ceiling) — the gap an unmapping left
     * between the neighbouring mappings.
     */
    void freeEmptyTables(long floor, long ceiling, TableAllocator alloc) {
        freeDir(pgd, 0, PGD_SHIFT, floor, ceiling, alloc);
    }

    private boolean freeDir(Dir dir, long base, int shift, long floor, long ceiling, TableAllocator alloc) {
        long span = 1L << shift;
        for (int i = 0; i < PTRS_PER_TABLE; i++) {
            Object c = dir.child[i];
            if (c == null) {
                continue;
            }
            long s = base + i * span;
            long e = s + span;
            if (e <= floor || s >= ceiling) {
                continue;
            }
            boolean inside = s >= floor && e <= ceiling;
            boolean empty;
            if (c instanceof Pte t) {
                empty = t.used == 0;
            } else {
                empty = freeDir((Dir) c, s, shift - 9, floor, ceiling, alloc);
            }
            if (empty && inside) {
                free(c, shift, alloc);
                dir.child[i] = null;
                dir.used--;
            }
        }
        return dir.used == 0;
    }

    private void free(Object table, int shift, TableAllocator alloc) {
        if (table instanceof Pte t) {
            nrPte--;
            alloc.free(t.pfn);
            return;
        }
        Dir d = (Dir) table;
        if (shift == PGD_SHIFT) {
            nrPud--;
        } else {
            nrPmd--;
        }
        alloc.free(d.pfn);
    }

    /** exit_mmap(): free every table, the PGD last. All PTEs must already be cleared. */
    void freeAll(TableAllocator alloc) {
        freeEmptyTables(0, Long.MAX_VALUE, alloc);
        alloc.free(pgd.pfn);
    }
}
