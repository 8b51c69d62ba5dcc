package io.simproc.proc;

import java.util.function.Function;

/**
 * A proc symlink whose target depends on the reader (like /proc/self). Its mode is 0777 like any symlink, except
 * where procfs sets one (the links of /proc/PID/fd carry the open file's access mode).
 */
public record ProcLink(String name, int mode, int uid, int gid, Function<ProcContext, String> target)
        implements ProcEntry {

    public ProcLink(String name, int uid, int gid, Function<ProcContext, String> target) {
        this(name, 0777, uid, gid, target);
    }
}
