package io.simproc.mm;

import java.util.TreeMap;

/**
 * What mm_struct and its ksm_mm_slot hold for KSM: MMF_VM_MERGEABLE (the address space is on ksmd's list),
 * MMF_VM_MERGE_ANY (prctl(PR_SET_MEMORY_MERGE): every compatible VMA is mergeable), the counters /proc/PID/ksm_stat
 * shows (ksm_rmap_items, ksm_merging_pages, ksm_zero_pages) and the slot's rmap items in address order.
 */
public final class KsmMm {
    boolean mergeable;
    boolean mergeAny;
    long rmapItems;
    long mergingPages;
    long zeroPages;
    final TreeMap<Long, KsmRmapItem> items = new TreeMap<>();

    /** MMF_VM_MERGEABLE: the address space is registered with ksmd. */
    public boolean mergeable() {
        return mergeable;
    }

    /** MMF_VM_MERGE_ANY: prctl(PR_SET_MEMORY_MERGE, 1) made every compatible VMA mergeable. */
    public boolean mergeAny() {
        return mergeAny;
    }

    /** mm->ksm_rmap_items. */
    public long rmapItems() {
        return rmapItems;
    }

    /** mm->ksm_merging_pages: pages of this address space mapped to KSM pages. */
    public long mergingPages() {
        return mergingPages;
    }

    /** mm->ksm_zero_pages: pages KSM replaced with the zero page (use_zero_pages). */
    public long zeroPages() {
        return zeroPages;
    }

    /** ksm_process_profit(): what merging saved this address space, less its rmap items. */
    public long processProfit() {
        return (mergingPages + zeroPages) * io.simproc.uapi.Page.PAGE_SIZE - rmapItems * KsmRmapItem.SIZE;
    }
}
