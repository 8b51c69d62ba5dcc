package io.simproc.mm;

/**
 * Reverse-mapping bookkeeping of mm/rmap.c: a page's mapcount (how many page-table entries map it) and the
 * counters that follow from it — NR_ANON_MAPPED counts anonymous pages mapped at least once, NR_FILE_MAPPED file
 * and shmem pages mapped at least once (Mapped in meminfo). New anonymous pages learn their anon_vma and index,
 * which is what a walk from page to mappings needs; the anon_vmas a VMA is chained to (anon_vma_prepare(),
 * anon_vma_clone(), unlink_anon_vmas()) say which VMAs such a walk visits.
 */
public final class Rmap {
    private final MemoryManager mm;
    private final MemMap map;

    Rmap(MemoryManager mm) {
        this.mm = mm;
        this.map = mm.memMap();
    }

    /** folio_add_new_anon_rmap(): a freshly allocated page becomes the first mapping of anon_vma at addr. */
    void addNewAnon(int pfn, Vma vma, long addr) {
        map.addFlags(pfn, PageFlags.PG_ANON | PageFlags.PG_SWAPBACKED);
        map.setMapping(pfn, vma.anonVma.id);
        map.setIndex(pfn, (int) vma.linearPageIndex(addr));
        map.setMapcount(pfn, 1);
        mm.memcontrol().modLruvecPageState(pfn, NodeStatItem.NR_ANON_MAPPED, 1);
    }

    /** folio_dup_anon_rmap / folio_add_file_rmap: one more page-table entry maps this page. */
    void addMapping(int pfn) {
        int count = map.incMapcount(pfn);
        if (count == 1) {
            if (map.test(pfn, PageFlags.PG_ANON)) {
                mm.memcontrol().modLruvecPageState(pfn, NodeStatItem.NR_ANON_MAPPED, 1);
            } else {
                mm.memcontrol().modLruvecPageState(pfn, NodeStatItem.NR_FILE_MAPPED, 1);
            }
        }
    }

    /** folio_remove_rmap_pte(): one page-table entry less. */
    void removeMapping(int pfn) {
        int count = map.decMapcount(pfn);
        if (count < 0) {
            throw new IllegalStateException("pfn " + pfn + " mapcount went negative");
        }
        if (count == 0) {
            if (map.test(pfn, PageFlags.PG_ANON)) {
                mm.memcontrol().modLruvecPageState(pfn, NodeStatItem.NR_ANON_MAPPED, -1);
            } else {
                mm.memcontrol().modLruvecPageState(pfn, NodeStatItem.NR_FILE_MAPPED, -1);
            }
        }
    }

    /** Receives each present PTE that maps the page being walked. */
    @FunctionalInterface
    interface Visitor {
        void visit(Vma vma, long addr, PageTable.Pte table, int i);
    }

    /**
     * rmap_walk(): every PTE that maps pfn, found through the page's anon_vma (anonymous pages) or its file's
     * i_mmap (file and shmem pages) and the page's index; a KSM page's through its stable node (rmap_walk_ksm()).
     */
    void rmapWalk(int pfn, Visitor visitor) {
        if (map.mapcount(pfn) == 0) {
            return;
        }
        Object owner = mm.mappings().get(map.mapping(pfn));
        if (owner instanceof KsmStableNode node) {
            mm.ksm().scan().trees().rmapWalkKsm(node, visitor);
            return;
        }
        java.util.Collection<Vma> vmas;
        if (map.test(pfn, PageFlags.PG_ANON)) {
            if (!(owner instanceof AnonVma av)) {
                return;
            }
            vmas = new java.util.ArrayList<>(av.vmas);
        } else {
            if (!(owner instanceof AddressSpace file)) {
                return;
            }
            vmas = new java.util.ArrayList<>(file.iMmap);
        }
        int index = map.index(pfn);
        for (Vma vma : vmas) {
            long addr = addressOf(vma, index);
            if (addr < 0) {
                continue;
            }
            PageTable.Pte table = vma.mm.pgtable.leaf(addr, null);
            if (table == null) {
                continue;
            }
            int i = PageTable.indexOf(addr);
            long pte = table.entry[i];
            if (Memory.present(pte) && (pte & PageTable._PAGE_SPECIAL) == 0 && Memory.ptePfn(pte) == pfn) {
                visitor.visit(vma, addr, table, i);
            }
        }
    }

