package io.simproc.proc;

import java.util.function.Function;

/** A proc symlink whose target depends on the reader (like /proc/self). */
public record ProcLink(String name, int uid, int gid, Function<ProcContext, String> target) implements ProcEntry {
    @Override
    public int mode() {
        return 0777;
    }
}
