package io.simproc.mm;

import io.simproc.uapi.Errno;

import java.util.ArrayList;
import java.util.List;

/**
 * Kernel samepage merging (mm/ksm.c): its knobs (/sys/kernel/mm/ksm), the address spaces registered with ksmd
 * (madvise(MADV_MERGEABLE) of a range, prctl(PR_SET_MEMORY_MERGE) of a whole process), ksmd itself — a kernel
 * thread woken every sleep_millisecs that scans pages_to_scan pages ({@link KsmScan}) — unmerging
 * (MADV_UNMERGEABLE, run = 2) and the global counters. A KSM page is one write-protected anonymous page shared by
 * every virtual page whose data (content word) was the same; a write to it copies it (do_wp_page, cow_ksm).
 *
 * <p>Model limits, each a place where the kernel does more: the scanner passes over transparent huge pages and
 * VM_LOCKED VMAs instead of splitting or munlocking, and merges only pages mapped once and not in the swap cache
 * (a page shared by fork is left until copy-on-write makes it private); KSM pages are not migrated by compaction and reclaim keeps them (so
 * no swapped KSM page needs ksm_might_need_to_copy, ksm_swpin_copy stays 0); a chain's dups are simply the stable
 * nodes of one content word in one tree (no pruning delay).
 */
public final class Ksm {
    static final int KSM_RUN_STOP = 0;
    static final int KSM_RUN_MERGE = 1;
    static final int KSM_RUN_UNMERGE = 2;
    /** DEFAULT_PAGES_TO_SCAN. */
    static final int DEFAULT_PAGES_TO_SCAN = 100;
    /** ksmd's CPU time per page scanned (checksum, tree search, page walk) and per page merged: this model's cost. */
    public static final long SCAN_PAGE_NANOS = 1_000;
    public static final long MERGE_PAGE_NANOS = 2_000;

    private final MemoryManager mm;
    private final KsmScan scan;
    private final KsmAdvisor advisor;
    int run = KSM_RUN_STOP;
    long pagesToScan = DEFAULT_PAGES_TO_SCAN;
    long sleepMillisecs = 20;
    boolean mergeAcrossNodes = true;
    boolean useZeroPages;
    int maxPageSharing = 256;
    long stableNodeChainsPruneMillisecs = 2000;
    boolean smartScan = true;
    /** Bumped whenever ksmd is woken or put to sleep, so that only its latest timer runs. */
    private long ksmdGeneration;
    private boolean ksmdPending;

    Ksm(MemoryManager mm) {
        this.mm = mm;
        this.scan = new KsmScan(mm, this);
        this.advisor = new KsmAdvisor(mm, this);
    }

    /** The scan-time advisor (advisor_mode and its knobs). */
    public KsmAdvisor advisor() {
        return advisor;
    }

    KsmScan scan() {
        return scan;
    }

    // ---------------------------------------------------------------------------------------------------------
    // ksmd

    /** ksmd_should_run(): merging is on and some address space is registered. */
    boolean ksmdShouldRun() {
        return (run & KSM_RUN_MERGE) != 0 && !scan.slots().isEmpty();
    }

    /**
     * wake_up_interruptible(&ksm_thread_wait): an idle ksmd that should run starts a batch now; one sleeping between
     * batches keeps its sleep.
     */
    private void wakeKsmd() {
        if (!ksmdShouldRun() || ksmdPending) {
            return;
        }
        scheduleKsmd(0);
    }

    private void scheduleKsmd(long delay) {
        long generation = ++ksmdGeneration;
        ksmdPending = true;
        mm.services().schedule(delay, () -> {
            if (generation == ksmdGeneration) {
                ksmdPending = false;
                ksmScanThread();
            }
        });
    }

    /** One turn of ksm_scan_thread(): a batch of pages_to_scan, then sleep_millisecs (at least a tick). */
    private void ksmScanThread() {
        mm.assertWriter();
        if (!ksmdShouldRun()) {
            return;
        }
        scan.ksmDoScan(pagesToScan);
        if (ksmdShouldRun()) {
            scheduleKsmd(Math.max(1, msecsToJiffies(sleepMillisecs)));
        }
    }

