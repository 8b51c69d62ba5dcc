package io.simproc.mm;

import io.simproc.mm.slab.KernelCaches;
import io.simproc.mm.slab.Slab;

import java.util.AbstractSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The anon_vma_chain links of one anon_vma: each VMA that may map its pages holds one anon_vma_chain object
 * (anon_vma_chain_alloc / anon_vma_chain_free), and the anon_vma object itself lives while any chain points to it
 * (anon_vma_alloc at the first link, put_anon_vma at the last). Insertion-ordered, so rmap walks are deterministic.
 */
final class AnonVmaChains extends AbstractSet<Vma> {
    private final MemoryManager mm;
    private final Map<Vma, Long> chains = new LinkedHashMap<>();
    private long anonVmaObj;

    AnonVmaChains(MemoryManager mm) {
        this.mm = mm;
    }

    @Override
    public boolean add(Vma vma) {
        if (chains.containsKey(vma)) {
            return false;
        }
        Slab slab = mm.slab();
        if (slab == null) {
            chains.put(vma, 0L);
            return true;
        }
        KernelCaches kc = slab.kernelCaches();
        int cpu = vma.mm.homeCpu;
        if (chains.isEmpty()) {
            anonVmaObj = slab.kmemCacheAlloc(kc.anonVma, Gfp.GFP_KERNEL, cpu);
        }
        chains.put(vma, slab.kmemCacheAlloc(kc.anonVmaChain, Gfp.GFP_KERNEL, cpu));
        return true;
    }

    @Override
    public boolean remove(Object o) {
        Long avc = chains.remove(o);
        if (avc == null) {
            return false;
        }
        release(((Vma) o).mm.homeCpu, avc);
        return true;
    }

    private void release(int cpu, long avc) {
        Slab slab = mm.slab();
        if (slab == null) {
            return;
        }
        slab.kfree(avc, cpu);
        if (chains.isEmpty()) {
            slab.kfree(anonVmaObj, cpu);
            anonVmaObj = 0;
        }
    }

    @Override
    public boolean contains(Object o) {
        return chains.containsKey(o);
    }

    @Override
    public int size() {
        return chains.size();
    }

    @Override
    public Iterator<Vma> iterator() {
        Iterator<Map.Entry<Vma, Long>> it = chains.entrySet().iterator();
        return new Iterator<>() {
            private Map.Entry<Vma, Long> last;

            @Override
            public boolean hasNext() {
                return it.hasNext();
            }

            @Override
            public Vma next() {
                last = it.next();
                return last.getKey();
            }

            @Override
            public void remove() {
                it.remove();
                release(last.getKey().mm.homeCpu, last.getValue());
            }
        };
    }
}
