package io.simproc.mm;

import java.util.ArrayList;
import java.util.List;

/**
 * struct ksm_stable_node of mm/ksm.c: one KSM page — write-protected, shared by every mapping merged into it — and
 * the rmap items of the virtual pages that map it (its hlist). The page's mapping field names the node (an id in
 * {@link Mappings}, as the kernel's page->mapping points to the node with PAGE_MAPPING_KSM), so the reverse map of
 * a KSM page goes through its items ({@link Rmap#rmapWalk}). Nodes of one content word in one tree are the dups of
 * a chain when there are several (max_page_sharing was reached).
 */
public final class KsmStableNode {
    final int id;
    int kpfn;
    final int nid;
    final char word;
    final List<KsmRmapItem> hlist = new ArrayList<>();

    KsmStableNode(int id, int kpfn, int nid, char word) {
        this.id = id;
        this.kpfn = kpfn;
        this.nid = nid;
        this.word = word;
    }

    /** rmap_hlist_len. */
    int rmapHlistLen() {
        return hlist.size();
    }
}
