package io.simproc.sysfs;

import io.simproc.mm.NodeStatItem;
import io.simproc.mm.NumaStatItem;
import io.simproc.mm.PgData;
import io.simproc.mm.Zone;
import io.simproc.mm.ZoneStatItem;
import io.simproc.proc.ProcContext;
import io.simproc.proc.ProcFile;
import io.simproc.proc.Seq;

/**
 * A node's event and state counters (drivers/base/node.c): {@code numastat} (node_read_numastat: the NUMA placement
 * events the allocator's zone_statistics() counts in the node's zones, under their old names) and {@code vmstat}
 * (node_read_vmstat: the zone counters summed over the node's zones, its NUMA events and its node counters, in
 * /proc/vmstat's order and units). Summed over the nodes they are /proc/vmstat's lines of the same names.
 */
final class NodeStat {
    /** node_read_numastat()'s labels, in the order of enum numa_stat_item. */
    private static final String[] NUMASTAT = {"numa_hit", "numa_miss", "numa_foreign", "interleave_hit",
        "local_node", "other_node"};

    private NodeStat() {
    }

    static ProcFile.Renderer numastat(int nid) {
        return ctx -> {
            PgData pgdat = ctx.kernel().mm().node(nid);
            Seq s = new Seq(160);
            for (NumaStatItem item : NumaStatItem.values()) {
                s.put(NUMASTAT[item.ordinal()]).put(' ').put(numaEvents(pgdat, item)).nl();
            }
            return s.bytes();
        };
    }

    static ProcFile.Renderer vmstat(int nid) {
        return (ProcContext ctx) -> {
            PgData pgdat = ctx.kernel().mm().node(nid);
            Seq s = new Seq(2560);
            for (ZoneStatItem item : ZoneStatItem.values()) {
                long n = 0;
                for (Zone z : pgdat.zones()) {
                    n += z.state(item);
                }
                s.put(item.procName()).put(' ').put(n).nl();
            }
            for (NumaStatItem item : NumaStatItem.values()) {
                s.put(item.procName()).put(' ').put(numaEvents(pgdat, item)).nl();
            }
            for (NodeStatItem item : NodeStatItem.values()) {
                s.put(item.procName()).put(' ').put(item.shown(pgdat.state(item))).nl();
            }
            return s.bytes();
        };
    }

    /** sum_zone_numa_event_state(). */
    private static long numaEvents(PgData pgdat, NumaStatItem item) {
        long n = 0;
        for (Zone z : pgdat.zones()) {
            n += z.numaEvent(item);
        }
        return n;
    }
}
