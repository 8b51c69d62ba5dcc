package io.simproc.mm.slab;

import io.simproc.mm.MemMap;
import io.simproc.mm.PageLists;

/**
 * The partial lists of one slab cache, one per node (kmem_cache_node->partial): slabs with free objects that are no
 * CPU's slab, linked through their first struct page as slab->slab_list is.
 */
final class PartialLists extends PageLists {
    PartialLists(MemMap map, int nrNodes) {
        super(map, nrNodes);
    }

    /** add_partial() at the head (DEACTIVATE_TO_HEAD). */
    void add(int nid, int pfn) {
        listAdd(nid, pfn);
    }

    /** remove_partial(). */
    void remove(int nid, int pfn) {
        listDel(nid, pfn);
    }
}
