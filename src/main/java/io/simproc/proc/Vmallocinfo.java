package io.simproc.proc;

import io.simproc.mm.vmalloc.VmapArea;

/**
 * /proc/vmallocinfo (mm/vmalloc.c vmalloc_info_show), mode 0400: one line per busy vmap area in the order of the
 * vmap nodes' busy trees — start and end (the guard page included), size in bytes, the caller, pages=, phys=, the
 * kind (ioremap, vmalloc, vmap...), vpages when the page array itself was vmalloc'ed, and the pages per NUMA node.
 * Addresses are printed as root sees them with kptr_restrict=1 (real, not hashed).
 */
public final class Vmallocinfo implements ProcFile.Renderer {
    @Override
    public byte[] render(ProcContext ctx) {
        var mm = ctx.kernel().mm();
        Seq s = new Seq(65536);
        int[] perNode = new int[mm.nrNodes()];
        for (VmapArea a : mm.vmalloc().areas()) {
            s.put("0x").hex(a.start(), 16).put("-0x").hex(a.end(), 16).put(' ').dec(a.size(), 7);
            if (a.caller() != null) {
                s.put(' ').put(a.caller());
            }
            if (a.nrPages() != 0) {
                s.put(" pages=").put(a.nrPages());
            }
            if (a.physAddr() != 0) {
                s.put(" phys=0x").hex(a.physAddr(), 16);
            }
            int f = a.flags();
            if ((f & VmapArea.VM_IOREMAP) != 0) {
                s.put(" ioremap");
            }
            if ((f & VmapArea.VM_SPARSE) != 0) {
                s.put(" sparse");
            }
            if ((f & VmapArea.VM_ALLOC) != 0) {
                s.put(" vmalloc");
            }
            if ((f & VmapArea.VM_MAP) != 0) {
                s.put(" vmap");
            }
            if ((f & VmapArea.VM_USERMAP) != 0) {
                s.put(" user");
            }
            if ((f & VmapArea.VM_DMA_COHERENT) != 0) {
                s.put(" dma-coherent");
            }
            if (a.nrPages() > VmapArea.PAGES_PER_ARRAY_PAGE) {
                s.put(" vpages");
            }
            if (a.nrPages() > 0) {
                java.util.Arrays.fill(perNode, 0);
                for (int i = 0; i < a.nrPages(); i++) {
                    perNode[mm.zoneOf(a.page(i)).node().nodeId()]++;
                }
                for (int nid = 0; nid < perNode.length; nid++) {
                    if (perNode[nid] != 0) {
                        s.put(" N").put(nid).put('=').put(perNode[nid]);
                    }
                }
            }
            s.nl();
        }
        return s.bytes();
    }
}
