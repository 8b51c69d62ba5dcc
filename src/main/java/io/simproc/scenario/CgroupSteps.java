package io.simproc.scenario;

import io.simproc.config.YamlNode;
import io.simproc.proc.ProcEntry;
import io.simproc.proc.ProcFile;
import io.simproc.proc.ProcFs;
import io.simproc.uapi.Credentials;
import io.simproc.uapi.Errno;

import java.nio.charset.StandardCharsets;

/**
 * What the cgroup steps share: a cgroup path of a scenario (absolute, as /proc/PID/cgroup prints it) and the file
 * operations root does in /sys/fs/cgroup — mkdir, rmdir, echo VALUE > FILE — through the machine's /sys, so that
 * each has the errno the same operation has on a mount.
 */
final class CgroupSteps {
    /** Where the hierarchy is in the machine's /sys. */
    static final String MOUNT = "/fs/cgroup";

    private CgroupSteps() {
    }

    /** A cgroup path: absolute, without "." or ".." components or a newline. */
    static String path(YamlNode n) {
        String p = n.string();
        if (!p.startsWith("/")) {
            throw n.error("a cgroup path is absolute, as /proc/PID/cgroup shows it (/demo.slice, /), got '" + p + "'");
        }
        for (String part : p.split("/")) {
            if (part.equals(".") || part.equals("..") || part.contains("\n")) {
                throw n.error("'" + p + "': name cgroups without '.', '..' or newlines");
            }
        }
        return p.length() > 1 && p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
    }

    /** The path of a cgroup directory in the machine's /sys. */
    static String sysPath(String cgroup) {
        return cgroup.equals("/") ? MOUNT : MOUNT + cgroup;
    }

    /** echo VALUE > FILE of a cgroup, as root: throws the errno a shell would report. */
    static void write(ScenarioRun run, String cgroup, String file, String value, String what) {
        ProcFs fs = run.sysFs();
        ProcEntry e = fs.lookup(sysPath(cgroup) + "/" + file, Credentials.ROOT);
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