    private static long msecsToJiffies(long ms) {
        long perJiffy = 1000 / KernelServices.HZ;
        return (ms + perJiffy - 1) / perJiffy;
    }

    /** Whether ksmd has a batch scheduled (it is "running" between batches). */
    public boolean ksmdPending() {
        return ksmdPending;
    }

    // ---------------------------------------------------------------------------------------------------------
    // madvise, prctl, fork and exit

    /** vma_ksm_compatible(): the kinds of mapping KSM ignores advice for. */
    static boolean vmaKsmCompatible(Vma vma) {
        return vmaKsmCompatible(vma.flags);
    }

    static boolean vmaKsmCompatible(long flags) {
        return (flags & (VmFlags.VM_SHARED | VmFlags.VM_MAYSHARE | VmFlags.VM_PFNMAP | VmFlags.VM_IO
                | VmFlags.VM_DONTEXPAND | VmFlags.VM_HUGETLB | VmFlags.VM_MIXEDMAP)) == 0;
    }

    /** __ksm_enter(): the address space joins ksmd's list (just behind the scan cursor) and ksmd is woken. */
    void ksmEnter(MmStruct m) {
        if (m.ksm.mergeable) {
            return;
        }
        m.ksm.mergeable = true;
        scan.addSlot(m, (run & KSM_RUN_UNMERGE) != 0);
        wakeKsmd();
    }

    /**
     * ksm_madvise() over one VMA's part [start, end): MADV_MERGEABLE sets VM_MERGEABLE on a compatible VMA (and
     * registers the address space), MADV_UNMERGEABLE first breaks every KSM page of the range back into private
     * copies. The caller splits the VMA at the range's edges. Returns the VMA's new flags.
     */
    long ksmMadvise(Vma vma, long start, long end, boolean merge) {
        if (merge) {
            if (vma.test(VmFlags.VM_MERGEABLE) || !vmaKsmCompatible(vma)) {
                return vma.flags;
            }
            ksmEnter(vma.mm);
            return vma.flags | VmFlags.VM_MERGEABLE;
        }
        if (!vma.test(VmFlags.VM_MERGEABLE)) {
            return vma.flags;
        }
        if (vma.anonVma != null) {
            unmergeKsmPages(vma, start, end);
        }
        return vma.flags & ~VmFlags.VM_MERGEABLE;
    }

    /**
     * prctl(PR_SET_MEMORY_MERGE, 1): ksm_enable_merge_any() — every compatible VMA, present and future, is mergeable;
     * 0: ksm_disable_merge_any() — unmerge them all and clear VM_MERGEABLE.
     */
    public int setMemoryMerge(MmStruct m, boolean on) {
        mm.assertWriter();
        if (on) {
            if (m.ksm.mergeAny) {
                return 0;
            }
            ksmEnter(m);
            m.ksm.mergeAny = true;
            for (Vma v : m.vmas.values()) {
                ksmAddVma(v);
            }
            return 0;
        }
        if (!m.ksm.mergeAny) {
            return 0;
        }
        for (Vma v : m.vmas.values()) {
            if (v.test(VmFlags.VM_MERGEABLE)) {
                if (v.anonVma != null) {
                    unmergeKsmPages(v, v.start, v.end);
                }
                v.flags &= ~VmFlags.VM_MERGEABLE;
            }
        }
        m.ksm.mergeAny = false;
        return 0;
    }

    /** ksm_add_vma(): a new VMA of a merge-any address space is mergeable if compatible. */
    public void ksmAddVma(Vma vma) {
        if (vma.mm.ksm.mergeAny && vmaKsmCompatible(vma)) {
            vma.flags |= VmFlags.VM_MERGEABLE;
        }
    }

    /** ksm_add_vma() at mmap and brk: the flags of a new mapping of {@code m}. */
    static long ksmVmaFlags(MmStruct m, long flags) {
        return m.ksm.mergeAny && vmaKsmCompatible(flags) ? flags | VmFlags.VM_MERGEABLE : flags;
    }

