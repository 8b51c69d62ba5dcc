package io.simproc.mm;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The live address spaces and what each costs the kernel besides its page tables (kernel/fork.c): mm_alloc() takes
 * an mm_struct from its slab cache and the percpu rss counters, __mmdrop() gives them back. Before the slab and
 * percpu allocators are up (early boot) an address space takes neither. Swapoff walks them all, as try_to_unuse()
 * walks init_mm.mmlist.
 */
public final class MmStructs {
    /** Dynamic percpu bytes each mm_struct takes (its rss_stat percpu counters and mm_cid). */
    static final int MM_PERCPU_BYTES = 48;

    private final MemoryManager mm;
    private final Set<MmStruct> live = new LinkedHashSet<>();

    MmStructs(MemoryManager mm) {
        this.mm = mm;
    }

    /** mm_alloc()'s allocations for a new address space. */
    void alloc(MmStruct m) {
        live.add(m);
        if (mm.slab() != null) {
            m.kobj = mm.slab().kmemCacheAlloc(mm.slab().kernelCaches().mmStruct, Gfp.GFP_KERNEL, m.homeCpu);
        }
        if (mm.percpu() != null) {
            m.percpuCounters = mm.percpu().alloc(MM_PERCPU_BYTES, m.homeCpu);
        }
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
