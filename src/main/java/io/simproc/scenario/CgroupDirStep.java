package io.simproc.scenario;

import io.simproc.config.YamlNode;
import io.simproc.uapi.Credentials;

/**
 * {@code cgroup_mkdir: PATH} and {@code cgroup_rmdir: PATH}: {@code mkdir} (mode 0755) or {@code rmdir} of a cgroup
 * in /sys/fs/cgroup as root, with the errnos of the call (EEXIST, ENOENT for a missing parent, EAGAIN past a
 * cgroup.max.* limit; EBUSY for a populated cgroup or one with children).
 */
final class CgroupDirStep implements Step {
    private final boolean mkdir;
    private final String path;

    private CgroupDirStep(boolean mkdir, String path) {
        this.mkdir = mkdir;
        this.path = path;
    }

    static final class Kind implements StepKind {
        private final boolean mkdir;

        Kind(boolean mkdir) {
            this.mkdir = mkdir;
        }

        @Override
        public String key() {
            return mkdir ? "cgroup_mkdir" : "cgroup_rmdir";
        }

        @Override
        public Step parse(YamlNode value, Names names) {
            YamlNode p = value;
            if (value.isMapping()) {
                value.checkKeys("path");
                p = value.require("path");
            }
            String path = CgroupSteps.path(p);
            if (path.equals("/")) {
                throw p.error(key() + ": the root cgroup always exists; name a cgroup below it");
            }
            return new CgroupDirStep(mkdir, path);
        }
    }

    @Override
    public void run(ScenarioRun run) {
        String p = CgroupSteps.sysPath(run.kernel().cgroups(), path);
        int r = mkdir ? run.sysFs().mkdir(p, 0755, Credentials.ROOT, false) : run.sysFs().rmdir(p, Credentials.ROOT,
                false);
        if (r < 0) {
            throw StepException.errno(describe(), r);
        }
    }

    @Override
    public String describe() {
        return (mkdir ? "cgroup_mkdir " : "cgroup_rmdir ") + path;
    }
}