    /** ksm_fork(): a child of a registered address space is registered too (merge-any is inherited). */
    void ksmFork(MmStruct child, MmStruct parent) {
        if (parent.ksm.mergeable) {
            child.ksm.mergeAny = parent.ksm.mergeAny;
            ksmEnter(child);
        }
    }

    /** ksm_exit(): the address space leaves ksmd's list, its rmap items leave the trees. */
    void ksmExit(MmStruct m) {
        if (!m.ksm.mergeable) {
            return;
        }
        scan.removeSlot(m);
        m.ksm.mergeable = false;
        m.ksm.mergeAny = false;
    }

    /**
     * unmerge_ksm_pages(): break_ksm() at every address of the range that maps a KSM page or KSM's zero page — an
     * unsharing fault gives the mapping a private copy of the same data.
     */
    void unmergeKsmPages(Vma vma, long start, long end) {
        List<Long> addrs = new ArrayList<>();
        vma.mm.pgtable.scan(start, end, (addr, pte) -> {
            if (PageTable.isPresent(pte) && (isKsmZeroPte(pte) || ((pte & PageTable._PAGE_SPECIAL) == 0
                    && mm.memMap().test(PageTable.pfnOf(pte), PageFlags.PG_KSM)))) {
                addrs.add(addr);
            }
        });
        for (long addr : addrs) {
            mm.memory().unshareKsm(vma.mm, vma, addr);
        }
    }

    /** is_ksm_zero_pte(): KSM's zero page is mapped special and dirty, the fault path's clean. */
    static boolean isKsmZeroPte(long pte) {
        return (pte & (PageTable._PAGE_SPECIAL | PageTable._PAGE_DIRTY | PageTable._PAGE_PSE))
                == (PageTable._PAGE_SPECIAL | PageTable._PAGE_DIRTY);
    }

    /** ksm_map_zero_page(). */
    void mapZeroPage(MmStruct m) {
        scan.zeroPages++;
        m.ksm.zeroPages++;
    }

    /** ksm_might_unmap_zero_page(): a PTE going away or being replaced was KSM's zero page. */
    void mightUnmapZeroPage(MmStruct m, long pte) {
        if (isKsmZeroPte(pte)) {
            scan.zeroPages--;
            m.ksm.zeroPages--;
        }
    }

    /** A KSM page is being freed (its last mapping went): its stable node leaves the tree with its rmap items. */
    void folioFreed(int pfn) {
        Object node = mm.mappings().get(mm.memMap().mapping(pfn));
        if (node instanceof KsmStableNode n && n.kpfn == pfn) {
            scan.trees().removeNodeFromStableTree(n);
        }
    }

    /** The stable node a KSM page's mapping names, or null. */
    KsmStableNode stableNode(int pfn) {
        if (!mm.memMap().test(pfn, PageFlags.PG_KSM)) {
            return null;
        }
        return mm.mappings().get(mm.memMap().mapping(pfn)) instanceof KsmStableNode n ? n : null;
    }

    // ---------------------------------------------------------------------------------------------------------
    // the knobs (run_store and friends); each returns 0 or -errno and changes nothing on error

    public int run() {
        return run;
    }

    /**
     * run_store(): 0 stops ksmd, 1 sets it running, 2 stops it and unmerges every KSM page, removing all rmap items
     * (the address spaces stay registered for a later 1).
     */
    public int setRun(long flags) {
        mm.assertWriter();
        if (flags < 0 || flags > KSM_RUN_UNMERGE) {
            return -Errno.EINVAL;
        }
        if (run != flags) {
            run = (int) flags;
            if ((flags & KSM_RUN_UNMERGE) != 0) {
                scan.unmergeAndRemoveAllRmapItems();
            }
        }
        if ((flags & KSM_RUN_MERGE) != 0) {
            wakeKsmd();
        }
        return 0;
    }

    public long pagesToScan() {
        return pagesToScan;
    }

