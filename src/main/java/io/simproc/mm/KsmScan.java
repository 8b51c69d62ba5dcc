package io.simproc.mm;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * ksmd's scan of mm/ksm.c: the list of registered address spaces (mm_slots), the cursor through it (ksm_scan) and
 * the rmap items that remember each scanned page.
 *
 * <p>{@link #ksmDoScan} takes the next anonymous page of a VM_MERGEABLE VMA and its rmap item
 * ({@code scan_get_next_rmap_item}, with smart scan's skipping) and hands it to {@link KsmMerge} (the merge,
 * {@code cmp_and_merge_page}) over {@link KsmTrees} (the stable and unstable trees).
 */
final class KsmScan {
    private final MemoryManager mm;
    private final Ksm ksm;
    private final MemMap map;
    private final KsmTrees trees;
    private final KsmMerge merge;
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
    long pagesScanned;
    long pagesSkipped;
    long rmapItems;
    long zeroPages;

    KsmScan(MemoryManager mm, Ksm ksm) {
        this.mm = mm;
        this.ksm = ksm;
        this.map = mm.memMap();
        this.trees = new KsmTrees(mm, ksm);
        this.merge = new KsmMerge(mm, ksm, trees);
    }

    KsmTrees trees() {
        return trees;
    }

    List<MmStruct> slots() {
        return slots;
    }

    long cpuNanos() {
        return pagesScanned * Ksm.SCAN_PAGE_NANOS + merge.merged * Ksm.MERGE_PAGE_NANOS;
    }

    /** __ksm_enter()'s list_add_tail: behind the cursor (the end of this full scan), or at the list's end. */
    void addSlot(MmStruct m, boolean atTail) {
        int at = cursor == null || atTail ? slots.size() : slots.indexOf(cursor);
        slots.add(at, m);
    }

    /** __ksm_exit(): drop the address space's rmap items and its slot; the cursor moves on if it was there. */
    void removeSlot(MmStruct m) {
        for (KsmRmapItem item : new ArrayList<>(m.ksm.items.values())) {
            trees.removeRmapItemFromTree(item);
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
                trees.seqnr++;
            }
        }
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
            merge.cmpAndMergePage(foundPfn, foundItem);
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
            ksm.advisor().startScan();
            trees.clearUnstableTree();
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
                ksm.advisor().stopScan(cpuNanos());
                trees.seqnr++;
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
            trees.removeRmapItemFromTree(next.getValue());
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
            trees.removeRmapItemFromTree(item);
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
        trees.removeRmapItemFromTree(item);
        return true;
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

    /**
     * The invariants ({@link KsmTrees#check} for the stable tree): pages_unshared is the unstable items, the per-mm
     * and global item counts agree, every PTE mapping a KSM page is read-only, and the KSM zero pages are the
     * special dirty PTEs.
     */
    void check(List<String> errors) {
        trees.check(errors);
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
        expect(errors, "ksm pages_unshared", trees.pagesUnshared, unshared);
        expect(errors, "ksm_zero_pages", zeroPages, zero);
    }

    private static void expect(List<String> errors, String what, long actual, long expected) {
        MmDebug.expect(errors, what, actual, expected);
    }
}
