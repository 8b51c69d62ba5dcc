package io.simproc.mm;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * ksmd's scan of mm/ksm.c: the list of registered address spaces (mm_slots) and the cursor through it (ksm_scan),
 * the stable tree (KSM pages by content) and the unstable tree (pages unchanged since the last full scan, by
 * content; emptied at the start of every full scan), and the merge itself.
 *
 * <p>{@link #ksmDoScan} takes the next anonymous page of a VM_MERGEABLE VMA and its rmap item
 * ({@code scan_get_next_rmap_item}, with smart scan's skipping) and tries to merge it
 * ({@code cmp_and_merge_page}): first with a KSM page of the same content in the stable tree; else, if its checksum
 * (the content word) is what it was at the last scan, with KSM's zero page (use_zero_pages) or with a page of the
 * same content in the unstable tree — the two becoming a new KSM page — or it is inserted in the unstable tree. A
 * page whose word changed since the last scan is volatile and only remembered. Trees are per node when
 * merge_across_nodes is 0. Merging write-protects the page (its dirty bit goes to the page), points the PTE at the
 * KSM page and frees the duplicate ({@code write_protect_page}, {@code replace_page}); content is always compared,
 * never assumed.
 */
final class KsmScan {
    private final MemoryManager mm;
    private final Ksm ksm;
    private final MemMap map;
    private final List<MmStruct> slots = new ArrayList<>();
    /** ksm_scan.mm_slot: the address space being scanned, null at the list head (between full scans). */
    private MmStruct cursor;
    /** ksm_scan.address. */
    private long address;
    /** Rmap items of the cursor's address space below this address have been passed in this scan. */
    private long rmapFrom;
    /** What {@link #scanGetNextRmapItem} found: the page's rmap item and pfn. */
    private KsmRmapItem foundItem;
    private int foundPfn;
    /** The VMA the scan is in, kept through one batch (nothing else runs during a batch), else null. */
    private Vma scanVma;
    /** Trees per node id (only index 0 when merging across nodes). */
    private final List<Map<Character, List<KsmStableNode>>> stableTree = new ArrayList<>();
    private final List<Map<Character, List<KsmRmapItem>>> unstableTree = new ArrayList<>();
    long seqnr;
    long pagesScanned;
    long pagesShared;
    long pagesSharing;
    long pagesUnshared;
    long pagesSkipped;
    long rmapItems;
    long zeroPages;
    long merged;

    KsmScan(MemoryManager mm, Ksm ksm) {
        this.mm = mm;
        this.ksm = ksm;
        this.map = mm.memMap();
        for (int nid = 0; nid < mm.nrNodes(); nid++) {
            stableTree.add(new HashMap<>());
            unstableTree.add(new HashMap<>());
        }
    }

    List<MmStruct> slots() {
        return slots;
    }

    long cpuNanos() {
        return pagesScanned * Ksm.SCAN_PAGE_NANOS + merged * Ksm.MERGE_PAGE_NANOS;
    }

    /** __ksm_enter()'s list_add_tail: behind the cursor (the end of this full scan), or at the list's end. */
    void addSlot(MmStruct m, boolean atTail) {
        int at = cursor == null || atTail ? slots.size() : slots.indexOf(cursor);
        slots.add(at, m);
    }

    /** __ksm_exit(): drop the address space's rmap items and its slot; the cursor moves on if it was there. */
    void removeSlot(MmStruct m) {
        for (KsmRmapItem item : new ArrayList<>(m.ksm.items.values())) {
            removeRmapItemFromTree(item);
            freeRmapItem(item);
        }
        int i = slots.indexOf(m);
        if (i < 0) {
            return;
        }
        slots.remove(i);
        if (cursor == m) {
            cursor = i < slots.size() ? slots.get(i) : null;
            address = 0;
            rmapFrom = 0;
            if (cursor == null) {
                seqnr++;
            }
        }
    }

    private int treeNid(int pfn) {
        return ksm.mergeAcrossNodes ? 0 : mm.zoneOf(pfn).node().nodeId();
    }

    // ---------------------------------------------------------------------------------------------------------
    // the scan

    /** ksm_do_scan(): up to {@code npages} pages, stopping at the end of a full scan. */
    void ksmDoScan(long npages) {
        scanVma = null;
        for (long n = 0; n < npages; n++) {
            if (!scanGetNextRmapItem()) {
                break;
            }
            cmpAndMergePage(foundPfn, foundItem);
            pagesScanned++;
        }
        scanVma = null;
    }

    /**
     * scan_get_next_rmap_item(): the next anonymous page to look at ({@link #foundItem}, {@link #foundPfn}), its
     * rmap item made ready; false at the end of a full scan (seqnr counts it). Address spaces left without a
     * VM_MERGEABLE VMA leave the list.
     */
    private boolean scanGetNextRmapItem() {
        if (slots.isEmpty()) {
            return false;
        }
        if (cursor == null) {
            ksm.advisorStartScan();
            for (Map<Character, List<KsmRmapItem>> t : unstableTree) {
                t.clear();
            }
            cursor = slots.get(0);
            address = 0;
            rmapFrom = 0;
        }
        while (true) {
            MmStruct m = cursor;
            Vma vma = scanVma != null && scanVma.mm == m && address < scanVma.end ? scanVma
                    : nextMergeableVma(m, address);
            for (; vma != null; vma = nextMergeableVma(m, address)) {
                if (address < vma.start) {
                    address = vma.start;
                }
                if (vma.anonVma == null || vma.test(VmFlags.VM_LOCKED)) {
                    address = vma.end;
                }
                while (address < vma.end) {
                    long at = m.pgtable.nextPresent(address, vma.end);
                    if (at < 0) {
                        address = vma.end;
                        break;
                    }
                    address = at;
                    long pte = m.pgtable.get(at);
                    int pfn = PageTable.pfnOf(pte);
                    address += io.simproc.uapi.Page.PAGE_SIZE;
                    if ((pte & PageTable._PAGE_SPECIAL) != 0 || (map.flags(pfn) & (PageFlags.PG_ANON
                            | PageFlags.PG_TRANSHUGE)) != PageFlags.PG_ANON) {
                        continue;
                    }
                    KsmRmapItem item = getNextRmapItem(m, at);
                    if (shouldSkipRmapItem(pfn, item)) {
                        continue;
                    }
                    foundItem = item;
                    foundPfn = pfn;
                    scanVma = vma;
                    return true;
                }
            }
            removeTrailingRmapItems(m);
            int i = slots.indexOf(m);
            MmStruct next = i + 1 < slots.size() ? slots.get(i + 1) : null;
            if (address == 0) {
                slots.remove(i);
                m.ksm.mergeable = false;
                m.ksm.mergeAny = false;
            }
            cursor = next;
            address = 0;
            rmapFrom = 0;
            if (cursor == null) {
                ksm.advisorStopScan();
                seqnr++;
                return false;
            }
        }
    }

    /** The first VM_MERGEABLE VMA of {@code m} ending above {@code addr}, or null (the scan's for_each_vma). */
    private static Vma nextMergeableVma(MmStruct m, long addr) {
        Long from = m.vmas.floorKey(addr);
        for (Vma v : m.vmas.tailMap(from == null ? addr : from, true).values()) {
            if (v.test(VmFlags.VM_MERGEABLE) && v.end > addr) {
                return v;
            }
        }
        return null;
    }

    /** get_next_rmap_item(): items passed over (their pages are gone) are freed; the one at addr is found or made. */
    private KsmRmapItem getNextRmapItem(MmStruct m, long addr) {
        Map.Entry<Long, KsmRmapItem> next = m.ksm.items.ceilingEntry(rmapFrom);
        while (next != null && next.getKey() < addr) {
            removeRmapItemFromTree(next.getValue());
            freeRmapItem(next.getValue());
            next = m.ksm.items.ceilingEntry(rmapFrom);
        }
        rmapFrom = addr + io.simproc.uapi.Page.PAGE_SIZE;
        KsmRmapItem item = next != null && next.getKey() == addr ? next.getValue() : null;
        if (item == null) {
            item = new KsmRmapItem(m, addr);
            m.ksm.items.put(addr, item);
            m.ksm.rmapItems++;
            rmapItems++;
        }
        return item;
    }

    /** remove_trailing_rmap_items(). */
    private void removeTrailingRmapItems(MmStruct m) {
        dropItems(m, rmapFrom, Long.MAX_VALUE);
    }

    private void dropItems(MmStruct m, long from, long to) {
        Long first = from < to ? m.ksm.items.ceilingKey(from) : null;
        if (first == null || first >= to) {
            return;
        }
        for (KsmRmapItem item : new ArrayList<>(m.ksm.items.subMap(from, true, to, false).values())) {
            removeRmapItemFromTree(item);
            freeRmapItem(item);
        }
    }

    private void freeRmapItem(KsmRmapItem item) {
        item.mm.ksm.items.remove(item.address);
        item.mm.ksm.rmapItems--;
        rmapItems--;
    }

    /** skip_age(). */
    private static int skipAge(int age) {
        if (age <= 3) {
            return 1;
        }
        if (age <= 5) {
            return 2;
        }
        return age <= 8 ? 4 : 8;
    }

    /** should_skip_rmap_item(): smart scan skips pages that failed to merge often, for longer the older they are. */
    private boolean shouldSkipRmapItem(int pfn, KsmRmapItem item) {
        if (!ksm.smartScan || map.test(pfn, PageFlags.PG_KSM)) {
            return false;
        }
        int age = item.age;
        if (age != 255) {
            item.age++;
        }
        if (age < 3) {
            return false;
        }
        if (item.remainingSkips == 0) {
            item.remainingSkips = skipAge(age);
            return false;
        }
        pagesSkipped++;
        item.remainingSkips--;
        removeRmapItemFromTree(item);
        return true;
    }

    // ---------------------------------------------------------------------------------------------------------
    // merging

    /** cmp_and_merge_page(). */
    private void cmpAndMergePage(int pfn, KsmRmapItem item) {
        KsmStableNode node = ksm.stableNode(pfn);
        if (node != null) {
            if (item.head == node) {
                return;
            }
            // A KSM page this item does not list yet (mapped by fork, or its item was dropped): the page is
            // merged already, the item joins its node (allowed beyond max_page_sharing, as for a KSM fork).
            removeRmapItemFromTree(item);
            Vma vma = item.mm.findVma(item.address);
            if (vma != null && vma.anonVma != null) {
                stableTreeAppend(item, node, vma.anonVma);
            }
            return;
        }
        removeRmapItemFromTree(item);
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
        KsmStableNode kfound = stableTreeSearch(pfn, checksum);
        if (kfound != null) {
            if (writeProtectPage(vma, item.address, pfn)) {
                replacePage(vma, item.address, pfn, kfound.kpfn);
                stableTreeAppend(item, kfound, vma.anonVma);
            }
            return;
        }
        KsmRmapItem treeItem = unstableTreeSearchInsert(item, pfn, checksum);
        if (treeItem != null) {
            tryToMergeTwoPages(item, vma, pfn, treeItem);
        }
    }

    /**
     * stable_tree_search(): a KSM page of the same content whose node may take one more sharer (fewer than
     * max_page_sharing items), or null. Each candidate's data is compared (memcmp_pages).
     */
    private KsmStableNode stableTreeSearch(int pfn, char word) {
        List<KsmStableNode> dups = stableTree.get(treeNid(pfn)).get(word);
        if (dups == null) {
            return null;
        }
        for (KsmStableNode n : dups) {
            if (PageContent.sameData(map.content(n.kpfn), map.content(pfn)) && n.rmapHlistLen() < ksm.maxPageSharing) {
                return n;
            }
        }
        return null;
    }

    /**
     * unstable_tree_search_insert(): an item of the unstable tree whose page (looked up again: it may have changed
     * or gone) holds the same data, taken out of the tree; else this item is inserted and null returned.
     */
    private KsmRmapItem unstableTreeSearchInsert(KsmRmapItem item, int pfn, char word) {
        int nid = treeNid(pfn);
        List<KsmRmapItem> bucket = unstableTree.get(nid).computeIfAbsent(word, w -> new ArrayList<>());
        for (KsmRmapItem tree : bucket) {
            int treePfn = mergeablePage(tree);
            if (treePfn >= 0 && treePfn != pfn && PageContent.sameData(map.content(treePfn), map.content(pfn))
                    && treeNid(treePfn) == nid) {
                return tree;
            }
        }
        item.unstable = true;
        item.unstableSeq = seqnr;
        item.nid = nid;
        item.unstableWord = word;
        bucket.add(item);
        pagesUnshared++;
        return null;
    }

    /** get_mergeable_page(): the anonymous, not KSM, page an item's address maps now in a mergeable VMA, or -1. */
    private int mergeablePage(KsmRmapItem item) {
        Vma vma = item.mm.findVma(item.address);
        if (vma == null || !vma.test(VmFlags.VM_MERGEABLE) || vma.anonVma == null) {
            return -1;
        }
        long pte = item.mm.pgtable.get(item.address);
        if (!PageTable.isPresent(pte) || (pte & PageTable._PAGE_SPECIAL) != 0) {
            return -1;
        }
        int pfn = PageTable.pfnOf(pte);
        return (map.flags(pfn) & (PageFlags.PG_ANON | PageFlags.PG_TRANSHUGE | PageFlags.PG_KSM))
                == PageFlags.PG_ANON ? pfn : -1;
    }

    /**
     * try_to_merge_two_pages(): the scanned page becomes a KSM page and the tree item's page is replaced by it; both
     * items go on the new stable node.
     */
    private void tryToMergeTwoPages(KsmRmapItem item, Vma vma, int pfn, KsmRmapItem treeItem) {
        removeRmapItemFromTree(treeItem);
        Vma treeVma = treeItem.mm.findVma(treeItem.address);
        int treePfn = mergeablePage(treeItem);
        if (treeVma == null || treePfn < 0 || !mergeableNow(pfn) || !mergeableNow(treePfn)) {
            return;
        }
        writeProtectPage(vma, item.address, pfn);
        writeProtectPage(treeVma, treeItem.address, treePfn);
        KsmStableNode node = stableTreeInsert(pfn);
        replacePage(treeVma, treeItem.address, treePfn, pfn);
        stableTreeAppend(treeItem, node, treeVma.anonVma);
        stableTreeAppend(item, node, vma.anonVma);
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

    /** stable_tree_insert(): the page becomes a KSM page with a node of its own (a new dup if its content has one). */
    private KsmStableNode stableTreeInsert(int kpfn) {
        char word = (char) map.content(kpfn);
        int id = mm.mappings().register(null);
        KsmStableNode node = new KsmStableNode(id, kpfn, treeNid(kpfn), word);
        mm.mappings().set(id, node);
        stableTree.get(node.nid).computeIfAbsent(word, w -> new ArrayList<>()).add(node);
        map.addFlags(kpfn, PageFlags.PG_KSM);
        map.setMapping(kpfn, id);
        return node;
    }

    /** stable_tree_append(): the first item of a node counts in pages_shared, the others in pages_sharing. */
    private void stableTreeAppend(KsmRmapItem item, KsmStableNode node, AnonVma anonVma) {
        item.head = node;
        item.anonVma = anonVma;
        node.hlist.add(item);
        if (node.hlist.size() > 1) {
            pagesSharing++;
        } else {
            pagesShared++;
        }
        item.mm.ksm.mergingPages++;
    }

    /** remove_rmap_item_from_tree(): out of its stable node's list or the unstable tree, its counter following. */
    void removeRmapItemFromTree(KsmRmapItem item) {
        if (item.head != null) {
            KsmStableNode node = item.head;
            node.hlist.remove(item);
            if (node.hlist.isEmpty()) {
                pagesShared--;
            } else {
                pagesSharing--;
            }
            item.mm.ksm.mergingPages--;
            item.head = null;
            item.anonVma = null;
        } else if (item.unstable) {
            if (item.unstableSeq == seqnr) {
                List<KsmRmapItem> bucket = unstableTree.get(item.nid).get(item.unstableWord);
                if (bucket != null) {
                    bucket.remove(item);
                }
            }
            item.unstable = false;
            pagesUnshared--;
        }
    }

    /** remove_node_from_stable_tree(): the KSM page is gone; its items stay, out of any tree. */
    void removeNodeFromStableTree(KsmStableNode node) {
        for (KsmRmapItem item : node.hlist) {
            item.head = null;
            item.anonVma = null;
            item.mm.ksm.mergingPages--;
        }
        if (!node.hlist.isEmpty()) {
            pagesShared--;
            pagesSharing -= node.hlist.size() - 1;
        }
        node.hlist.clear();
        List<KsmStableNode> dups = stableTree.get(node.nid).get(node.word);
        dups.remove(node);
        if (dups.isEmpty()) {
            stableTree.get(node.nid).remove(node.word);
        }
        mm.mappings().release(node.id);
    }

    /**
     * unmerge_and_remove_all_rmap_items() (run = 2): every mergeable VMA of every registered address space has its
     * KSM pages broken, and every rmap item is freed; the address spaces stay on the list, the cursor at its head.
     */
    void unmergeAndRemoveAllRmapItems() {
        for (MmStruct m : new ArrayList<>(slots)) {
            for (Vma v : new ArrayList<>(m.vmas.values())) {
                if (v.test(VmFlags.VM_MERGEABLE) && v.anonVma != null) {
                    ksm.unmergeKsmPages(v, v.start, v.end);
                }
            }
            dropItems(m, 0, Long.MAX_VALUE);
        }
        cursor = null;
        address = 0;
        rmapFrom = 0;
    }

    /** ksm_stable_node_chains: content words with more than one KSM page in a tree. */
    long stableNodeChains() {
        long n = 0;
        for (Map<Character, List<KsmStableNode>> t : stableTree) {
            for (List<KsmStableNode> dups : t.values()) {
                n += dups.size() > 1 ? 1 : 0;
            }
        }
        return n;
    }

    /** ksm_stable_node_dups: the KSM pages of those chains. */
    long stableNodeDups() {
        long n = 0;
        for (Map<Character, List<KsmStableNode>> t : stableTree) {
            for (List<KsmStableNode> dups : t.values()) {
                n += dups.size() > 1 ? dups.size() : 0;
            }
        }
        return n;
    }

    /** rmap_walk_ksm(): every PTE mapping the KSM page, through its items' anon_vmas (each PTE once). */
    void rmapWalkKsm(KsmStableNode node, Rmap.Visitor visitor) {
        Map<Vma, java.util.Set<Long>> seen = new java.util.IdentityHashMap<>();
        for (KsmRmapItem item : new ArrayList<>(node.hlist)) {
            for (Vma vma : new ArrayList<>(item.anonVma.vmas)) {
                if (item.address < vma.start || item.address >= vma.end
                        || !seen.computeIfAbsent(vma, v -> new java.util.HashSet<>()).add(item.address)) {
                    continue;
                }
                PageTable.Pte table = vma.mm.pgtable.leaf(item.address, null);
                if (table == null) {
                    continue;
                }
                int i = PageTable.indexOf(item.address);
                long pte = table.entry[i];
                if (Memory.present(pte) && (pte & PageTable._PAGE_SPECIAL) == 0 && Memory.ptePfn(pte) == node.kpfn) {
                    visitor.visit(vma, item.address, table, i);
                }
            }
        }
    }

    /**
     * The invariants: every KSM page has its node and every node its KSM page, holding the node's word; every
     * stable item's address maps the node's page read-only; pages_shared and pages_sharing are the nodes and their
     * further items, pages_unshared the unstable items, the per-mm and global item counts agree; every PTE mapping a
     * KSM page is read-only; the KSM zero pages are the special dirty PTEs.
     */
    void check(List<String> errors) {
        long shared = 0;
        long sharing = 0;
        for (Map<Character, List<KsmStableNode>> t : stableTree) {
            for (Map.Entry<Character, List<KsmStableNode>> e : t.entrySet()) {
                for (KsmStableNode n : e.getValue()) {
                    if (!map.test(n.kpfn, PageFlags.PG_KSM) || map.mapping(n.kpfn) != n.id
                            || map.content(n.kpfn) != e.getKey()) {
                        errors.add("ksm: stable node " + n.id + " of word " + (int) e.getKey() + " names pfn "
                                + n.kpfn + " (flags 0x" + Integer.toHexString(map.flags(n.kpfn)) + " mapping "
                                + map.mapping(n.kpfn) + " word " + map.content(n.kpfn) + ")");
                    }
                    if (!n.hlist.isEmpty()) {
                        shared++;
                        sharing += n.hlist.size() - 1;
                    }
                    for (KsmRmapItem item : n.hlist) {
                        long pte = item.mm.pgtable.get(item.address);
                        if (PageTable.isPresent(pte) && PageTable.pfnOf(pte) == n.kpfn
                                && (pte & PageTable._PAGE_RW) != 0) {
                            errors.add("ksm: KSM pfn " + n.kpfn + " is writable at " + Long.toHexString(item.address));
                        }
                    }
                }
            }
        }
        expect(errors, "ksm pages_shared", pagesShared, shared);
        expect(errors, "ksm pages_sharing", pagesSharing, sharing);
        long items = 0;
        long unshared = 0;
        long zero = 0;
        for (MmStruct m : mm.mmStructs().all()) {
            long merging = 0;
            long mZero = 0;
            for (KsmRmapItem item : m.ksm.items.values()) {
                merging += item.head != null ? 1 : 0;
                unshared += item.unstable ? 1 : 0;
            }
            for (Vma v : m.vmas.values()) {
                long[] z = {0};
                m.pgtable.scan(v.start, v.end, (addr, pte) -> {
                    if (!PageTable.isPresent(pte)) {
                        return;
                    }
                    if (Ksm.isKsmZeroPte(pte)) {
                        z[0]++;
                    } else if ((pte & PageTable._PAGE_SPECIAL) == 0 && map.test(PageTable.pfnOf(pte), PageFlags.PG_KSM)
                            && (pte & PageTable._PAGE_RW) != 0) {
                        errors.add("ksm: a writable PTE at " + Long.toHexString(addr) + " maps KSM pfn "
                                + PageTable.pfnOf(pte));
                    }
                });
                mZero += z[0];
            }
            expect(errors, "ksm mm " + System.identityHashCode(m) + " ksm_rmap_items", m.ksm.rmapItems,
                    m.ksm.items.size());
            expect(errors, "ksm mm " + System.identityHashCode(m) + " ksm_merging_pages", m.ksm.mergingPages, merging);
            expect(errors, "ksm mm " + System.identityHashCode(m) + " ksm_zero_pages", m.ksm.zeroPages, mZero);
            items += m.ksm.items.size();
            zero += mZero;
        }
        expect(errors, "ksm rmap items", rmapItems, items);
        expect(errors, "ksm pages_unshared", pagesUnshared, unshared);
        expect(errors, "ksm_zero_pages", zeroPages, zero);
    }

    /** A KSM page found by the mem_map pass: it must be a node's page. */
    boolean isStablePage(int pfn) {
        return mm.mappings().get(map.mapping(pfn)) instanceof KsmStableNode n && n.kpfn == pfn;
    }

    private static void expect(List<String> errors, String what, long actual, long expected) {
        MmDebug.expect(errors, what, actual, expected);
    }
}
