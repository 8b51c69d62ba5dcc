package io.simproc.proc;

import io.simproc.kernel.CgroupSubsys;
import io.simproc.kernel.Cgroups;

import java.util.List;

/**
 * /proc/cgroups (kernel/cgroup/cgroup-v1.c: proc_cgroupstats_show()): a header, then per controller the kernel has,
 * in subsystem id order, {@code "%s\t%d\t%d\t%d\n"} of its name, the id of the hierarchy it is bound to, that
 * hierarchy's number of cgroups and whether it is enabled. The controllers the simulation has are those of
 * {@link Cgroups} (the memory controller, whose v1 files the modelled kernel builds, so cgroup1_subsys_absent() does
 * not hide it); they are all bound to the cgroup v2 hierarchy, cgrp_dfl_root, whose id is 0 and whose nr_cgrps
 * counts the root, every live cgroup and every removed one not freed yet (cgroup_create() increments it,
 * css_free_rwork_fn() decrements it). Programs read this file to tell a v2 machine from a v1 one: the JVM's container
 * support and libcgroup (cgroup-tools) both do.
 */
final class CgroupStats implements ProcFile.Renderer {
    @Override
    public byte[] render(ProcContext ctx) {
        Cgroups cgroups = ctx.kernel().cgroups();
        int nrCgrps = cgroups.preOrder(cgroups.root()).size() + cgroups.dying().size();
        Seq s = new Seq(256).put("#subsys_name\thierarchy\tnum_cgroups\tenabled").nl();
        List<CgroupSubsys<?>> subsystems = cgroups.subsystems();
        for (CgroupSubsys<?> ss : subsystems) {
            if (ss != null) {
                s.put(ss.name()).put('\t').put(0).put('\t').put(nrCgrps).put('\t').put(1).nl();
            }
        }
        return s.bytes();
    }
}
