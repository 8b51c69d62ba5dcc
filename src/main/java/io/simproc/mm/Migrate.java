package io.simproc.mm;

/**
 * Page migration (mm/migrate.c) of one order-0 user page: which pages may move ({@code isolate_migratepages_block}'s
 * test: on an LRU list, anonymous (not KSM: {@link Ksm}) or page cache, no reference beyond its mappings and the cache — mlocked ones only
 * while compact_unevictable_allowed), and the move itself — the new page takes the old one's struct page state,
 * LRU list, mlock count and data ({@link PageContent}), every page-table entry that mapped the old page is rewritten through the reverse map
 * (the anon_vma's VMAs, or the file's i_mmap), the page cache slot points to the new page, and the old page is
 * freed. Counters that depend only on the page's kind and zone are unchanged, since the target is in the same zone;
 * the charge moves with the page (mem_cgroup_migrate()).
 */
final class Migrate {
    private final MemoryManager mm;
    private final MemMap map;

    Migrate(MemoryManager mm) {
        this.mm = mm;
        this.map = mm.memMap();
    }

    /** Whether the page at pfn is a movable user page compaction may isolate. */
    boolean isMovable(int pfn) {
        int f = map.flags(pfn);
        if ((f & (PageFlags.PG_LRU | PageFlags.PG_RESERVED | PageFlags.PG_KSM)) != PageFlags.PG_LRU) {
            return false;
        }
        PageOwner owner = PageOwner.of((f & PageFlags.OWNER_MASK) >>> PageFlags.OWNER_SHIFT);
        if (owner != PageOwner.ANON && owner != PageOwner.FILE && owner != PageOwner.SHMEM) {
            return false;
        }
        if ((f & PageFlags.PG_UNEVICTABLE) != 0 && mm.tunables().compactUnevictableAllowed == 0) {
            return false;
        }
        int expected = map.mapcount(pfn) + (owner == PageOwner.ANON ? 0 : 1);
        return map.refcount(pfn) == expected && mm.mappings().get(map.mapping(pfn)) != null;
    }

    /**
     * migrate_folio() of {@code src} to the isolated free page {@code dst} in the same zone; {@code cpu} frees the
     * source. Returns false (nothing changed) when the reverse map does not account for every mapping.
     */
    boolean migratePage(int src, int dst, int cpu) {
        int flags = map.flags(src);
        int mapcount = map.mapcount(src);
        Object mapping = mm.mappings().get(map.mapping(src));
        int index = map.index(src);
        java.util.Collection<Vma> vmas = mapping instanceof AnonVma av ? av.vmas : ((AddressSpace) mapping).iMmap;
        if (countMappings(vmas, index, src) != mapcount) {
            return false;
        }
        PageOwner owner = PageOwner.of((flags & PageFlags.OWNER_MASK) >>> PageFlags.OWNER_SHIFT);
        mm.pageAlloc().prepIsolatedPage(dst, owner);
        Lruvec lruvec = mm.memcontrol().folioLruvec(src);
        lruvec.del(src);
        map.copyPageState(src, dst);
        map.setMemcgId(src, 0);
        mm.content().set(dst, mm.content().word(src));
        lruvec.add(dst);
        remap(vmas, index, src, dst);
        if (mapping instanceof AddressSpace a) {
            a.pages.put(index & 0xffffffffL, dst);
        }
        map.setFlags(src, flags & PageFlags.OWNER_MASK);
        map.setRefcount(src, 1);
        map.setMapcount(src, 0);
        map.setMapping(src, 0);
        map.setPriv(src, 0);
        mm.pageAlloc().freePages(src, 0, cpu);
        mm.vmstat().countEvent(VmEvent.PGMIGRATE_SUCCESS, 1);
        return true;
    }

    /**
     * vma_address(): where {@code v} maps the page whose index field holds {@code index} — the low 32 bits of the
     * page offset (an anonymous page's offset is its virtual page number, wider than the field) — or -1.
     */
    private static long addressOf(Vma v, int index) {
        long k = (index - v.pgoff) & 0xffffffffL;
        return k < (v.end - v.start) >>> PageTable.PTE_SHIFT ? v.start + (k << PageTable.PTE_SHIFT) : -1;
    }

    private static int countMappings(java.util.Collection<Vma> vmas, int index, int pfn) {
        int n = 0;
        for (Vma v : vmas) {
            long addr = addressOf(v, index);
            if (addr < 0) {
                continue;
            }
            PageTable.Pte t = v.mm.pgtable.leaf(addr, null);
            if (t != null && PageTable.isPresent(t.entry[PageTable.indexOf(addr)])
                    && (t.entry[PageTable.indexOf(addr)] & PageTable._PAGE_SPECIAL) == 0
                    && PageTable.pfnOf(t.entry[PageTable.indexOf(addr)]) == pfn) {
                n++;
            }
        }
        return n;
    }

    /** remove_migration_ptes(): every entry that mapped {@code src} now maps {@code dst}, with the same bits. */
    private static void remap(java.util.Collection<Vma> vmas, int index, int src, int dst) {
        for (Vma v : vmas) {
            long addr = addressOf(v, index);
            if (addr < 0) {
                continue;
            }
            PageTable.Pte t = v.mm.pgtable.leaf(addr, null);
            if (t == null) {
                continue;
            }
            int i = PageTable.indexOf(addr);
            long pte = t.entry[i];
            if (PageTable.isPresent(pte) && (pte & PageTable._PAGE_SPECIAL) == 0 && PageTable.pfnOf(pte) == src) {
                t.entry[i] = (pte & Memory.PTE_FLAGS_MASK) | ((long) dst << PageTable.PTE_SHIFT);
            }
        }
    }
}
