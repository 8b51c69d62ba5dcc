package io.simproc.workload;

import io.simproc.kernel.Cgroup;
import io.simproc.kernel.Cgroups;
import io.simproc.kernel.Kernel;
import io.simproc.kernel.Task;
import io.simproc.uapi.Credentials;

/**
 * How systemd lays out the cgroup v2 hierarchy for the units it starts (src/core/cgroup.c): a unit's cgroup is made
 * under its slices (mkdir -p as root, directories 0755), and every slice on the way — the root, -.slice's place,
 * included — enables for its children each controller the machine has (with the default accounting settings,
 * DefaultMemoryAccounting=yes, every unit wants the memory controller), while the units themselves, which hold the
 * processes, enable nothing (the no-internal-process rule). Then the process moves in (cgroup_attach_task()).
 */
final class SystemdCgroups {
    private SystemdCgroups() {
    }

    /** Put process {@code t} into the unit cgroup at {@code path}, made as systemd makes it. */
    static void place(Kernel kernel, Task t, String path) {
        Cgroups cgroups = kernel.cgroups();
        Cgroup cgrp = cgroups.root();
        for (String name : path.substring(1).split("/")) {
            enableAll(cgroups, cgrp);
            Cgroup child = cgrp.child(name);
            if (child == null) {
                check(cgroups.mkdir(cgrp, name, 0755, Credentials.ROOT), "mkdir " + path);
                child = cgrp.child(name);
            }
            cgrp = child;
        }
        check(kernel.processes().setCgroup(t, cgrp), "moving pid " + t.pid() + " to " + path);
    }

    private static void enableAll(Cgroups cgroups, Cgroup cgrp) {
        int missing = cgroups.subsysMask() & ~cgrp.subtreeControl();
        if (missing != 0) {
            check(cgroups.control().subtreeControlWrite(cgrp, missing, 0), "enabling controllers in " + cgrp);
        }
    }

    private static void check(int err, String what) {
        if (err != 0) {
            throw new IllegalStateException("systemd: " + what + " failed: " + io.simproc.uapi.Errno.name(-err));
        }
    }
}
