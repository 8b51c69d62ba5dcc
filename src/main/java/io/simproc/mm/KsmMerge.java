package io.simproc.mm;

/**
 * The merge of mm/ksm.c's cmp_and_merge_page(): a scanned page joins a KSM page of the same content from the stable
 * tree, becomes KSM's zero page (use_zero_pages), or meets a page of the same content in the unstable tree, the two
 * becoming a new KSM page; a page whose word changed since the last scan is volatile and only remembered. Merging
 * write-protects the page (its dirty bit goes to the page), points the PTE at the KSM page and frees the duplicate
 * ({@code write_protect_page}, {@code replace_page}).
 */
final class KsmMerge {
    private final MemoryManager mm;
    private final Ksm ksm;
    private final KsmTrees trees;
    private final MemMap map;
    /** Pages replaced by a KSM page (or KSM's zero page): the merges ksmd's CPU time counts. */
    long merged;

    KsmMerge(MemoryManager mm, Ksm ksm, KsmTrees trees) {
        this.mm = mm;
        this.ksm = ksm;
        this.trees = trees;
        this.map = mm.memMap();
    }

    /** cmp_and_merge_page(). */
    void cmpAndMergePage(int pfn, KsmRmapItem item) {
        KsmStableNode node = ksm.stableNode(pfn);
        if (node != null) {
            if (item.head == node) {
                return;
            }
            // A KSM page this item does not list yet (mapped by fork, or its item was dropped): the page is
            // merged already, the item joins its node (allowed beyond max_page_sharing, as for a KSM fork).
            trees.removeRmapItemFromTree(item);
            Vma vma = item.mm.findVma(item.address);
            if (vma != null && vma.anonVma != null) {
                trees.stableTreeAppend(item, node, vma.anonVma);
            }
            return;
        }
        trees.removeRmapItemFromTree(item);
        char checksum = (char) map.content(pfn);
        if (item.oldchecksum != checksum) {
            item.oldchecksum = checksum;
            return;
        }
        Vma vma = item.mm.findVma(item.address);
        if (vma == null || vma.anonVma == null) {
            return;
        }
        if (ksm.useZeroPages && checksum == PageContent.ZERO && writeProtectPage(vma, item.address, pfn)) {
            replacePage(vma, item.address, pfn, -1);
            return;
        }
        KsmStableNode kfound = trees.stableTreeSearch(pfn, checksum);
        if (kfound != null) {
            if (writeProtectPage(vma, item.address, pfn)) {
                replacePage(vma, item.address, pfn, kfound.kpfn);
                trees.stableTreeAppend(item, kfound, vma.anonVma);
            }
            return;
        }
        KsmRmapItem treeItem = trees.unstableTreeSearchInsert(item, pfn, checksum);
        if (treeItem != null) {
            tryToMergeTwoPages(item, vma, pfn, treeItem);
        }
    }

    /**
     * try_to_merge_two_pages(): the scanned page becomes a KSM page and the tree item's page is replaced by it; both
     * items go on the new stable node.
     */
    private void tryToMergeTwoPages(KsmRmapItem item, Vma vma, int pfn, KsmRmapItem treeItem) {
        trees.removeRmapItemFromTree(treeItem);
        Vma treeVma = treeItem.mm.findVma(treeItem.address);
        int treePfn = trees.mergeablePage(treeItem);
        if (treeVma == null || treePfn < 0 || !mergeableNow(pfn) || !mergeableNow(treePfn)) {
            return;
        }
        writeProtectPage(vma, item.address, pfn);
        writeProtectPage(treeVma, treeItem.address, treePfn);
        KsmStableNode node = trees.stableTreeInsert(pfn);
        replacePage(treeVma, treeItem.address, treePfn, pfn);
        trees.stableTreeAppend(treeItem, node, treeVma.anonVma);
        trees.stableTreeAppend(item, node, vma.anonVma);
    }

    /**
     * What write_protect_page() checks: no reference beyond the mapping. In this model also: mapped once, not in
     * the swap cache, not part of a THP ({@link Ksm}).
     */
    private boolean mergeableNow(int pfn) {
        int f = map.flags(pfn);
        return (f & (PageFlags.PG_ANON | PageFlags.PG_TRANSHUGE | PageFlags.PG_SWAPCACHE | PageFlags.PG_KSM))
                == PageFlags.PG_ANON && map.mapcount(pfn) == 1 && map.refcount(pfn) == 1;
    }

    /**
     * write_protect_page(): the page's PTE loses its write bit, a dirty PTE dirtying the page; false (nothing done)
     * when the page may not be merged now.
     */
    private boolean writeProtectPage(Vma vma, long addr, int pfn) {
        if (!mergeableNow(pfn)) {
            return false;
        }
        PageTable.Pte table = vma.mm.pgtable.leaf(addr, null);
        int i = PageTable.indexOf(addr);
        long pte = table.entry[i];
        if ((pte & PageTable._PAGE_DIRTY) != 0) {
            map.addFlags(pfn, PageFlags.PG_DIRTY);
        }
        table.entry[i] = pte & ~(PageTable._PAGE_RW | PageTable._PAGE_DIRTY);
        return true;
    }

    /**
     * replace_page(): the PTE at addr maps the KSM page {@code kpfn} read-only instead of {@code pfn} (or, with
     * {@code kpfn} -1, KSM's zero page: special and dirty, out of the RSS), and the duplicate is released.
     */
    private void replacePage(Vma vma, long addr, int pfn, int kpfn) {
        PageTable.Pte table = vma.mm.pgtable.leaf(addr, null);
        if (kpfn < 0) {
            PageTable.set(table, addr, Memory.mkPte(mm.memory().zeroPfn(),
                    PageTable._PAGE_SPECIAL | PageTable._PAGE_DIRTY));
            vma.mm.addRss(MmStruct.MM_ANONPAGES, -1);
            ksm.mapZeroPage(vma.mm);
        } else {
            mm.folios().get(kpfn);
            mm.rmap().addMapping(kpfn);
            PageTable.set(table, addr, Memory.mkPte(kpfn, 0));
        }
        mm.rmap().removeMapping(pfn);
        mm.folios().put(pfn, vma.mm.homeCpu);
        merged++;
    }
}
