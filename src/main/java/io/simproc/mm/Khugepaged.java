package io.simproc.mm;

import io.simproc.uapi.Errno;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * khugepaged (mm/khugepaged.c): the address spaces registered with it (mm_slots, {@link #khugepagedEnterVma}), the
 * kernel thread — woken every {@code scan_sleep_millisecs}, it scans {@code pages_to_scan} PTEs over the slots
 * ({@code khugepaged_do_scan}, {@code khugepaged_scan_mm_slot}) and collapses the aligned 2 MiB ranges that qualify
 * into transparent huge pages ({@link KhugepagedCollapse}) — its knobs
 * (/sys/kernel/mm/transparent_hugepage/khugepaged) and counters.
 *
 * <p>An address space is registered (MMF_VM_HUGEPAGE) when one of its VMAs becomes eligible while THP is not
 * "never": at mmap and brk, at madvise(MADV_HUGEPAGE), at a fault that THP may serve, and at fork of a registered
 * parent. It stays registered until it exits; the slot the scan is on is collected by the scan itself. The thread
 * runs while THP is enabled (start_stop_khugepaged) and waits without a timer while no address space is
 * registered. After a failed huge page allocation it sleeps {@code alloc_sleep_millisecs} and tries once more in
 * the same batch, then gives the batch up.
 *
 * <p>Reclaim run by its allocations counts as pgscan_khugepaged and pgsteal_khugepaged (reclaimer_offset() of
 * mm/vmscan.c: {@link #currentIsKhugepaged}). Its CPU time is the PTEs it examined and the pages it copied at this
 * model's costs, plus that reclaim.
 */
public final class Khugepaged {
    /** khugepaged_pages_to_scan's default: HPAGE_PMD_NR × 8. */
    public static final int DEFAULT_PAGES_TO_SCAN = HugeMemory.HPAGE_PMD_NR * 8;
    /** khugepaged's CPU time per PTE examined and per page copied into a new huge page: this model's costs. */
    public static final long SCAN_PTE_NANOS = 100;
    public static final long COPY_PAGE_NANOS = 1_000;

    private final MemoryManager mm;
    private final KhugepagedCollapse collapse;
    /** khugepaged_scan.mm_head: the registered address spaces, in registration order. */
    private final List<MmStruct> slots = new ArrayList<>();
    /** mm_slots_hash: the same address spaces, for lookup. */
    private final Set<MmStruct> registered = new HashSet<>();
    /** khugepaged_scan.mm_slot: the address space being scanned, null between full scans. */
    private MmStruct cursor;
    /** khugepaged_scan.address. */
    private long address;
    long pagesToScan = DEFAULT_PAGES_TO_SCAN;
    long scanSleepMillisecs = 10_000;
    long allocSleepMillisecs = 60_000;
    int maxPtesNone = HugeMemory.HPAGE_PMD_NR - 1;
    int maxPtesSwap = HugeMemory.HPAGE_PMD_NR / 8;
    int maxPtesShared = HugeMemory.HPAGE_PMD_NR / 2;
    /** TRANSPARENT_HUGEPAGE_KHUGEPAGED_DEFRAG_FLAG: allocate with GFP_TRANSHUGE (reclaim, compact), else _LIGHT. */
    boolean defrag = true;
    long pagesCollapsed;
    long fullScans;
    long ptesScanned;
    long pagesCopied;
    /** current_is_khugepaged(): set while khugepaged allocates, so that its reclaim counts as its own. */
    private boolean current;
    /** Bumped whenever the thread is woken, put to sleep or stopped, so that only its latest timer runs. */
    private long generation;
    /** kthread_run() at boot or start_stop_khugepaged(): the thread exists while THP is not "never". */
    private boolean threadRunning;
    /** The thread sleeps with a timer ({@link #next} runs when it fires). */
    private boolean sleeping;
    private Runnable next;

    Khugepaged(MemoryManager mm) {
        this.mm = mm;
        this.collapse = new KhugepagedCollapse(mm, this);
        this.threadRunning = mm.config().thp() != KernelConfig.ThpMode.NEVER;
    }

    // ---------------------------------------------------------------------------------------------------------
    // registration

    /**
     * khugepaged_enter_vma(): an address space not yet registered is, when THP is not "never" and this VMA may hold
     * a PMD-sized THP (thp_vma_allowable_order with TVA_KHUGEPAGED).
     */
    void khugepagedEnterVma(Vma vma, long vmFlags) {
        if (registered.contains(vma.mm) || !mm.hugeMemory().flags().hugepagePmdEnabled()) {
            return;
        }
        long saved = vma.flags;
        vma.flags = vmFlags;
        boolean allowable = HugeMemory.vmaAllowable(vma, mm.hugeMemory().flags().enabled());
        vma.flags = saved;
        if (allowable) {
            khugepagedEnter(vma.mm);
        }
    }

    /** __khugepaged_enter(): the slot goes at the list's tail; the thread is woken when the list was empty. */
    private void khugepagedEnter(MmStruct m) {
        if (!mm.mmStructs().isLive(m) || !registered.add(m)) {
            return;
        }
        boolean wakeup = slots.isEmpty();
        slots.add(m);
        if (wakeup) {
            wakeUp();
        }
    }

    /** khugepaged_fork(): the child of a registered address space is registered. */
    void khugepagedFork(MmStruct child, MmStruct parent) {
        if (registered.contains(parent)) {
            khugepagedEnter(child);
        }
    }

    /**
     * __khugepaged_exit(): the slot goes at once unless the scan is on it; then the scan collects it (it sees the
     * address space exiting).
     */
    void khugepagedExit(MmStruct m) {
        if (registered.contains(m) && cursor != m) {
            slots.remove(m);
            registered.remove(m);
        }
    }

    /** Whether the address space is registered with khugepaged (MMF_VM_HUGEPAGE: "thp_enabled" aside). */
    public boolean isRegistered(MmStruct m) {
        return registered.contains(m);
    }

    // ---------------------------------------------------------------------------------------------------------
    // the thread

    /** khugepaged_has_work(). */
    private boolean hasWork() {
        return !slots.isEmpty() && mm.hugeMemory().flags().hugepagePmdEnabled();
    }

    /**
     * start_stop_khugepaged() after a change of THP's enabled mode: a stopped thread starts (and runs a batch at
     * once), a running one waiting for work is woken; with "never" it is stopped. Registrations stay.
     */
    void startStop() {
        if (mm.hugeMemory().flags().hugepagePmdEnabled()) {
            if (!threadRunning) {
                threadRunning = true;
                sleep(0, this::khugepaged);
            } else if (!slots.isEmpty()) {
                wakeUp();
            }
            return;
        }
        threadRunning = false;
        generation++;
        sleeping = false;
        next = null;
    }

    /** wake_up_interruptible(&khugepaged_wait): a running thread waiting (without a timer) for work runs now. */
    private void wakeUp() {
        if (threadRunning && !sleeping) {
            sleep(0, this::khugepaged);
        }
    }

    /** A knob store's wake_up_interruptible() with khugepaged_sleep_expire = 0: a sleeping thread runs now. */
    private void wakeSleeper() {
        if (sleeping) {
            sleep(0, next);
        }
    }

    private void sleep(long delayJiffies, Runnable then) {
        long gen = ++generation;
        sleeping = true;
        next = then;
        mm.services().schedule(delayJiffies, () -> {
            if (gen == generation) {
                sleeping = false;
                next = null;
                then.run();
            }
        });
    }

    /** One turn of khugepaged(): a batch, then khugepaged_wait_work(). */
    private void khugepaged() {
        mm.assertWriter();
        if (mm.hugeMemory().flags().hugepagePmdEnabled()) {
            khugepagedDoScan(0, true);
        }
    }

    /**
     * khugepaged_do_scan() from {@code progress} PTEs: slots are scanned until pages_to_scan is reached or the list
     * passed its head twice. A failed allocation puts the thread to sleep for alloc_sleep_millisecs the first time
     * ({@code wait}); the second ends the batch.
     */
    private void khugepagedDoScan(long progress, boolean wait) {
        long pages = pagesToScan;
        int passThroughHead = 0;
        while (true) {
            if (cursor == null) {
                passThroughHead++;
            }
            int[] result = {KhugepagedCollapse.SCAN_SUCCEED};
            if (hasWork() && passThroughHead < 2) {
                progress += khugepagedScanMmSlot(pages - progress, result);
            } else {
                progress = pages;
            }
            if (progress >= pages) {
                break;
            }
            if (result[0] == KhugepagedCollapse.SCAN_ALLOC_HUGE_PAGE_FAIL) {
                if (!wait) {
                    break;
                }
                long resumeAt = progress;
                sleep(msecsToJiffies(allocSleepMillisecs), () -> khugepagedDoScan(resumeAt, false));
                return;
            }
        }
        khugepagedWaitWork();
    }

    /** khugepaged_wait_work(): scan_sleep_millisecs while there is work, else wait (no timer) for a registration. */
    private void khugepagedWaitWork() {
        if (hasWork()) {
            sleep(Math.max(1, msecsToJiffies(scanSleepMillisecs)), this::khugepaged);
        }
    }

    private static long msecsToJiffies(long ms) {
        long perJiffy = 1000 / KernelServices.HZ;
        return (ms + perJiffy - 1) / perJiffy;
    }

    /**
     * khugepaged_scan_mm_slot(): from the cursor's address, each PMD-aligned range of the address space's eligible
     * VMAs is scanned (and collapsed when it qualifies) until {@code pages} is reached; a collapse attempt ends the
     * turn (it dropped mmap_lock). A scanned-through or exiting address space passes the cursor on (a full scan
     * when it was the last) and an exiting one is collected. Returns the progress made.
     */
    private long khugepagedScanMmSlot(long pages, int[] result) {
        if (cursor == null) {
            cursor = slots.get(0);
            address = 0;
        }
        MmStruct m = cursor;
        long progress = 1;
        boolean done = true;
        if (mm.mmStructs().isLive(m)) {
            Vma vma = vmaFrom(m, address);
            scan:
            for (; vma != null; vma = nextVma(m, vma)) {
                if (!HugeMemory.vmaAllowable(vma, mm.hugeMemory().flags().enabled())) {
                    progress++;
                    continue;
                }
                long hstart = (vma.start + HugeMemory.HPAGE_PMD_SIZE - 1) & ~(HugeMemory.HPAGE_PMD_SIZE - 1);
                long hend = vma.end & ~(HugeMemory.HPAGE_PMD_SIZE - 1);
                if (address > hend) {
                    progress++;
                    continue;
                }
                if (address < hstart) {
                    address = hstart;
                }
                while (address < hend) {
                    boolean[] mmapLocked = {true};
                    result[0] = collapse.hpageCollapseScanPmd(m, vma, address, mmapLocked, true);
                    if (result[0] == KhugepagedCollapse.SCAN_SUCCEED) {
                        pagesCollapsed++;
                    }
                    address += HugeMemory.HPAGE_PMD_SIZE;
                    progress += HugeMemory.HPAGE_PMD_NR;
                    if (!mmapLocked[0] || progress >= pages) {
                        done = false;
                        break scan;
                    }
                }
            }
            done = done && vma == null;
        }
        if (!mm.mmStructs().isLive(m) || done) {
            int i = slots.indexOf(m);
            cursor = i + 1 < slots.size() ? slots.get(i + 1) : null;
            address = 0;
            if (cursor == null) {
                fullScans++;
            }
            if (!mm.mmStructs().isLive(m)) {
                slots.remove(i);
                registered.remove(m);
            }
        }
        return progress;
    }

    /** vma_iter_init(address): the VMA holding {@code addr} or the first above it. */
    private static Vma vmaFrom(MmStruct m, long addr) {
        Map.Entry<Long, Vma> e = m.vmas.floorEntry(addr);
        if (e != null && e.getValue().end > addr) {
            return e.getValue();
        }
        Map.Entry<Long, Vma> h = m.vmas.higherEntry(addr);
        return h == null ? null : h.getValue();
    }

    private static Vma nextVma(MmStruct m, Vma v) {
        Map.Entry<Long, Vma> h = m.vmas.higherEntry(v.start);
        return h == null ? null : h.getValue();
    }

    /** current_is_khugepaged(). */
    public boolean currentIsKhugepaged() {
        return current;
    }

    /** Run an allocation (or charge) as khugepaged's: its reclaim counts as khugepaged's. */
    int asKhugepaged(java.util.function.IntSupplier alloc) {
        boolean was = current;
        current = true;
        try {
            return alloc.getAsInt();
        } finally {
            current = was;
        }
    }

    /** alloc_hugepage_khugepaged_gfpmask(): GFP_TRANSHUGE with khugepaged/defrag, else GFP_TRANSHUGE_LIGHT. */
    int gfpMask() {
        return defrag ? Gfp.GFP_TRANSHUGE : Gfp.GFP_TRANSHUGE_LIGHT;
    }

    /** khugepaged's CPU time so far at this model's costs, its reclaim aside. */
    public long cpuNanos() {
        return ptesScanned * SCAN_PTE_NANOS + pagesCopied * COPY_PAGE_NANOS;
    }

    // ---------------------------------------------------------------------------------------------------------
    // the knobs (mm/khugepaged.c *_store); each returns 0 or -errno and changes nothing on error

    public long pagesToScan() {
        return pagesToScan;
    }

    /** pages_to_scan_store(): kstrtouint, not 0. */
    public int setPagesToScan(long v) {
        if (v <= 0 || v > 0xffffffffL) {
            return -Errno.EINVAL;
        }
        pagesToScan = v;
        return 0;
    }

    public long scanSleepMillisecs() {
        return scanSleepMillisecs;
    }

    /** scan_sleep_millisecs_store(): kstrtouint; khugepaged_sleep_expire = 0 and the thread is woken. */
    public int setScanSleepMillisecs(long v) {
        mm.assertWriter();
        if (v < 0 || v > 0xffffffffL) {
            return -Errno.EINVAL;
        }
        scanSleepMillisecs = v;
        wakeSleeper();
        return 0;
    }

    public long allocSleepMillisecs() {
        return allocSleepMillisecs;
    }

    /** alloc_sleep_millisecs_store(): kstrtouint; the thread is woken. */
    public int setAllocSleepMillisecs(long v) {
        mm.assertWriter();
        if (v < 0 || v > 0xffffffffL) {
            return -Errno.EINVAL;
        }
        allocSleepMillisecs = v;
        wakeSleeper();
        return 0;
    }

    public int maxPtesNone() {
        return maxPtesNone;
    }

    /** max_ptes_none_store(): kstrtoul, at most HPAGE_PMD_NR - 1. */
    public int setMaxPtesNone(long v) {
        if (v < 0 || v > HugeMemory.HPAGE_PMD_NR - 1) {
            return -Errno.EINVAL;
        }
        maxPtesNone = (int) v;
        return 0;
    }

    public int maxPtesSwap() {
        return maxPtesSwap;
    }

    /** max_ptes_swap_store(): kstrtoul, at most HPAGE_PMD_NR - 1. */
    public int setMaxPtesSwap(long v) {
        if (v < 0 || v > HugeMemory.HPAGE_PMD_NR - 1) {
            return -Errno.EINVAL;
        }
        maxPtesSwap = (int) v;
        return 0;
    }

    public int maxPtesShared() {
        return maxPtesShared;
    }

    /** max_ptes_shared_store(): kstrtoul, at most HPAGE_PMD_NR - 1. */
    public int setMaxPtesShared(long v) {
        if (v < 0 || v > HugeMemory.HPAGE_PMD_NR - 1) {
            return -Errno.EINVAL;
        }
        maxPtesShared = (int) v;
        return 0;
    }

    public boolean defrag() {
        return defrag;
    }

    /** khugepaged/defrag's single_hugepage_flag_store(). */
    public void setDefrag(boolean v) {
        defrag = v;
    }

    /** pages_collapsed: PMD ranges khugepaged collapsed. */
    public long pagesCollapsed() {
        return pagesCollapsed;
    }

    /** full_scans: passes of the scan over the whole list. */
    public long fullScans() {
        return fullScans;
    }

    // ---------------------------------------------------------------------------------------------------------
    // invariants

    /**
     * The slot list is the set of registered address spaces, each once; each is live except possibly the one the
     * scan is on (collected by the scan); the cursor is on the list or null; pages_collapsed counts collapses whose
     * allocation thp_collapse_alloc counted.
     */
    void check(List<String> errors) {
        if (slots.size() != registered.size() || !registered.containsAll(slots)) {
            errors.add("khugepaged: mm_slot list " + slots.size() + " != registered " + registered.size());
        }
        for (MmStruct m : slots) {
            if (m != cursor && !mm.mmStructs().isLive(m)) {
                errors.add("khugepaged: an exited address space is still registered");
            }
        }
        if (cursor != null && !registered.contains(cursor)) {
            errors.add("khugepaged: the scan cursor is not on the mm_slot list");
        }
        long allocs = mm.vmstat().event(VmEvent.THP_COLLAPSE_ALLOC);
        if (pagesCollapsed + collapse.madvCollapsed > allocs) {
            errors.add("khugepaged: pages_collapsed " + pagesCollapsed + " + MADV_COLLAPSE " + collapse.madvCollapsed
                    + " > thp_collapse_alloc " + allocs);
        }
    }

    KhugepagedCollapse collapse() {
        return collapse;
    }
}
