package io.simproc.mm;

import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * struct mm_struct: one address space — its VMAs (sorted, non-overlapping, found by address in O(log n)), its page
 * table, the RSS counters, the virtual-memory counters procfs reports (total_vm, locked_vm, data_vm, exec_vm,
 * stack_vm) and the layout of the program in it (code, data, brk, stack, arguments). Changed only through
 * {@link Mmap} and {@link Memory} on the simulation thread.
 */
public final class MmStruct {
    /** enum rss_stat item order: MM_FILEPAGES, MM_ANONPAGES, MM_SWAPENTS, MM_SHMEMPAGES. */
    public static final int MM_FILEPAGES = 0;
    public static final int MM_ANONPAGES = 1;
    public static final int MM_SWAPENTS = 2;
    public static final int MM_SHMEMPAGES = 3;

    /** mm_counter(): the RSS counter a mapped page with these flags counts in. */
    static int mmCounter(int pageFlags) {
        if ((pageFlags & PageFlags.PG_ANON) != 0) {
            return MM_ANONPAGES;
        }
        return (pageFlags & PageFlags.PG_SWAPBACKED) != 0 ? MM_SHMEMPAGES : MM_FILEPAGES;
    }

    /** TASK_SIZE for 4-level paging: the top of user space. */
    public static final long TASK_SIZE = 0x7ffffffff000L;

    final MemoryManager mm;
    final TreeMap<Long, Vma> vmas = new VmaTree(this);
    /**
     * The VMA {@link #findVma} found last, while it is in the tree (leaving it clears this); the VMAs do not overlap,
     * so one in the tree whose bounds hold an address is the VMA of that address.
     */
    Vma vmaCache;
    /** This mm_struct's object in the mm_struct slab cache. */
    long kobj;
    /** Whether its percpu counters were allocated. */
    boolean percpuCounters;
    /** The objcg its rss_stat percpu counters are charged to, null when not charged. */
    ObjCgroup percpuObjcg;
    /** MMF_HUGE_ZERO_FOLIO: this address space mapped the huge zero page and holds a reference to it. */
    boolean hugeZeroFolio;
    /** KSM's state of this address space (mm/ksm.c). */
    final KsmMm ksm = new KsmMm();
    final PageTable pgtable;
    /** hugetlb_usage: base pages of the hugetlb folios this address space maps (HugetlbPages of status). */
    long hugetlbUsage;
    final long[] rss = new long[4];
    long totalVm;
    long lockedVm;
    long pinnedVm;
    long dataVm;
    long execVm;
    long stackVm;
    long hiwaterRss;
    long hiwaterVm;
    long defFlags;
    long startCode;
    long endCode;
    long startData;
    long endData;
    long startBrk;
    long brk;
    long startStack;
    long argStart;
    long argEnd;
    long envStart;
    long envEnd;
    long mmapBase;
    /** Pages charged to vm_committed_as by this mm's VM_ACCOUNT mappings. */
    long committedPages;
    /** The node and CPU this address space's task runs on (where its pages come from). */
    int homeNid;
    /** What the process's anonymous data is like to a compressor (zram); inherited by fork. */
    DataClass dataClass = DataClass.HEAP;
    int homeCpu;
    /**
     * task->mempolicy of the task faulting in this address space (null: the default, local allocation). The
     * simulation runs an address space's faults on its home CPU, so the task's policy lives beside homeNid; exec
     * and fork carry it over as they carry the task's.
     */
    Mempolicy mempolicy;
    /**
     * The memory cgroup of the task that owns this address space (mm->owner's, get_mem_cgroup_from_mm()); null for
     * the root group. Set by the cgroup core when the owner moves ({@link Memcontrol#setMmMemcg}).
     */
    MemCgroup memcg;
    /** Where this address space's page tables come from and go to; made at its first use ({@link Mmap}). */
    PageTable.TableAllocator tableAllocator;

    MmStruct(MemoryManager mm, PageTable pgtable) {
        this.mm = mm;
        this.pgtable = pgtable;
    }

    /** The memory policy of the task(s) of this address space; null for the default (numa_maps shows "default"). */
    public Mempolicy mempolicy() {
        return mempolicy;
    }

