package io.simproc.mm;

import java.util.Arrays;

/**
 * include/linux/list.h over the mem_map: doubly linked lists threaded through the struct pages' own links — the one
 * list_head that page->buddy_list, page->pcp_list, folio->lru and slab->slab_list share, so a page is on at most one
 * list at a time. One object holds a set of list heads, each named by its index, and the structures that hold lists
 * extend it as the kernel's embed their list_heads: a zone's free_area ({@link FreeArea}), a per-cpu pageset
 * ({@link PerCpuPages}), a node's lruvec ({@link Lruvec}), a slab cache's per-node partial lists. Embedding rather
 * than a field saves a load on the allocator's hottest path (docs/BENCHMARKS.md, "MemMap accessors and
 * PageLists"). A list ends in {@link MemMap#NIL} both ways; a page on no list has both links
 * {@link MemMap#LIST_POISON}, as memmap_init() and list_del() leave them. Anyone may walk the lists; only the
 * holders and their package change them.
 *
 * <p>With assertions enabled (the tests), {@link #listAdd} and {@link #listAddTail} check that the page is on no
 * list and {@link #listDel} that it is on this one, as CONFIG_DEBUG_LIST's __list_add_valid() and
 * __list_del_entry_valid() do. This is the only class that writes a page's links.
 */
public class PageLists {
    /**
     * The mem_map the links live in. The holders reach their pages' other fields through this same reference, so
     * that the JIT loads the array once for a list operation and the flag and order updates around it.
     */
    protected final MemMap map;
    private final int[] head;
    private final int[] tail;

    protected PageLists(MemMap map, int nrLists) {
        this.map = map;
        this.head = new int[nrLists];
        this.tail = new int[nrLists];
        Arrays.fill(head, MemMap.NIL);
        Arrays.fill(tail, MemMap.NIL);
    }

    /** list_first_entry_or_null(): the page at the head of the list, or NIL. */
    public final int firstEntry(int list) {
        return head[list];
    }

    /** list_last_entry(): the page at the tail of the list, or NIL. */
    public final int lastEntry(int list) {
        return tail[list];
    }

    /** list_empty(). */
    public final boolean listEmpty(int list) {
        return head[list] == MemMap.NIL;
    }

    /** The page one step toward the tail, or NIL. */
    public final int next(int pfn) {
        return map.next(pfn);
    }

    /** The page one step toward the head, or NIL. */
    public final int prev(int pfn) {
        return map.prev(pfn);
    }

    /** Whether the page is on some list (of any PageLists). */
    public final boolean isListed(int pfn) {
        return map.next(pfn) != MemMap.LIST_POISON;
    }

    /** list_add(): link the page at the head of the list. */
    protected final void listAdd(int list, int pfn) {
        assert addValid(pfn);
        int h = head[list];
        map.setPrev(pfn, MemMap.NIL);
        map.setNext(pfn, h);
        if (h == MemMap.NIL) {
            tail[list] = pfn;
        } else {
            map.setPrev(h, pfn);
        }
        head[list] = pfn;
    }

    /** list_add_tail(): link the page at the tail of the list. */
    protected final void listAddTail(int list, int pfn) {
        assert addValid(pfn);
        int t = tail[list];
        map.setNext(pfn, MemMap.NIL);
        map.setPrev(pfn, t);
        if (t == MemMap.NIL) {
            head[list] = pfn;
        } else {
            map.setNext(t, pfn);
        }
        tail[list] = pfn;
    }

    /** list_del(): unlink the page, which must be on this list, and poison its links. */
    protected final void listDel(int list, int pfn) {
        int n = map.next(pfn);
        int p = map.prev(pfn);
        assert delValid(list, pfn, n, p);
        if (p == MemMap.NIL) {
            head[list] = n;
        } else {
            map.setNext(p, n);
        }
        if (n == MemMap.NIL) {
            tail[list] = p;
        } else {
            map.setPrev(n, p);
        }
        map.setNext(pfn, MemMap.LIST_POISON);
        map.setPrev(pfn, MemMap.LIST_POISON);
    }

    /** __list_add_valid(): the page is on no list. Throws rather than returns false, to name the page. */
    private boolean addValid(int pfn) {
        if (map.next(pfn) != MemMap.LIST_POISON || map.prev(pfn) != MemMap.LIST_POISON) {
            throw new AssertionError("list_add of pfn " + pfn + ", which is already on a list");
        }
        return true;
    }

    /** __list_del_entry_valid(): both neighbours (or the list's ends) point back at the page. */
    private boolean delValid(int list, int pfn, int n, int p) {
        boolean prevOk = p != MemMap.LIST_POISON && (p == MemMap.NIL ? head[list] == pfn : map.next(p) == pfn);
        boolean nextOk = n != MemMap.LIST_POISON && (n == MemMap.NIL ? tail[list] == pfn : map.prev(n) == pfn);
        if (!prevOk || !nextOk) {
            throw new AssertionError("list_del of pfn " + pfn + ", which is not on list " + list);
        }
        return true;
    }

    /** list_for_each_entry(): the pages of one list from head to tail; {@code action} must not change the list. */
    public final void forEach(int list, java.util.function.IntConsumer action) {
        for (int pfn = head[list]; pfn != MemMap.NIL; pfn = map.next(pfn)) {
            action.accept(pfn);
        }
    }
}
