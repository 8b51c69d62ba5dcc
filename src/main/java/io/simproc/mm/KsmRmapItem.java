package io.simproc.mm;

/**
 * struct ksm_rmap_item of mm/ksm.c: what ksmd remembers of one virtual page of a mergeable address space — the
 * checksum of its data at the last scan (here the page's content word, {@link PageContent}), and where the page
 * sits in the trees: in the unstable tree of the full scan {@link #unstableSeq}, or listed from a stable node
 * ({@link #head}) with the anon_vma through which the KSM page's reverse map finds the VMAs mapping it. The age
 * and remaining skips are smart scan's.
 */
final class KsmRmapItem {
    /** sizeof(struct ksm_rmap_item) on x86_64: what general_profit and ksm_process_profit charge per item. */
    static final int SIZE = 64;
    /** The checksum of an item never checksummed (the kernel's zeroed oldchecksum; no word is -1). */
    static final int NO_CHECKSUM = -1;

    final MmStruct mm;
    final long address;
    int oldchecksum = NO_CHECKSUM;
    /** When stable: the node listing this item, and the anon_vma of the VMA that mapped the page at merge time. */
    KsmStableNode head;
    AnonVma anonVma;
    /** UNSTABLE_FLAG: a node of the unstable tree of full scan {@link #unstableSeq} (on node {@link #nid}). */
    boolean unstable;
    long unstableSeq;
    int nid;
    /** The content word this item was inserted into the unstable tree under. */
    char unstableWord;
    int age;
    int remainingSkips;

    KsmRmapItem(MmStruct mm, long address) {
        this.mm = mm;
        this.address = address;
    }
}
