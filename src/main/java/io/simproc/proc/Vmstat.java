package io.simproc.proc;

import io.simproc.mm.MemoryManager;
import io.simproc.mm.NodeStatItem;
import io.simproc.mm.NumaStatItem;
import io.simproc.mm.ShowMem;
import io.simproc.mm.VmEvent;
import io.simproc.mm.ZoneStatItem;

/**
 * /proc/vmstat (mm/vmstat.c vmstat_start/vmstat_show): zone counters summed over zones, NUMA events, node counters
 * summed over nodes, the dirty thresholds and memmap sizes computed at read time, the event counters, and the
 * fixed {@code nr_unstable 0} line. One {@code "name value"} per line, in the kernel's order.
 */
public final class Vmstat implements ProcFile.Renderer {
    @Override
    public byte[] render(ProcContext ctx) {
        MemoryManager mm = ctx.kernel().mm();
        Seq s = new Seq(6144);
        for (ZoneStatItem item : ZoneStatItem.values()) {
            line(s, item.procName(), mm.vmstat().globalZoneState(item));
        }
        for (NumaStatItem item : NumaStatItem.values()) {
            line(s, item.procName(), mm.vmstat().globalNumaEvent(item));
        }
        for (NodeStatItem item : NodeStatItem.values()) {
            line(s, item.procName(), item.shown(mm.vmstat().globalNodeState(item)));
        }
        long[] dirty = ShowMem.globalDirtyLimits(mm);
        line(s, "nr_dirty_threshold", dirty[0]);
        line(s, "nr_dirty_background_threshold", dirty[1]);
        line(s, "nr_memmap_pages", 0);
        line(s, "nr_memmap_boot_pages", mm.vmstat().nrMemmapBootPages());
        boolean cma = mm.config().cma();
        for (VmEvent e : VmEvent.values()) {
            if (e.needsCma() && !cma) {
                continue;
            }
            line(s, e.procName(), mm.vmstat().event(e));
        }
        line(s, "nr_unstable", 0);
        return s.bytes();
    }

    private static void line(Seq s, String name, long value) {
        s.put(name).put(' ').put(value).nl();
    }
}
