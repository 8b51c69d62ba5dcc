package io.simproc.uapi;

/**
 * Who is asking: the uid, gid and pid of the process that opened or wrote a file, as FUSE reports them (in the
 * daemon's pid namespace). Root (uid 0) has every capability.
 */
public record Credentials(int uid, int gid, int pid) {
    public static final Credentials ROOT = new Credentials(0, 0, 0);

    public boolean isRoot() {
        return uid == 0;
    }
}
