package io.simproc.scenario;

import io.simproc.config.YamlNode;
import io.simproc.kernel.Cgroups;
import io.simproc.proc.ProcEntry;
import io.simproc.proc.ProcFile;
import io.simproc.proc.ProcFs;
import io.simproc.uapi.Credentials;
import io.simproc.uapi.Errno;

import java.nio.charset.StandardCharsets;

/**
 * What the cgroup steps share: a cgroup path of a scenario — absolute, as /proc/PID/cgroup prints it (/demo.slice),
 * or the directory under the hierarchy's mount point (/sys/fs/cgroup/demo.slice; on a v1 machine
 * /sys/fs/cgroup/memory/demo, where /demo names the same group) — and the file operations root does there — mkdir,
 * rmdir, echo VALUE > FILE — through the machine's /sys, so that each has the errno the same operation has on a mount.
 */
final class CgroupSteps {
    /** Where cgroup hierarchies are mounted. */
    private static final String CGROUP_FS = "/sys/fs/cgroup";

    private CgroupSteps() {
    }

    /**
     * The path within the hierarchy of a scenario's cgroup path: itself, or for a path under /sys/fs/cgroup what
     * follows the hierarchy's mount point; null for a directory of /sys/fs/cgroup outside the hierarchy (on a v1
     * machine, anything but memory/), which names no cgroup.
     */
    static String hierarchyPath(Cgroups cgroups, String path) {
        if (!path.equals(CGROUP_FS) && !path.startsWith(CGROUP_FS + "/")) {
            return path;
        }
        String mount = cgroups.mountPoint();
        if (path.equals(mount)) {
            return "/";
        }
        return path.startsWith(mount + "/") ? path.substring(mount.length()) : null;
    }

    /**
     * The directory of a scenario's cgroup path in the machine's /sys (without the leading /sys); a path under
     * /sys/fs/cgroup is that directory whatever it is, so that it fails as it would in a shell (ENOENT, EROFS).
     */
    static String sysPath(Cgroups cgroups, String path) {
        if (path.equals(CGROUP_FS) || path.startsWith(CGROUP_FS + "/")) {
            return path.substring("/sys".length());
        }
        String mount = cgroups.mountPoint().substring("/sys".length());
        return path.equals("/") ? mount : mount + path;
    }

    /** A cgroup path: absolute, without "." or ".." components or a newline. */
    static String path(YamlNode n) {
        String p = n.string();
        if (!p.startsWith("/")) {
            throw n.error("a cgroup path is absolute, as /proc/PID/cgroup shows it (/demo.slice, /) or under"
                    + " /sys/fs/cgroup, got '" + p + "'");
        }
        for (String part : p.split("/")) {
            if (part.equals(".") || part.equals("..") || part.contains("\n")) {
                throw n.error("'" + p + "': name cgroups without '.', '..' or newlines");
            }
        }
        return p.length() > 1 && p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
    }

    /** echo VALUE > FILE of a cgroup, as root: throws the errno a shell would report. */
    static void write(ScenarioRun run, String cgroup, String file, String value, String what) {
        ProcFs fs = run.sysFs();
        ProcEntry e = fs.lookup(sysPath(run.kernel().cgroups(), cgroup) + "/" + file, Credentials.ROOT);
        if (!(e instanceof ProcFile f)) {
            throw StepException.errno(what + ": " + cgroup + (cgroup.endsWith("/") ? "" : "/") + file, -Errno.ENOENT);
        }
        int r = ProcFs.permission(f, Credentials.ROOT, ProcFs.MAY_WRITE);
        if (r == 0) {
            r = fs.write(f, Credentials.ROOT, (value + "\n").getBytes(StandardCharsets.UTF_8), 0);
        }
        if (r < 0) {
            throw StepException.errno(what, r);
        }
    }
}
