package io.simproc.proc;

import java.util.List;
import java.util.function.Function;

/** A proc directory whose children may depend on the machine's state (pid directories) and on the reader. */
public record ProcDir(String name, int mode, int uid, int gid, Function<ProcContext, List<ProcEntry>> children)
        implements ProcEntry {

    public static ProcDir of(String name, List<ProcEntry> fixed) {
        List<ProcEntry> copy = List.copyOf(fixed);
        return new ProcDir(name, 0555, 0, 0, ctx -> copy);
    }

    /** The child with this name, or null. */
    public ProcEntry child(String childName, ProcContext ctx) {
        for (ProcEntry e : children.apply(ctx)) {
            if (e.name().equals(childName)) {
                return e;
            }
        }
        return null;
    }
}