    /**
     * find_vma(): the VMA containing addr, or null. The last VMA found is kept ({@link #vmaCache}), as mm/vmacache.c
     * kept the last ones a task found up to Linux 6.0: a run of faults in one VMA then looks the tree up once.
     */
    public Vma findVma(long addr) {
        Vma cached = vmaCache;
        if (cached != null && cached.start <= addr && addr < cached.end) {
            return cached;
        }
        Map.Entry<Long, Vma> e = vmas.floorEntry(addr);
        if (e == null || e.getValue().end <= addr) {
            return null;
        }
        vmaCache = e.getValue();
        return vmaCache;
    }

    /** The first VMA ending above addr (the kernel's find_vma semantics), or null. */
    public Vma findVmaAbove(long addr) {
        Vma v = findVma(addr);
        if (v != null) {
            return v;
        }
        Map.Entry<Long, Vma> e = vmas.higherEntry(addr);
        return e == null ? null : e.getValue();
    }

    /** All VMAs in address order. */
    public Collection<Vma> vmas() {
        return Collections.unmodifiableCollection(vmas.values());
    }

    public int mapCount() {
        return vmas.size();
    }

    /** KSM's flags and counters of this address space. */
    public KsmMm ksm() {
        return ksm;
    }

    public PageTable pageTable() {
        return pgtable;
    }

    /** get_mm_counter(). */
    public long rss(int member) {
        return rss[member];
    }

    /** get_mm_rss(): file + anon + shmem resident pages. */
    public long rssPages() {
        return rss[MM_FILEPAGES] + rss[MM_ANONPAGES] + rss[MM_SHMEMPAGES];
    }

    public long totalVm() {
        return totalVm;
    }

    public long lockedVm() {
        return lockedVm;
    }

    public long pinnedVm() {
        return pinnedVm;
    }

    public long dataVm() {
        return dataVm;
    }

    public long execVm() {
        return execVm;
    }

    public long stackVm() {
        return stackVm;
    }

    /** VmHWM: peak resident set, max of the recorded peak and the current RSS. */
    public long hiwaterRss() {
        return Math.max(hiwaterRss, rssPages());
    }

    /** VmPeak: peak virtual size. */
    public long hiwaterVm() {
        return Math.max(hiwaterVm, totalVm);
    }

    public long pgtablesBytes() {
        return pgtable.pgtablesBytes();
    }

    public long startCode() {
        return startCode;
    }

    public long endCode() {
        return endCode;
    }

    public long startData() {
        return startData;
    }

    public long endData() {
        return endData;
    }

    public long startBrk() {
        return startBrk;
    }

    public long brk() {
        return brk;
    }

    public long startStack() {
        return startStack;
    }

    public long argStart() {
        return argStart;
    }

    public long argEnd() {
        return argEnd;
    }

    public long envStart() {
        return envStart;
    }

    public long envEnd() {
        return envEnd;
    }

    /** hugetlb_usage, in base pages. */
    public long hugetlbUsage() {
        return hugetlbUsage;
    }

    public long committedPages() {
        return committedPages;
    }

    public long defFlags() {
        return defFlags;
    }

    void addRss(int member, long delta) {
        rss[member] += delta;
        if (delta > 0) {
            long now = rssPages();
            if (now > hiwaterRss) {
                hiwaterRss = now;
            }
        }
    }

    /** Record the program layout exec set up (the fields /proc/PID/stat and status report). */
    public void setLayout(long startCode, long endCode, long startData, long endData, long startStack,
                          long argStart, long argEnd, long envStart, long envEnd) {
        mm.assertWriter();
        this.startCode = startCode;
        this.endCode = endCode;
        this.startData = startData;
        this.endData = endData;
        this.startStack = startStack;
        this.argStart = argStart;
        this.argEnd = argEnd;
        this.envStart = envStart;
        this.envEnd = envEnd;
    }

    /** Receives a mapped page: its address and pfn. */
    @FunctionalInterface
    public interface PageVisitor {
        void accept(long addr, int pfn);
    }

    /** Visit every present page this address space maps (not the zero page), in address order. */
    public void forEachPresentPage(PageVisitor visitor) {
        for (Vma v : vmas.values()) {
            pgtable.scan(v.start, v.end, (addr, pte) -> {
                if (PageTable.isPresent(pte) && (pte & PageTable._PAGE_SPECIAL) == 0) {
                    visitor.accept(addr, PageTable.pfnOf(pte));
                }
            });
        }
    }

    public DataClass dataClass() {
        return dataClass;
    }

    /** The class of the data the process writes from now on, and of what it has written (a scenario's say). */
    public void setDataClass(DataClass dataClass) {
        this.dataClass = dataClass;
    }
}
