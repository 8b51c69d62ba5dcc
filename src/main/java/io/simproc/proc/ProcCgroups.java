package io.simproc.proc;

import io.simproc.kernel.CgroupSubsys;
import io.simproc.kernel.Cgroups;

import java.util.List;

/**
 * /proc/cgroups (kernel/cgroup/cgroup-v1.c: proc_cgroupstats_show()): a header, then per controller that has v1
 * files, in subsystem id order, {@code "%s\t%d\t%d\t%d\n"} of its name, the id of the hierarchy it is bound to (0:
 * the v2 one, cgrp_dfl_root; 1: the v1 memory hierarchy of a legacy machine), that hierarchy's number of cgroups
 * (root->nr_cgrps: the root, every live cgroup and every removed one not freed yet — cgroup_create() increments it,
 * css_free_rwork_fn() decrements it) and whether it is enabled. The controllers are those the machine has. Programs
 * read this file to tell a v2 machine from a v1 one: the JVM's container support and libcgroup (cgroup-tools) do.
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
