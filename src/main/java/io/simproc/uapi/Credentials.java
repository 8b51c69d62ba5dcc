package io.simproc.uapi;

/**
 * Who is asking: the uid, gid and pid of the process that opened or wrote a file, as FUSE reports them (in the
 * daemon's pid namespace). Root (uid 0) has every capability.
 *
 * @param nsPid the same process's pid in its own, innermost pid namespace when it lives in a namespace below the
 *              daemon's (a tool run by mount-scripts/simproc-exec is pid 1 there), else 0. Filled by the FUSE
 *              binding when it matters (/proc/self); proc maps it onto a simulated task.
 */
public record Credentials(int uid, int gid, int pid, int nsPid) {
    public static final Credentials ROOT = new Credentials(0, 0, 0);

    public Credentials(int uid, int gid, int pid) {
        this(uid, gid, pid, 0);
    }

    public boolean isRoot() {
        return uid == 0;
    }

    /** The same caller, known to be pid {@code innermostPid} in its own pid namespace. */
    public Credentials withNsPid(int innermostPid) {
        return new Credentials(uid, gid, pid, innermostPid);
    }
}
