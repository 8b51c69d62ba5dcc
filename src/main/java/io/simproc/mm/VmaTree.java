package io.simproc.mm;

import io.simproc.mm.slab.Slab;

import java.util.TreeMap;

/**
 * The VMA tree of one address space (mm->mm_mt) keyed by start address. A VMA entering the tree gets its
 * vm_area_struct from the vm_area_cachep slab cache (vm_area_alloc) and gives it back when it leaves
 * (vm_area_free), so the cache's objects are the VMAs of every address space. A VMA leaving the tree is no longer
 * the owner's {@link MmStruct#vmaCache}.
 */
final class VmaTree extends TreeMap<Long, Vma> {
    private static final long serialVersionUID = 1L;
    private final transient MmStruct owner;

    VmaTree(MmStruct owner) {
        this.owner = owner;
    }

    @Override
    public Vma put(Long start, Vma vma) {
        Vma old = super.put(start, vma);
        if (old != vma) {
            release(old);
            Slab slab = owner.mm.slab();
            if (vma.kobj == 0 && slab != null) {
                vma.kobj = slab.kmemCacheAlloc(slab.kernelCaches().vmAreaStruct, Gfp.GFP_KERNEL, owner.homeCpu);
            }
        }
        return old;
    }

    @Override
    public Vma remove(Object start) {
        Vma old = super.remove(start);
        release(old);
        return old;
    }

    @Override
    public void clear() {
        for (Vma v : values()) {
            release(v);
        }
        super.clear();
    }

    private void release(Vma v) {
        if (v != null && owner.vmaCache == v) {
            owner.vmaCache = null;
        }
        if (v != null && v.kobj != 0) {
            owner.mm.slab().kfree(v.kobj, owner.homeCpu);
            v.kobj = 0;
        }
    }
}