    /** pages_to_scan_store(): EINVAL while an advisor sets it. */
    public int setPagesToScan(long v) {
        if (advisor.scanTimeMode()) {
            return -Errno.EINVAL;
        }
        pagesToScan = v;
        return 0;
    }

    public long sleepMillisecs() {
        return sleepMillisecs;
    }

    /** sleep_millisecs_store(): ksmd, if asleep, wakes and starts its new sleep now. */
    public void setSleepMillisecs(long v) {
        mm.assertWriter();
        sleepMillisecs = v;
        if (ksmdPending) {
            scheduleKsmd(0);
        }
    }

    public boolean mergeAcrossNodes() {
        return mergeAcrossNodes;
    }

    /** merge_across_nodes_store(): EBUSY while there are KSM pages. */
    public int setMergeAcrossNodes(boolean v) {
        if (v != mergeAcrossNodes) {
            if (scan.trees().pagesShared > 0) {
                return -Errno.EBUSY;
            }
            mergeAcrossNodes = v;
        }
        return 0;
    }

    public boolean useZeroPages() {
        return useZeroPages;
    }

    public void setUseZeroPages(boolean v) {
        useZeroPages = v;
    }

    public int maxPageSharing() {
        return maxPageSharing;
    }

    /** max_page_sharing_store(): at least 2; EBUSY while there are KSM pages. */
    public int setMaxPageSharing(long v) {
        if (v < 2) {
            return -Errno.EINVAL;
        }
        if (v != maxPageSharing) {
            if (scan.trees().pagesShared > 0) {
                return -Errno.EBUSY;
            }
            maxPageSharing = (int) v;
        }
        return 0;
    }

    public long stableNodeChainsPruneMillisecs() {
        return stableNodeChainsPruneMillisecs;
    }

    public void setStableNodeChainsPruneMillisecs(long v) {
        stableNodeChainsPruneMillisecs = v;
    }

    public boolean smartScan() {
        return smartScan;
    }

    public void setSmartScan(boolean v) {
        smartScan = v;
    }

    // ---------------------------------------------------------------------------------------------------------
    // the counters

    public long pagesScanned() {
        return scan.pagesScanned;
    }

    public long pagesShared() {
        return scan.trees().pagesShared;
    }

    public long pagesSharing() {
        return scan.trees().pagesSharing;
    }

    public long pagesUnshared() {
        return scan.trees().pagesUnshared;
    }

    public long pagesSkipped() {
        return scan.pagesSkipped;
    }

    /** pages_volatile_show(): rmap items neither in the stable nor in the unstable tree (never negative). */
    public long pagesVolatile() {
        return Math.max(0, scan.rmapItems - scan.trees().pagesShared - scan.trees().pagesSharing - scan.trees().pagesUnshared);
    }

    public long ksmZeroPages() {
        return scan.zeroPages;
    }

    /** full_scans: ksm_scan.trees().seqnr. */
    public long fullScans() {
        return scan.trees().seqnr;
    }

    /** general_profit_show(). */
    public long generalProfit() {
        return (scan.trees().pagesSharing + scan.zeroPages) * io.simproc.uapi.Page.PAGE_SIZE
                - scan.rmapItems * KsmRmapItem.SIZE;
    }

    public long stableNodeChains() {
        return scan.trees().stableNodeChains();
    }

    public long stableNodeDups() {
        return scan.trees().stableNodeDups();
    }

    /** ksmd's CPU time so far (pages scanned and merged at this model's costs). */
    public long cpuNanos() {
        return scan.cpuNanos();
    }

    /** ksm_process_mergeable(): some VMA of the address space is VM_MERGEABLE. */
    public static boolean processMergeable(MmStruct m) {
        for (Vma v : m.vmas.values()) {
            if (v.test(VmFlags.VM_MERGEABLE)) {
                return true;
            }
        }
        return false;
    }

    /** The invariants of the trees and KSM pages ({@link KsmScan#check}). */
    void check(List<String> errors) {
        scan.check(errors);
    }
}