    /**
     * vma_address() from the low 32 bits of the page's index that struct page keeps (anonymous indexes are virtual
     * page numbers, wider than 32 bits): the offset into the VMA is taken modulo 2^32, exact for any VMA smaller
     * than 16 TiB. Returns -1 when the page lies outside the VMA.
     */
    static long addressOf(Vma vma, int index) {
        long delta = (index - (int) vma.pgoff) & 0xffffffffL;
        long addr = vma.start + (delta << io.simproc.uapi.Page.PAGE_SHIFT);
        return addr >= vma.start && addr < vma.end ? addr : -1;
    }

    /**
     * folio_referenced(): how many PTEs mapping the page were accessed since the last look; the accessed bits are
     * cleared. {@code vmFlags[0]} collects the flags of the VMAs that referenced it.
     */
    int folioReferenced(int pfn, long[] vmFlags) {
        int[] referenced = {0};
        rmapWalk(pfn, (vma, addr, table, i) -> {
            long pte = table.entry[i];
            if ((pte & PageTable._PAGE_ACCESSED) != 0) {
                table.entry[i] = pte & ~PageTable._PAGE_ACCESSED;
                referenced[0]++;
                vmFlags[0] |= vma.flags;
            }
        });
        return referenced[0];
    }

    /**
     * try_to_unmap(): remove every mapping of the page. An anonymous page must be in the swap cache: its PTEs
     * become swap entries (MM_SWAPENTS); a file page's PTEs are cleared, a dirty PTE dirtying the page. Returns
     * whether the page is unmapped everywhere.
     */
    boolean tryToUnmap(int pfn) {
        boolean anon = map.test(pfn, PageFlags.PG_ANON);
        int entry = anon ? mm.swap().entryOf(pfn) : 0;
        rmapWalk(pfn, (vma, addr, table, i) -> {
            long pte = table.entry[i];
            boolean dirty = (pte & PageTable._PAGE_DIRTY) != 0;
            if (anon) {
                mm.swap().swapDuplicate(entry);
                table.entry[i] = PageTable.swapPte(entry);
                vma.mm.addRss(MmStruct.MM_ANONPAGES, -1);
                vma.mm.addRss(MmStruct.MM_SWAPENTS, 1);
                if (dirty) {
                    map.addFlags(pfn, PageFlags.PG_DIRTY);
                }
            } else {
                PageTable.set(table, addr, 0);
                vma.mm.addRss(MmStruct.mmCounter(map.flags(pfn)), -1);
                if (dirty && vma.file != null) {
                    mm.pageWriteback().folioMarkDirty(vma.file, pfn);
                }
            }
            removeMapping(pfn);
            mm.folios().put(pfn, vma.mm.homeCpu);
        });
        return map.mapcount(pfn) == 0;
    }

    private PgData node(int pfn) {
        return mm.zoneOf(pfn).node();
    }

    // ---------------------------------------------------------------------------------------------------------
    // anon_vmas: which VMAs may map an anonymous page

    /** anon_vma_prepare(): give an anonymous-capable VMA its anon_vma at its first anonymous page. */
    void anonVmaPrepare(Vma vma) {
        if (vma.anonVma != null) {
            return;
        }
        AnonVma av = new AnonVma(mm, mm.mappings().register(null), null);
        av.owner = vma.mm;
        mm.mappings().set(av.id, av);
        anonVmaChainLink(vma, av);
        vma.anonVma = av;
    }

    /** anon_vma_chain_link(): vma may map pages of av. */
    static void anonVmaChainLink(Vma vma, AnonVma av) {
        if (av.vmas.add(vma)) {
            vma.anonVmaChain.add(av);
        }
    }

    /** anon_vma_clone(): dst is linked to every anon_vma src is linked to. */
    static void anonVmaClone(Vma dst, Vma src) {
        for (AnonVma av : src.anonVmaChain) {
            anonVmaChainLink(dst, av);
        }
    }

    /** unlink_anon_vmas(): a VMA going away leaves its anon_vmas; one no VMA is linked to any more is released. */
    void unlinkAnonVmas(Vma vma) {
        for (AnonVma av : vma.anonVmaChain) {
            av.vmas.remove(vma);
            if (av.vmas.isEmpty()) {
                mm.mappings().release(av.id);
            }
        }
        vma.anonVmaChain.clear();
    }
}
