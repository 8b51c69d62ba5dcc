package io.simproc.mm.vmalloc;

import io.simproc.mm.Gfp;
import io.simproc.mm.MemoryManager;
import io.simproc.mm.PageOwner;
import io.simproc.uapi.Page;

import java.util.ArrayList;
import java.util.List;

/**
 * The percpu allocator (mm/percpu.c) as far as memory accounting sees it: a first chunk embedded in memblock at
 * boot (every page of every unit populated, outside the buddy allocator), and further chunks whose address range
 * comes from pcpu_get_vm_areas() (a vmallocinfo line without pages) and whose pages are populated from the buddy
 * allocator, one per unit and page, as dynamic allocations need them. Dynamic space is handed out first-fit by
 * chunk; a chunk's populated pages follow its highest used byte (pcpu_populate_chunk), and an empty chunk other
 * than the first is given back (pcpu_balance_workfn).
 *
 * <p>Percpu in meminfo = pcpu_nr_pages() = populated pages of all chunks × units.
 */
public final class Percpu {
    /** PCPU_MIN_ALLOC_SIZE. */
    static final int PCPU_MIN_ALLOC_SIZE = 4;
    /** The caller %pS prints for a chunk's vmap area. */
    static final String CALLER = "pcpu_get_vm_areas+0x0/0x1250";

    private final MemoryManager mm;
    private final Vmalloc vmalloc;
    private final int nrUnits;
    private final int unitPages;
    private final long firstChunkDynBytes;
    private long firstChunkUsed;
    private final List<Chunk> chunks = new ArrayList<>();
    private long populatedPages;

    private static final class Chunk {
        final VmapArea area;
        long used;
        int populated;
        final List<int[]> pages = new ArrayList<>();

        Chunk(VmapArea area) {
            this.area = area;
        }
    }

    /**
     * pcpu_setup_first_chunk(): units of {@code unitPages} pages, one per CPU, with {@code dynBytes} of dynamic
     * space after the static and reserved areas.
     */
    public Percpu(MemoryManager mm, Vmalloc vmalloc, int unitPages, long dynBytes) {
        this.mm = mm;
        this.vmalloc = vmalloc;
        this.nrUnits = mm.nrCpus();
        this.unitPages = unitPages;
        this.firstChunkDynBytes = dynBytes;
        this.populatedPages = (long) unitPages * nrUnits;
    }

    /** pcpu_alloc(): {@code bytes} in every unit; false when no chunk could be created or populated. */
    public boolean alloc(long bytes, int cpu) {
        mm.assertWriter();
        long size = (bytes + PCPU_MIN_ALLOC_SIZE - 1) / PCPU_MIN_ALLOC_SIZE * PCPU_MIN_ALLOC_SIZE;
        if (firstChunkUsed + size <= firstChunkDynBytes) {
            firstChunkUsed += size;
            return true;
        }
        long unitBytes = (long) unitPages << Page.PAGE_SHIFT;
        for (Chunk c : chunks) {
            if (c.used + size <= unitBytes) {
                c.used += size;
                return populate(c, cpu);
            }
        }
        VmapArea area = vmalloc.pcpuGetVmArea(unitBytes * nrUnits, cpu, CALLER);
        if (area == null) {
            return false;
        }
        Chunk c = new Chunk(area);
        chunks.add(c);
        c.used = size;
        return populate(c, cpu);
    }

    /** pcpu_free_area(): {@code bytes} given back, from the newest chunk down; empty chunks go. */
    public void free(long bytes, int cpu) {
        mm.assertWriter();
        long size = (bytes + PCPU_MIN_ALLOC_SIZE - 1) / PCPU_MIN_ALLOC_SIZE * PCPU_MIN_ALLOC_SIZE;
        for (int i = chunks.size() - 1; i >= 0 && size > 0; i--) {
            Chunk c = chunks.get(i);
            long take = Math.min(size, c.used);
            c.used -= take;
            size -= take;
            if (c.used == 0) {
                depopulate(c, cpu);
                vmalloc.unmap(c.area.start(), cpu);
                chunks.remove(i);
            }
        }
        firstChunkUsed = Math.max(0, firstChunkUsed - size);
    }

    private boolean populate(Chunk c, int cpu) {
        int want = (int) ((c.used + Page.PAGE_SIZE - 1) >>> Page.PAGE_SHIFT);
        while (c.populated < want) {
            int[] unitPfns = new int[nrUnits];
            for (int u = 0; u < nrUnits; u++) {
                int pfn = mm.pageAlloc().allocPages(Gfp.GFP_KERNEL | Gfp.__GFP_HIGHMEM, 0, mm.cpuToNode(u), cpu,
                        PageOwner.PERCPU);
                if (pfn < 0) {
                    for (int j = 0; j < u; j++) {
                        mm.pageAlloc().freePages(unitPfns[j], 0, cpu);
                    }
                    return false;
                }
                unitPfns[u] = pfn;
            }
            c.pages.add(unitPfns);
            c.populated++;
            populatedPages += nrUnits;
        }
        return true;
    }

    private void depopulate(Chunk c, int cpu) {
        for (int[] unitPfns : c.pages) {
            for (int pfn : unitPfns) {
                mm.pageAlloc().freePages(pfn, 0, cpu);
            }
        }
        populatedPages -= (long) c.populated * nrUnits;
        c.pages.clear();
        c.populated = 0;
    }

    /** pcpu_nr_pages(): populated pages of every chunk and unit (Percpu in meminfo). */
    public long nrPages() {
        return populatedPages;
    }

    /** Populated pages of the first chunk, which came from memblock. */
    public long firstChunkPages() {
        return (long) unitPages * nrUnits;
    }

    /** Pages owned by PERCPU must be the populated pages of the chunks after the first. */
    public void check(List<String> errors) {
        long dynamic = populatedPages - firstChunkPages();
        if (dynamic != mm.vmstat().ownerPages(PageOwner.PERCPU)) {
            errors.add("percpu: " + dynamic + " pages populated in vmalloc'ed chunks, " + mm.vmstat().ownerPages(PageOwner.PERCPU)
                    + " pages owned by PERCPU");
        }
    }
}
