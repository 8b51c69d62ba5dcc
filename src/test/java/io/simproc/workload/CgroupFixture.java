package io.simproc.workload;

import io.simproc.kernel.Cgroup;
import io.simproc.kernel.Cgroups;
import io.simproc.kernel.Kernel;
import io.simproc.uapi.Credentials;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Making cgroups in tests, as the writer (inside {@code Kernel.mutate}). */
final class CgroupFixture {
    private CgroupFixture() {
    }

    /**
     * mkdir of the cgroup at absolute {@code path}; on v2 its parent first enables every controller for its
     * children (a v1 hierarchy has its controller everywhere).
     */
    static Cgroup mkdir(Kernel k, String path) {
        Cgroups cg = k.cgroups();
        int slash = path.lastIndexOf('/');
        Cgroup parent = slash == 0 ? cg.root() : cg.lookup(path.substring(0, slash));
        if (cg.onDfl() && parent.subtreeControl() == 0) {
            cg.control().subtreeControlWrite(parent, cg.subsysMask(), 0);
        }
        assertEquals(0, cg.mkdir(parent, path.substring(slash + 1), 0755, Credentials.ROOT), path);
        return cg.lookup(path);
    }
}
