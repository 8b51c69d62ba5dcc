package io.simproc.proc;

import io.simproc.mm.MemoryManager;
import io.simproc.mm.NodeStatItem;
import io.simproc.mm.NumaStatItem;
import io.simproc.mm.PerCpuPages;
import io.simproc.mm.PgData;
import io.simproc.mm.Zone;
import io.simproc.mm.ZoneStatItem;
import io.simproc.mm.ZoneType;

/**
 * /proc/zoneinfo (mm/vmstat.c zoneinfo_show_print): every zone of every node; the node's stats under its first
 * populated zone; watermarks as the allocator uses them (boost included); the protection (lowmem_reserve) array;
 * and for populated zones the zone stats, NUMA events, per-cpu pagesets and vmstat thresholds.
 */
public final class Zoneinfo implements ProcFile.Renderer {
    @Override
    public byte[] render(ProcContext ctx) {
        MemoryManager mm = ctx.kernel().mm();
        Seq s = new Seq(16384);
        for (PgData pgdat : mm.nodes()) {
            Zone first = pgdat.firstPopulatedZone();
            for (Zone z : pgdat.zones()) {
                s.put("Node ").put(pgdat.nodeId()).put(", zone ").right(z.type().procName(), 8);
                if (z == first) {
                    s.put("\n  per-node stats");
                    for (NodeStatItem item : NodeStatItem.values()) {
                        stat(s, item.procName(), item.shown(pgdat.state(item)));
                    }
                }
                s.put("\n  pages free     ").put(z.freePages());
                s.put("\n        boost    ").put(z.watermarkBoost());
                s.put("\n        min      ").put(z.wmarkPages(Zone.WMARK_MIN));
                s.put("\n        low      ").put(z.wmarkPages(Zone.WMARK_LOW));
                s.put("\n        high     ").put(z.wmarkPages(Zone.WMARK_HIGH));
                s.put("\n        promo    ").put(z.wmarkPages(Zone.WMARK_PROMO));
                s.put("\n        spanned  ").put(z.spannedPages());
                s.put("\n        present  ").put(z.presentPages());
                s.put("\n        managed  ").put(z.managedPages());
                s.put("\n        cma      ").put(z.cmaPages());
                s.put("\n        protection: (").put(z.lowmemReserve(0));
                for (int i = 1; i < ZoneType.MAX_NR_ZONES; i++) {
                    s.put(", ").put(z.lowmemReserve(i));
                }
                s.put(')');
                if (!z.isPopulated()) {
                    s.nl();
                    continue;
                }
                for (ZoneStatItem item : ZoneStatItem.values()) {
                    stat(s, item.procName(), z.state(item));
                }
                for (NumaStatItem item : NumaStatItem.values()) {
                    stat(s, item.procName(), z.numaEvent(item));
                }
                s.put("\n  pagesets");
                for (int cpu = 0; cpu < z.nrCpus(); cpu++) {
                    PerCpuPages pcp = z.pcp(cpu);
                    s.put("\n    cpu: ").put(cpu);
                    s.put("\n              count:    ").put(pcp.count());
                    s.put("\n              high:     ").put(pcp.high());
                    s.put("\n              batch:    ").put(pcp.batch());
                    s.put("\n              high_min: ").put(pcp.highMin());
                    s.put("\n              high_max: ").put(pcp.highMax());
                    s.put("\n  vm stats threshold: ").put(z.statThreshold());
                }
                s.put("\n  node_unreclaimable:  ").put(pgdat.isUnreclaimable() ? 1 : 0);
                s.put("\n  start_pfn:           ").put(z.zoneStartPfn());
                s.nl();
            }
        }
        return s.bytes();
    }

    /** {@code "\n      %-12s %lu"}. */
    private static void stat(Seq s, String name, long value) {
        s.put("\n      ").left(name, 12).put(' ').put(value);
    }
}
