package io.simproc.mm;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * KSM's trees of mm/ksm.c: the stable tree (KSM pages by content, a chain of dups when one word has several) and the
 * unstable tree (pages unchanged since the last full scan, by content; emptied at the start of every full scan,
 * which {@link #seqnr} counts), one of each per node when merge_across_nodes is 0, and the counters that follow
 * their membership (pages_shared, pages_sharing, pages_unshared). Content is always compared
 * ({@link PageContent#sameData}), never assumed from the word.
 */
final class KsmTrees {
    private final MemoryManager mm;
    private final Ksm ksm;
    private final MemMap map;
    /** Trees per node id (only index 0 when merging across nodes). */
    private final List<Map<Character, List<KsmStableNode>>> stableTree = new ArrayList<>();
    private final List<Map<Character, List<KsmRmapItem>>> unstableTree = new ArrayList<>();
    /** ksm_scan.seqnr: full scans completed; an unstable item of an earlier scan is in no tree any more. */
    long seqnr;
    long pagesShared;
    long pagesSharing;
    long pagesUnshared;

    KsmTrees(MemoryManager mm, Ksm ksm) {
        this.mm = mm;
        this.ksm = ksm;
        this.map = mm.memMap();
        for (int nid = 0; nid < mm.nrNodes(); nid++) {
            stableTree.add(new HashMap<>());
            unstableTree.add(new HashMap<>());
        }
    }

    /** A full scan starts: the unstable tree is rebuilt from nothing. */
    void clearUnstableTree() {
        for (Map<Character, List<KsmRmapItem>> t : unstableTree) {
            t.clear();
        }
    }

    int treeNid(int pfn) {
        return ksm.mergeAcrossNodes ? 0 : mm.zoneOf(pfn).node().nodeId();
    }

    /**
     * stable_tree_search(): a KSM page of the same content whose node may take one more sharer (fewer than
     * max_page_sharing items), or null. Each candidate's data is compared (memcmp_pages).
     */
    KsmStableNode stableTreeSearch(int pfn, char word) {
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
    KsmRmapItem unstableTreeSearchInsert(KsmRmapItem item, int pfn, char word) {
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
    int mergeablePage(KsmRmapItem item) {
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
    /** stable_tree_insert(): the page becomes a KSM page with a node of its own (a new dup if its content has one). */
    KsmStableNode stableTreeInsert(int kpfn) {
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
    void stableTreeAppend(KsmRmapItem item, KsmStableNode node, AnonVma anonVma) {
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
        Map<Vma, Set<Long>> seen = new IdentityHashMap<>();
        for (KsmRmapItem item : new ArrayList<>(node.hlist)) {
            for (Vma vma : new ArrayList<>(item.anonVma.vmas)) {
                if (item.address < vma.start || item.address >= vma.end
                        || !seen.computeIfAbsent(vma, v -> new HashSet<>()).add(item.address)) {
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
     * The stable tree's invariants: every node's page is a KSM page naming the node and holding the node's word,
     * every item of a node maps its page read-only, pages_shared and pages_sharing are the nodes and their further
     * items.
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
    }

    /** A KSM page found by the mem_map pass: it must be a node's page. */
    boolean isStablePage(int pfn) {
        return mm.mappings().get(map.mapping(pfn)) instanceof KsmStableNode n && n.kpfn == pfn;
    }

    private static void expect(List<String> errors, String what, long actual, long expected) {
        MmDebug.expect(errors, what, actual, expected);
    }
}
