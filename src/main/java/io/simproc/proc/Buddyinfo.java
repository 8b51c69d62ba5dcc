package io.simproc.proc;

import io.simproc.mm.PageAlloc;
import io.simproc.mm.PgData;
import io.simproc.mm.Zone;

/**
 * /proc/buddyinfo (mm/vmstat.c frag_show): one line per populated zone, the number of free blocks of each order
 * on all of the zone's lists, {@code "Node %d, zone %8s "} then {@code "%6lu "} per order.
 */
public final class Buddyinfo implements ProcFile.Renderer {
    @Override
    public byte[] render(ProcContext ctx) {
        Seq s = new Seq(512);
        for (PgData pgdat : ctx.kernel().mm().nodes()) {
            for (Zone z : pgdat.zones()) {
                if (!z.isPopulated()) {
                    continue;
                }
                s.put("Node ").put(pgdat.nodeId()).put(", zone ").right(z.type().procName(), 8).put(' ');
                for (int order = 0; order < PageAlloc.NR_PAGE_ORDERS; order++) {
                    s.dec(z.nrFreeBlocks(order), 6).put(' ');
                }
                s.nl();
            }
        }
        return s.bytes();
    }
}
