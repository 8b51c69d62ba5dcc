package io.simproc.proc;

import io.simproc.mm.slab.KmemCache;

/**
 * /proc/slabinfo (mm/slab_common.c slab_show over the SLUB get_slabinfo() figures), mode 0400, version 2.1: the two
 * header lines, then one line per cache in slab_caches order (newest first). SLUB has no tunables (0 0 0),
 * active_slabs equals num_slabs and sharedavail is 0.
 */
public final class Slabinfo implements ProcFile.Renderer {
    static final String HEADER = "slabinfo - version: 2.1\n"
            + "# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab> : tunables <limit>"
            + " <batchcount> <sharedfactor> : slabdata <active_slabs> <num_slabs> <sharedavail>\n";

    @Override
    public byte[] render(ProcContext ctx) {
        Seq s = new Seq(16384);
        s.put(HEADER);
        for (KmemCache c : ctx.kernel().mm().slab().caches()) {
            line(s, c.name(), c.activeObjs(), c.numObjs(), c.size(), c.objectsPerSlab(), 1 << c.order(),
                    c.numSlabs());
        }
        return s.bytes();
    }

    /** cache_show(): one cache's line. */
    static void line(Seq s, String name, long activeObjs, long numObjs, int objsize, int objperslab,
                     int pagesperslab, long slabs) {
        s.left(name, 17).put(' ').dec(activeObjs, 6).put(' ').dec(numObjs, 6).put(' ').dec(objsize, 6).put(' ')
                .dec(objperslab, 4).put(' ').dec(pagesperslab, 4);
        s.put(" : tunables ").dec(0, 4).put(' ').dec(0, 4).put(' ').dec(0, 4);
        s.put(" : slabdata ").dec(slabs, 6).put(' ').dec(slabs, 6).put(' ').dec(0, 6).nl();
    }
}
