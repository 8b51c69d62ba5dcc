package io.simproc.mm;

/**
 * struct vm_area_struct: one contiguous range [start, end) of an address space with the same permissions and
 * backing. File mappings carry their {@link AddressSpace} and the file offset (in pages) of {@code start};
 * anonymous ones their {@link AnonVma} once a page has been faulted in (and, after fork, are linked to their
 * ancestors' too). {@code name} is what maps prints for
 * special areas ("[heap]", "[stack]", "[vdso]"...) or an anonymous name.
 *
 * <p>Mutated only through {@link Mmap} under the simulation's write lock.
 */
public final class Vma {
    long start;
    long end;
    long flags;
    long pgoff;
    final AddressSpace file;
    AnonVma anonVma;
    /**
     * vma->anon_vma_chain: every anon_vma this VMA is linked to — its own, and after fork each of its parent's —
     * so that a walk from any of them finds it.
     */
    final java.util.List<AnonVma> anonVmaChain = new java.util.ArrayList<>(1);
    String name;
    final MmStruct mm;
    /** The reservation map of a private hugetlb mapping's owner (vma_resv_map()), null for any other VMA. */
    HugetlbMapping.ResvMap hugetlbResv;
    /** Address of this VMA's vm_area_struct object while it is in its address space's tree (0 otherwise). */
    long kobj;

    Vma(MmStruct mm, long start, long end, long flags, AddressSpace file, long pgoff, String name) {
        this.mm = mm;
        this.start = start;
        this.end = end;
        this.flags = flags;
        this.file = file;
        this.pgoff = pgoff;
        this.name = name;
    }

    /** A copy for another address space (fork's vm_area_dup); the anon_vma is linked by the caller. */
    Vma dup(MmStruct newMm) {
        Vma v = new Vma(newMm, start, end, flags, file, pgoff, name);
        return v;
    }

    public long start() {
        return start;
    }

    public long end() {
        return end;
    }

    public long size() {
        return end - start;
    }

    public long flags() {
        return flags;
    }

    /** vm_pgoff: for file mappings the file offset of start, in pages; for anonymous ones start >> PAGE_SHIFT. */
    public long pgoff() {
        return pgoff;
    }

    public AddressSpace file() {
        return file;
    }

    public String name() {
        return name;
    }

    public MmStruct mm() {
        return mm;
    }

    public boolean isAnonymous() {
        return file == null;
    }

    public boolean test(long flag) {
        return (flags & flag) != 0;
    }

    /** Shared anonymous or shmem: pages are swap-backed page cache (RssShmem). */
    public boolean isShmem() {
        return file != null && file.isShmem();
    }

    /** vma_is_accessible-style check for a fault: may this access happen at all? */
    boolean allows(boolean write) {
        return write ? test(VmFlags.VM_WRITE) : test(VmFlags.VM_READ | VmFlags.VM_WRITE | VmFlags.VM_EXEC);
    }

    /** linear_page_index(): the page index in the backing object of address addr. */
    long linearPageIndex(long addr) {
        return ((addr - start) >>> io.simproc.uapi.Page.PAGE_SHIFT) + pgoff;
    }

    /** The address at which this VMA maps page index idx, or -1 if outside. */
    long addressOf(long idx) {
        long addr = start + ((idx - pgoff) << io.simproc.uapi.Page.PAGE_SHIFT);
        return addr >= start && addr < end ? addr : -1;
    }

    @Override
    public String toString() {
        return String.format("%x-%x %s", start, end, name == null ? (file == null ? "" : file.path()) : name);
    }
}
