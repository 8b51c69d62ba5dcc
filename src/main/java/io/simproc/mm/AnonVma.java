package io.simproc.mm;

import java.util.Set;

/**
 * struct anon_vma with its anon_vma_chain flattened: the anonymous pages of a VMA point here (through the page's
 * mapping id), and it knows every VMA — in this process and in forked children — that may map them, which is what
 * reverse mapping walks. Iteration order is insertion order, so walks are deterministic.
 */
public final class AnonVma {
    final int id;
    final AnonVma root;
    final Set<Vma> vmas;
    /** The address space whose VMA made it: whose data its pages hold ({@link MmStruct#dataClass()}). */
    MmStruct owner;

    AnonVma(MemoryManager mm, int id, AnonVma root) {
        this.vmas = new AnonVmaChains(mm);
        this.id = id;
        this.root = root == null ? this : root;
    }

    public int id() {
        return id;
    }
}
