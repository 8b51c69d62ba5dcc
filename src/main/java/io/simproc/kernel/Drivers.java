package io.simproc.kernel;

import io.simproc.mm.Cma;
import io.simproc.mm.Gfp;
import io.simproc.mm.PageAlloc;
import io.simproc.mm.PageOwner;
import io.simproc.mm.vmalloc.VmapArea;
import io.simproc.uapi.Errno;
import io.simproc.uapi.Page;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * What a driver loaded by a scenario does with memory: ioremap() of a BAR of its device, placed after the virtio
 * devices' BARs in the 64-bit PCI window at its natural (power-of-two) alignment, and dma_alloc_coherent() of a
 * physically contiguous buffer: alloc_pages(GFP_KERNEL, get_order(size)) on behalf of the calling task, so that a
 * failure is the allocator's own (direct compaction for the order, no OOM kill above PAGE_ALLOC_COSTLY_ORDER, the
 * warn_alloc line naming the task). On a machine with a CMA area, a buffer of more than a page comes from it first
 * (kernel/dma/contiguous.c: dma_alloc_contiguous(), cma_alloc_aligned(): cma_alloc() of PAGE_ALIGN(size) pages
 * aligned to get_order(size), at most CONFIG_CMA_ALIGNMENT, warning on failure as GFP_KERNEL lacks __GFP_NOWARN),
 * and only when that fails from the buddy allocator (__dma_direct_alloc_pages()); the device's DMA mask is taken
 * as 64-bit, so every placement is acceptable (dma_coherent_ok()). The buffers stay allocated, unmovable, until
 * dma_free_coherent() gives them back (dma_free_contiguous(): cma_release() for CMA pages, else __free_pages()).
 */
public final class Drivers {
    /** The spacing of the virtio devices' BARs in the 64-bit window (Iomem). */
    static final long VIRTIO_BAR_STRIDE = 0x80000;

    private final Kernel kernel;
    private final List<int[]> dmaBuffers = new ArrayList<>();
    private long nextBar;

    Drivers(Kernel kernel) {
        this.kernel = kernel;
    }

    /** ioremap() of a {@code size}-byte BAR of {@code driver}'s device; null when the vmalloc space is full. */
    public VmapArea ioremap(String driver, long size) {
        if (nextBar == 0) {
            nextBar = Iomem.pci64Window(kernel.profile()) + Iomem.NR_VIRTIO_DEVICES * VIRTIO_BAR_STRIDE;
        }
        long barSize = Math.max(Page.PAGE_SIZE, Long.highestOneBit(size - 1) << 1);
        long bar = (nextBar + barSize - 1) & -barSize;
        VmapArea a = kernel.mm().vmalloc().ioremap(bar, size, 0, caller(driver));
        if (a != null) {
            nextBar = bar + barSize;
        }
        return a;
    }

    /**
     * dma_alloc_coherent() by a driver in the context of {@code caller}: the first pfn of a block of
     * get_order(size) pages, or -ENOMEM.
     */
    public int dmaAlloc(long size, Task caller) {
        int order = order(size);
        int cpu = caller.cpu();
        Cma cma = kernel.mm().cma();
        if (cma != null && size > Page.PAGE_SIZE) {
            int count = (int) ((size + Page.PAGE_SIZE - 1) >>> Page.PAGE_SHIFT);
            int pfn = kernel.asCurrent(caller.comm(), caller.pid(),
                    () -> cma.alloc(count, Math.min(order, Cma.CMA_ALIGNMENT), false, cpu));
            if (pfn >= 0) {
                dmaBuffers.add(new int[] {pfn, order, count});
                return pfn;
            }
        }
        if (order > PageAlloc.MAX_PAGE_ORDER) {
            return -Errno.ENOMEM;
        }
        int nid = kernel.mm().cpuToNode(cpu);
        int pfn = kernel.asCurrent(caller.comm(), caller.pid(),
                () -> kernel.mm().pageAlloc().allocPages(Gfp.GFP_KERNEL, order, nid, cpu, PageOwner.KERNEL));
        if (pfn < 0) {
            return -Errno.ENOMEM;
        }
        dmaBuffers.add(new int[] {pfn, order, 1 << order});
        return pfn;
    }

    /**
     * dma_free_coherent() of the buffer whose first pfn is {@code pfn}, on {@code cpu}: its block goes back to the
     * page allocator. Throws if no DMA buffer starts there.
     */
    public void dmaFree(int pfn, int cpu) {
        for (Iterator<int[]> it = dmaBuffers.iterator(); it.hasNext(); ) {
            int[] b = it.next();
            if (b[0] == pfn) {
                Cma cma = kernel.mm().cma();
                if (cma == null || !cma.release(pfn, b[2], cpu)) {
                    kernel.mm().pageAlloc().freePages(pfn, b[1], cpu);
                }
                it.remove();
                return;
            }
        }
        throw new IllegalStateException("dma_free_coherent of pfn " + pfn + ": no DMA buffer starts there");
    }

    /** Pages held in DMA buffers. */
    public long dmaPages() {
        long n = 0;
        for (int[] b : dmaBuffers) {
            n += b[2];
        }
        return n;
    }

    /** Every page of every DMA buffer is still allocated to the kernel; appends violations. */
    public void check(List<String> errors) {
        for (int[] b : dmaBuffers) {
            for (int pfn = b[0]; pfn < b[0] + b[2]; pfn++) {
                if (kernel.mm().memMap().owner(pfn) != PageOwner.KERNEL) {
                    errors.add("DMA buffer at pfn " + b[0] + " (" + b[2] + " pages): pfn " + pfn + " is owned by "
                            + kernel.mm().memMap().owner(pfn));
                }
            }
        }
    }

    /** get_order(). */
    public static int order(long size) {
        int o = 0;
        while ((long) Page.PAGE_SIZE << o < size) {
            o++;
        }
        return o;
    }

    /** The symbol vmallocinfo shows for a driver's mapping: its probe routine, in its module. */
    static String caller(String driver) {
        return driver + "_probe [" + driver + "]";
    }
}
