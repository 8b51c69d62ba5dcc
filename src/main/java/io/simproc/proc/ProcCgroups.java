package io.simproc.proc;

import io.simproc.kernel.CgroupSubsys;
import io.simproc.kernel.Cgroups;

import java.util.List;

/**
 * /proc/cgroups (kernel/cgroup/cgroup-v1.c: proc_cgroupstats_show()): a header, then per controller that has v1
 * files its name, the id of the hierarchy it is bound to (0: the v2 one), the number of cgroups in that hierarchy
 * (root->nr_cgrps: live and dying) and whether it is enabled. The controllers are those the machine has.
 */
final class ProcCgroups implements ProcFile.Renderer {
    @Override
    public byte[] render(ProcContext ctx) {
        Cgroups cgroups = ctx.kernel().cgroups();
        Seq s = new Seq(128).put("#subsys_name\thierarchy\tnum_cgroups\tenabled").nl();
        List<CgroupSubsys<?>> subsys = cgroups.subsystems();
        for (CgroupSubsys<?> ss : subsys) {
            if (ss != null && !ss.legacyCftypes().isEmpty()) {
                s.put(ss.name()).put('\t').put(cgroups.hierarchyId()).put('\t').put(cgroups.nrCgrps()).put("\t1").nl();
            }
        }
        return s.bytes();
    }
}
