package io.simproc.mm;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The intrusive lists over the mem_map (include/linux/list.h): list_add at the head, list_add_tail at the tail,
 * list_del from anywhere, and the CONFIG_DEBUG_LIST checks — a page on a list cannot be added again (to any list),
 * and list_del of a page that is not on that list is caught. The suite runs with assertions enabled.
 */
class PageListsTest {
    private static MemMap memMap(int pages) {
        MemMap map = new MemMap(pages);
        map.fill(0, pages, 0, 0);
        return map;
    }

    private static List<Integer> walk(PageLists lists, int list) {
        List<Integer> out = new ArrayList<>();
        lists.forEach(list, out::add);
        List<Integer> backwards = new ArrayList<>();
        for (int pfn = lists.lastEntry(list); pfn != MemMap.NIL; pfn = lists.prev(pfn)) {
            backwards.add(0, pfn);
        }
        assertEquals(out, backwards, "the prev links walk the list back");
        return out;
    }

    @Test
    void addAtHeadAndTailDeleteAnywhere() {
        PageLists lists = new PageLists(memMap(16), 2);
        assertTrue(lists.listEmpty(0));
        lists.listAdd(0, 5);
        lists.listAdd(0, 3);
        lists.listAddTail(0, 9);
        lists.listAddTail(1, 7);
        assertEquals(List.of(3, 5, 9), walk(lists, 0));
        assertEquals(List.of(7), walk(lists, 1));
        assertEquals(3, lists.firstEntry(0));
        assertEquals(9, lists.lastEntry(0));
        lists.listDel(0, 5);
        assertEquals(List.of(3, 9), walk(lists, 0));
        assertFalse(lists.isListed(5));
        lists.listDel(0, 3);
        lists.listDel(0, 9);
        assertTrue(lists.listEmpty(0));
        assertEquals(MemMap.NIL, lists.lastEntry(0));
        lists.listAdd(0, 5);
        assertEquals(List.of(5), walk(lists, 0));
    }

    @Test
    void aPageOnAListCannotBeAddedAgain() {
        MemMap map = memMap(16);
        PageLists a = new PageLists(map, 2);
        PageLists b = new PageLists(map, 1);
        a.listAdd(0, 4);
        assertThrows(AssertionError.class, () -> a.listAdd(0, 4));
        assertThrows(AssertionError.class, () -> a.listAddTail(1, 4));
        assertThrows(AssertionError.class, () -> b.listAdd(0, 4), "one list_head per page, whatever the list");
        assertEquals(List.of(4), walk(a, 0));
    }

    @Test
    void listDelChecksThePageIsOnThatList() {
        MemMap map = memMap(16);
        PageLists lists = new PageLists(map, 2);
        lists.listAdd(0, 2);
        lists.listAdd(1, 6);
        assertThrows(AssertionError.class, () -> lists.listDel(0, 8), "never listed");
        assertThrows(AssertionError.class, () -> lists.listDel(0, 6), "on the other list");
        lists.listDel(0, 2);
        assertThrows(AssertionError.class, () -> lists.listDel(0, 2), "deleted twice");
        assertEquals(List.of(6), walk(lists, 1));
    }
}
