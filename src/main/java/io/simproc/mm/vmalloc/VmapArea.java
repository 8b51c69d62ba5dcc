package io.simproc.mm.vmalloc;

/**
 * struct vmap_area with its vm_struct: a busy range [start, end) of the vmalloc space (end includes the guard page
 * unless VM_NO_GUARD), the caller that asked for it, its backing pages (vmalloc: allocated one by one from the
 * buddy allocator, so possibly scattered; ioremap: none, a physical address instead) and flags.
 */
public final class VmapArea {
    /** VM_IOREMAP. */
    public static final int VM_IOREMAP = 0x1;
    /** VM_ALLOC: pages allocated by vmalloc. */
    public static final int VM_ALLOC = 0x2;
    /** VM_MAP: vmap() of pages someone else owns. */
    public static final int VM_MAP = 0x4;
    /** VM_USERMAP. */
    public static final int VM_USERMAP = 0x8;
    /** VM_DMA_COHERENT. */
    public static final int VM_DMA_COHERENT = 0x10;
    /** VM_NO_GUARD: no guard page after the area. */
    public static final int VM_NO_GUARD = 0x40;
    /** VM_SPARSE (6.9+). */
    public static final int VM_SPARSE = 0x1000;
    /** Page pointers that fit one page: a bigger array is itself vmalloc'ed ("vpages"). */
    public static final int PAGES_PER_ARRAY_PAGE = io.simproc.uapi.Page.PAGE_SIZE / 8;

    final long start;
    final long end;
    final int flags;
    final String caller;
    final long physAddr;
    final int[] pages;
    final int nrPages;
    final int vmapNode;
    /** What owns the area's pages: VMALLOC for vmalloc, PERCPU for percpu chunks, none for ioremap. */
    final io.simproc.mm.PageOwner owner;

    VmapArea(long start, long end, int flags, String caller, long physAddr, int[] pages, int nrPages,
             int vmapNode, io.simproc.mm.PageOwner owner) {
        this.start = start;
        this.end = end;
        this.flags = flags;
        this.caller = caller;
        this.physAddr = physAddr;
        this.pages = pages;
        this.nrPages = nrPages;
        this.vmapNode = vmapNode;
        this.owner = owner;
    }

    public long start() {
        return start;
    }

    public long end() {
        return end;
    }

    /** The size vmallocinfo prints: the whole range, guard page included. */
    public long size() {
        return end - start;
    }

    public int flags() {
        return flags;
    }

    /** The caller as %pS prints it (symbol+0xoff/0xsize), or null. */
    public String caller() {
        return caller;
    }

    public long physAddr() {
        return physAddr;
    }

    /** Pages vm_struct.nr_pages counts (0 for ioremap and percpu chunks). */
    public int nrPages() {
        return nrPages;
    }

    /** The pfn of the i-th backing page. */
    public int page(int i) {
        return pages[i];
    }

    /** The vmap node whose busy tree holds the area (addr_to_node_id). */
    public int vmapNode() {
        return vmapNode;
    }
}
