package io.simproc.mm;

import io.simproc.uapi.Page;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The life of address spaces (kernel/fork.c): mm_alloc() with its page global directory, dup_mmap() for fork, and
 * __mmdrop() (exit_mmap() is {@link Mmap#exitMmap}); the set of live ones, which swapoff walks as try_to_unuse()
 * walks init_mm.mmlist. Besides its page tables an address space costs an mm_struct from its slab cache and the
 * percpu rss counters; before the slab and percpu allocators are up (early boot) it takes neither.
 */
public final class MmStructs {
    /** Dynamic percpu bytes each mm_struct takes (its rss_stat percpu counters and mm_cid). */
    static final int MM_PERCPU_BYTES = 48;
    /**
     * Of them, the rss_stat counters (NR_MM_COUNTERS s32 percpu counters), allocated with GFP_KERNEL_ACCOUNT by
     * mm_init() and so charged to the group; mm_cid's part is alloc_percpu() without accounting.
     */
    static final int MM_RSS_STAT_BYTES = 4 * 4;

    private final MemoryManager mm;
    private final Set<MmStruct> live = new LinkedHashSet<>();

    MmStructs(MemoryManager mm) {
        this.mm = mm;
    }

    /** mm_alloc() + pgd_alloc(): a new, empty address space for a task on {@code cpu}; null without memory. */
    public MmStruct newMm(int cpu, long mmapBase) {
        mm.assertWriter();
        int nid = mm.cpuToNode(cpu);
        MmStruct probe = new MmStruct(mm, null);
        probe.homeCpu = cpu;
        probe.homeNid = nid;
        int pgd = mm.mmap().tableAllocator(probe).alloc();
        if (pgd < 0) {
            return null;
        }
        MmStruct m = new MmStruct(mm, new PageTable(pgd));
        m.homeCpu = cpu;
        m.homeNid = nid;
        m.mmapBase = mmapBase;
        alloc(m);
        return m;
    }

    /**
     * dup_mmap(): the child's copy of an address space. VMAs are copied (not VM_DONTCOPY ones; mlocks are not
     * inherited); anonymous memory is shared copy-on-write — both sides' PTEs made read-only, pages gaining a
     * mapping — and file mappings without anonymous pages are left to fault in again. Returns null without memory.
     */
    public MmStruct dupMmap(MmStruct old, int cpu) {
        mm.assertWriter();
        MmStruct child = newMm(cpu, old.mmapBase);
        if (child == null) {
            return null;
        }
        child.startCode = old.startCode;
        child.endCode = old.endCode;
        child.startData = old.startData;
        child.endData = old.endData;
        child.startBrk = old.startBrk;
        child.brk = old.brk;
        child.startStack = old.startStack;
        child.argStart = old.argStart;
        child.argEnd = old.argEnd;
        child.envStart = old.envStart;
        child.envEnd = old.envEnd;
        child.hiwaterVm = old.hiwaterVm;
        mm.mempolicy().inherit(old, child);
        child.memcg = old.memcg;
        child.dataClass = old.dataClass;
        mm.ksm().ksmFork(child, old);
        mm.khugepaged().khugepagedFork(child, old);
        PageTable.TableAllocator alloc = mm.mmap().tableAllocator(child);
        for (Vma v : old.vmas.values()) {
            long pages = (v.end - v.start) >>> Page.PAGE_SHIFT;
            if (v.test(VmFlags.VM_DONTCOPY)) {
                continue;
            }
            if (v.test(VmFlags.VM_ACCOUNT) && !mm.mmap().charge(child, pages, old)) {
                mm.mmap().exitMmap(child);
                return null;
            }
            Vma c = v.dup(child);
            c.flags &= ~(VmFlags.VM_LOCKED | VmFlags.VM_LOCKONFAULT);
            child.vmas.put(c.start, c);
            Mmap.vmStatAccount(child, c.flags, pages);
            if (c.file != null) {
                c.file.iMmap.add(c);
            }
            if (v.anonVma == null) {
                continue;
            }
            Rmap.anonVmaClone(c, v);
            AnonVma own = new AnonVma(mm, mm.mappings().register(null), v.anonVma.root);
            own.owner = child;
            mm.mappings().set(own.id, own);
            Rmap.anonVmaChainLink(c, own);
            c.anonVma = own;
            if (!copyPageRange(old, v, child, c, alloc)) {
                mm.mmap().exitMmap(child);
                return null;
            }
        }
        return child;
    }

    private boolean copyPageRange(MmStruct old, Vma src, MmStruct child, Vma dst, PageTable.TableAllocator alloc) {
        boolean[] ok = {true};
        boolean cow = Mmap.isCowMapping(src.flags);
        old.pgtable.walk(src.start, src.end, (addr, pte, table, i) -> {
            if (!ok[0] || (!Memory.present(pte) && !PageTable.isSwap(pte))) {
                return;
            }
            PageTable.Pte t = child.pgtable.leaf(addr, alloc);
            if (t == null) {
                ok[0] = false;
                return;
            }
            if (PageTable.isSwap(pte)) {
                mm.swap().swapDuplicate(PageTable.swapEntryOf(pte));
                child.addRss(MmStruct.MM_SWAPENTS, 1);
                PageTable.set(t, addr, pte);
                return;
            }
            long copy = pte;
            if ((pte & (PageTable._PAGE_SPECIAL | PageTable._PAGE_PSE)) == (PageTable._PAGE_SPECIAL
                    | PageTable._PAGE_PSE)) {
                mm.hugeMemory().mmGetHugeZeroFolio(child);
            }
            if (Ksm.isKsmZeroPte(pte)) {
                mm.ksm().mapZeroPage(child);
            }
            if ((pte & PageTable._PAGE_SPECIAL) == 0) {
                int pfn = (int) Memory.ptePfn(pte);
                mm.folios().get(pfn);
                mm.rmap().addMapping(pfn);
                child.addRss(MmStruct.mmCounter(mm.memMap().flags(pfn)), 1);
                if (cow && (pte & PageTable._PAGE_RW) != 0) {
                    table.entry[i] = pte & ~PageTable._PAGE_RW;
                    copy = pte & ~PageTable._PAGE_RW;
                }
            }
            PageTable.set(t, addr, copy);
        });
        return ok[0];
    }

    /** mm_alloc()'s allocations for a new address space. */
    private void alloc(MmStruct m) {
        live.add(m);
        if (mm.slab() != null) {
            m.kobj = mm.slab().kmemCacheAlloc(mm.slab().kernelCaches().mmStruct, Gfp.GFP_KERNEL, m.homeCpu);
        }
        if (mm.percpu() != null) {
            m.percpuCounters = mm.percpu().alloc(MM_PERCPU_BYTES, m.homeCpu);
            if (m.percpuCounters) {
                m.percpuObjcg = pcpuMemcgHook(m);
            }
        }
    }

    /**
     * pcpu_memcg_pre_alloc_hook() + pcpu_memcg_post_alloc_hook() of the rss_stat counters (percpu_counter_init_many
     * with GFP_KERNEL_ACCOUNT): current's group is charged pcpu_obj_full_size() and counts it in its percpu. Returns
     * the objcg charged, or null when current is in the root group or its group refused (the counters then stay
     * uncharged: the simulated percpu area is allocated at once for the mm's counters together).
     */
    private ObjCgroup pcpuMemcgHook(MmStruct m) {
        MemcgKmem kmem = mm.memcontrol().kmem();
        ObjCgroup objcg = kmem.currentObjcg();
        long size = pcpuObjFullSize(MM_RSS_STAT_BYTES);
        if (objcg == null || kmem.objCgroupCharge(objcg, Gfp.GFP_KERNEL | Gfp.__GFP_ACCOUNT, size) != 0) {
            return null;
        }
        kmem.modMemcgState(objcg, MemcgStatItem.MEMCG_PERCPU_B, size);
        return objcg;
    }

    /**
     * pcpu_obj_full_size() (mm/percpu-internal.h): the bytes in every possible CPU's unit plus an objcg pointer per
     * PCPU_MIN_ALLOC_SIZE (4 bytes) of the allocation.
     */
    long pcpuObjFullSize(long size) {
        return size * mm.nrCpus() + size / 4 * 8;
    }

    /** __mmdrop(): the address space is gone. */
    void drop(MmStruct m) {
        if (!live.remove(m)) {
            return;
        }
        if (m.kobj != 0) {
            mm.slab().kfree(m.kobj, m.homeCpu);
            m.kobj = 0;
        }
        if (m.percpuCounters) {
            if (m.percpuObjcg != null) {
                MemcgKmem kmem = mm.memcontrol().kmem();
                long size = pcpuObjFullSize(MM_RSS_STAT_BYTES);
                kmem.modMemcgState(m.percpuObjcg, MemcgStatItem.MEMCG_PERCPU_B, -size);
                kmem.objCgroupUncharge(m.percpuObjcg, size);
                m.percpuObjcg = null;
            }
            mm.percpu().free(MM_PERCPU_BYTES, m.homeCpu);
            m.percpuCounters = false;
        }
    }

    /** Whether the address space is still alive (an allocation on the way may have OOM-killed its owner). */
    boolean isLive(MmStruct m) {
        return live.contains(m);
    }

    /** Every live address space, in creation order. */
    public Collection<MmStruct> all() {
        return Collections.unmodifiableCollection(live);
    }
}
