package io.simproc.mm.vmalloc;

import io.simproc.mm.Gfp;
import io.simproc.mm.MemoryManager;
import io.simproc.mm.PageOwner;
import io.simproc.mm.slab.Slab;
import io.simproc.uapi.Page;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * mm/vmalloc.c for x86_64 with 4-level paging and no KASLR: the vmalloc space [VMALLOC_START, VMALLOC_END), free
 * ranges kept in address order and handed out lowest-fit first (alloc_vmap_area), every area followed by a guard
 * page, each area's struct vmap_area taken from the vmap_area slab cache. vmalloc() backs an area page by page
 * from the buddy allocator (the pages need not be contiguous); ioremap() and vmap() areas have no pages of their
 * own. Busy areas belong to one of the vmap nodes by address (addr_to_node_id), which is the order
 * /proc/vmallocinfo walks them in.
 *
 * <p>Invariants ({@link #check}): busy and free ranges partition the space without overlap; each area keeps its
 * guard page; vmalloc_nr_pages (VmallocUsed) = Σ nr_pages = pages owned by VMALLOC. Simulation thread only.
 */
public final class Vmalloc {
    /** VMALLOC_START without KASLR (vmalloc_base of 4-level paging). */
    public static final long VMALLOC_START = 0xffffc90000000000L;
    /** VMALLOC_SIZE_TB = 32 on 4-level paging. */
    public static final long VMALLOC_SIZE = 32L << 40;
    /** One past VMALLOC_END. */
    public static final long VMALLOC_END = VMALLOC_START + VMALLOC_SIZE;
    /** vmap_zone_size: 16 pages of address space per vmap node zone. */
    static final long VMAP_ZONE_SIZE = 16L << Page.PAGE_SHIFT;

    /** What allocVmapArea returns when no free range fits (never a vmalloc address). */
    private static final long NO_SPACE = -1;

    private final MemoryManager mm;
    private final int nrVmapNodes;
    private final TreeMap<Long, Long> free = new TreeMap<>();
    private final TreeMap<Long, VmapArea> busy = new TreeMap<>();
    private final Map<Long, Long> vmapAreaObjects = new java.util.HashMap<>();
    private long nrVmallocPages;

    /** vmalloc_init(): the whole range free; one vmap node per possible CPU (at most 128). */
    public Vmalloc(MemoryManager mm) {
        this.mm = mm;
        this.nrVmapNodes = Math.max(1, Math.min(128, mm.nrCpus()));
        free.put(VMALLOC_START, VMALLOC_END);
    }

    /**
     * alloc_vmap_area(): the lowest free range of {@code size} bytes aligned to {@code align}, or NO_SPACE when
     * the space is exhausted.
     */
    private long allocVmapArea(long size, long align, int cpu) {
        for (Map.Entry<Long, Long> e : free.entrySet()) {
            long s = (e.getKey() + align - 1) & -align;
            if (s + size <= e.getValue()) {
                long fs = e.getKey();
                long fe = e.getValue();
                free.remove(fs);
                if (s > fs) {
                    free.put(fs, s);
                }
                if (s + size < fe) {
                    free.put(s + size, fe);
                }
                Slab slab = mm.slab();
                vmapAreaObjects.put(s, slab.kmemCacheAlloc(slab.kernelCaches().vmapArea, Gfp.GFP_KERNEL, cpu));
                return s;
            }
        }
        return NO_SPACE;
    }

    /** free_vmap_area(): the range rejoins its free neighbours. */
    private void freeVmapArea(long start, long end, int cpu) {
        long s = start;
        long e = end;
        Map.Entry<Long, Long> before = free.floorEntry(s);
        if (before != null && before.getValue() == s) {
            s = before.getKey();
            free.remove(before.getKey());
        }
        Long after = free.get(e);
        if (after != null) {
            free.remove(e);
            e = after;
        }
        free.put(s, e);
        mm.slab().kfree(vmapAreaObjects.remove(start), cpu);
    }

    private int addrToNodeId(long addr) {
        return (int) Long.remainderUnsigned(Long.divideUnsigned(addr, VMAP_ZONE_SIZE), nrVmapNodes);
    }

    private VmapArea insert(long start, long size, int flags, String caller, long phys, int[] pages, int nrPages,
                            PageOwner owner) {
        VmapArea a = new VmapArea(start, start + size, flags, caller, phys, pages, nrPages, addrToNodeId(start),
                owner);
        busy.put(start, a);
        return a;
    }

    /**
     * __vmalloc_node_range(): {@code size} bytes (rounded up to pages) plus a guard page, aligned to
     * {@code align}, backed by order-0 pages from node {@code nid}'s zonelist. Returns the area, or null when
     * address space or memory ran out (nothing stays allocated then).
     */
    public VmapArea vmalloc(long size, long align, int gfp, int nid, int cpu, String caller) {
        return vmallocOwned(size, align, gfp, nid, cpu, caller, PageOwner.VMALLOC);
    }

    VmapArea vmallocOwned(long size, long align, int gfp, int nid, int cpu, String caller, PageOwner owner) {
        mm.assertWriter();
        long bytes = pageAlign(size);
        if (bytes <= 0 || bytes > VMALLOC_SIZE / 2) {
            return null;
        }
        long start = allocVmapArea(bytes + Page.PAGE_SIZE, Math.max(align, Page.PAGE_SIZE), cpu);
        if (start == NO_SPACE) {
            return null;
        }
        int n = (int) (bytes >>> Page.PAGE_SHIFT);
        int[] pages = new int[n];
        for (int i = 0; i < n; i++) {
            int pfn = mm.pageAlloc().allocPages(gfp | Gfp.__GFP_HIGHMEM, 0, nid, cpu, owner);
            if (pfn < 0) {
                for (int j = 0; j < i; j++) {
                    mm.pageAlloc().freePages(pages[j], 0, cpu);
                }
                freeVmapArea(start, start + bytes + Page.PAGE_SIZE, cpu);
                return null;
            }
            pages[i] = pfn;
        }
        nrVmallocPages += n;
        return insert(start, bytes + Page.PAGE_SIZE, VmapArea.VM_ALLOC, caller, 0, pages, n, owner);
    }

    /** vfree(): the area's pages go back to the buddy allocator, then its address range. */
    public void vfree(long addr, int cpu) {
        mm.assertWriter();
        VmapArea a = busy.get(addr);
        if (a == null) {
            throw new IllegalStateException("vfree of 0x" + Long.toHexString(addr) + ": no vmap area starts there");
        }
        if ((a.flags & VmapArea.VM_ALLOC) != 0 && a.nrPages > 0) {
            for (int i = 0; i < a.nrPages; i++) {
                mm.pageAlloc().freePages(a.pages[i], 0, cpu);
            }
            nrVmallocPages -= a.nrPages;
        }
        busy.remove(addr);
        freeVmapArea(a.start, a.end, cpu);
    }

    /**
     * ioremap(): map {@code size} bytes of device memory at physical {@code phys}; the area covers the pages
     * touched plus a guard page and records the page-aligned physical address.
     */
    public VmapArea ioremap(long phys, long size, int cpu, String caller) {
        mm.assertWriter();
        long offset = phys & (Page.PAGE_SIZE - 1);
        long bytes = pageAlign(offset + size);
        long start = allocVmapArea(bytes + Page.PAGE_SIZE, Page.PAGE_SIZE, cpu);
        if (start == NO_SPACE) {
            return null;
        }
        return insert(start, bytes + Page.PAGE_SIZE, VmapArea.VM_IOREMAP, caller, phys - offset, null, 0, null);
    }

    /** vmap(): map {@code nrPages} pages someone else owns; the area shows no pages of its own. */
    public VmapArea vmap(int nrPages, int cpu, String caller) {
        mm.assertWriter();
        long bytes = (long) nrPages << Page.PAGE_SHIFT;
        long start = allocVmapArea(bytes + Page.PAGE_SIZE, Page.PAGE_SIZE, cpu);
        if (start == NO_SPACE) {
            return null;
        }
        return insert(start, bytes + Page.PAGE_SIZE, VmapArea.VM_MAP, caller, 0, null, 0, null);
    }

    /** pcpu_get_vm_areas(): the address range of a percpu chunk, populated page by page by the percpu allocator. */
    public VmapArea pcpuGetVmArea(long bytes, int cpu, String caller) {
        mm.assertWriter();
        long start = allocVmapArea(pageAlign(bytes), Page.PAGE_SIZE, cpu);
        if (start == NO_SPACE) {
            return null;
        }
        return insert(start, pageAlign(bytes), VmapArea.VM_ALLOC | VmapArea.VM_NO_GUARD, caller, 0, null, 0, null);
    }

    /** iounmap() / vunmap() / pcpu_free_vm_areas(): give the range back (areas without pages of their own). */
    public void unmap(long addr, int cpu) {
        vfree(addr, cpu);
    }

    static long pageAlign(long v) {
        return (v + Page.PAGE_SIZE - 1) & Page.PAGE_MASK;
    }

    /** vmalloc_nr_pages(): pages backing vmalloc areas (VmallocUsed). */
    public long nrVmallocPages() {
        return nrVmallocPages;
    }

    /** Busy areas in the order vmallocinfo walks them: vmap node by node, each in address order. */
    public List<VmapArea> areas() {
        List<VmapArea> l = new ArrayList<>(busy.values());
        l.sort(Comparator.comparingInt(VmapArea::vmapNode));
        return l;
    }

    /** The busy area starting at {@code addr}, or null. */
    public VmapArea area(long addr) {
        return busy.get(addr);
    }

    public int nrVmapNodes() {
        return nrVmapNodes;
    }

    /** Consistency of the vmalloc space and its page accounting; appends violations. */
    public void check(List<String> errors) {
        long cursor = VMALLOC_START;
        TreeMap<Long, long[]> all = new TreeMap<>(Long::compareUnsigned);
        for (Map.Entry<Long, Long> e : free.entrySet()) {
            all.put(e.getKey(), new long[] {e.getValue(), 0});
        }
        for (VmapArea a : busy.values()) {
            if (all.put(a.start, new long[] {a.end, 1}) != null) {
                errors.add("vmap area 0x" + Long.toHexString(a.start) + " is both free and busy");
            }
        }
        int prevKind = -1;
        for (Map.Entry<Long, long[]> e : all.entrySet()) {
            if (e.getKey() != cursor) {
                errors.add("vmalloc space: range at 0x" + Long.toHexString(e.getKey()) + " but cursor at 0x"
                        + Long.toHexString(cursor) + " (overlap or hole)");
            }
            if (prevKind == 0 && e.getValue()[1] == 0) {
                errors.add("vmalloc space: free ranges at 0x" + Long.toHexString(e.getKey()) + " not merged");
            }
            prevKind = (int) e.getValue()[1];
            cursor = e.getValue()[0];
        }
        if (cursor != VMALLOC_END) {
            errors.add("vmalloc space ends at 0x" + Long.toHexString(cursor));
        }
        long pages = 0;
        long owned = 0;
        for (VmapArea a : busy.values()) {
            if ((a.flags & VmapArea.VM_NO_GUARD) == 0 && a.size() != ((long) a.nrPages << Page.PAGE_SHIFT)
                    + Page.PAGE_SIZE && a.nrPages > 0) {
                errors.add("vmalloc area 0x" + Long.toHexString(a.start) + " of " + a.size() + " bytes has "
                        + a.nrPages + " pages: no guard page");
            }
            pages += a.nrPages;
            for (int i = 0; i < a.nrPages; i++) {
                if (mm.memMap().owner(a.pages[i]) != a.owner) {
                    errors.add("vmalloc area 0x" + Long.toHexString(a.start) + " page " + a.pages[i] + " owned by "
                            + mm.memMap().owner(a.pages[i]));
                }
            }
            if (a.owner == PageOwner.VMALLOC) {
                owned += a.nrPages;
            }
        }
        if (pages != nrVmallocPages) {
            errors.add("vmalloc_nr_pages " + nrVmallocPages + " but areas hold " + pages);
        }
        if (owned != mm.vmstat().ownerPages(PageOwner.VMALLOC)) {
            errors.add("pages owned by VMALLOC " + mm.vmstat().ownerPages(PageOwner.VMALLOC) + " but vmalloc areas hold "
                    + owned);
        }
        if (busy.size() != vmapAreaObjects.size()) {
            errors.add(busy.size() + " busy vmap areas but " + vmapAreaObjects.size() + " vmap_area objects");
        }
    }
}
