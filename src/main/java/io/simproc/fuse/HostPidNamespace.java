package io.simproc.fuse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a FUSE caller lives in the host's pid namespaces. FUSE reports the calling thread's id as the daemon sees
 * it; a tool started by mount-scripts/simproc-exec runs in a pid namespace of its own (as pid 1, or as the pid of
 * the simulated process it stands for with {@code --cgroup}). The host's /proc/TID/status line {@code NStgid:} lists
 * the thread's process id in every namespace from the daemon's down to the caller's own, so its last field is the
 * pid the caller believes its process has — what /proc/self should lead to, from whichever of its threads it asks.
 */
final class HostPidNamespace {
    private HostPidNamespace() {
    }

    /**
     * The caller's process id in its own pid namespace when that namespace lies below the daemon's, else 0 (same
     * namespace, unknown process, no host /proc).
     */
    static int innermostPid(int hostPid) {
        if (hostPid <= 0) {
            return 0;
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Integer.toString(hostPid), "status"),
                    StandardCharsets.ISO_8859_1)) {
                if (line.startsWith("NStgid:")) {
                    return parseNsPid(line);
                }
            }
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        return 0;
    }

    /** The last pid of an {@code NStgid:} (or {@code NSpid:}) line with more than one level, else 0. */
    static int parseNsPid(String line) {
        String[] f = line.substring(line.indexOf(':') + 1).trim().split("\\s+");
        if (f.length < 2) {
            return 0;
        }
        try {
            return Integer.parseInt(f[f.length - 1]);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
