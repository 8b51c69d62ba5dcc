package io.simproc.proc;

import java.util.List;
import java.util.function.Function;

/**
 * A proc directory whose children may depend on the machine's state (pid directories) and on the reader. A
 * directory may resolve names it does not list (as /proc resolves thread ids beside the listed process ids): a
 * {@link Lookup}, when present, answers lookups instead of a scan of the listing. A directory with {@link DirOps}
 * takes mkdir(2) and rmdir(2) of its entries (a cgroup's, kernfs_syscall_ops); the others refuse them.
 */
public record ProcDir(String name, int mode, int uid, int gid, Function<ProcContext, List<ProcEntry>> children,
                      Lookup lookup, DirOps ops) implements ProcEntry {

    /** Resolves one name in the directory for a reader (the directory's ->lookup()); null when there is none. */
    @FunctionalInterface
    public interface Lookup {
        ProcEntry find(String name, ProcContext ctx);
    }

    /**
     * mkdir and rmdir of a directory's entries, run as the machine's single writer: 0 or a negative errno. Names are
     * single path components that do not exist (mkdir) or are directories (rmdir) of this directory.
     */
    public interface DirOps {
        int mkdir(String childName, int mode, ProcContext ctx);

        int rmdir(String childName, ProcContext ctx);
    }

    /** A directory whose lookups find exactly what it lists. */
    public ProcDir(String name, int mode, int uid, int gid, Function<ProcContext, List<ProcEntry>> children) {
        this(name, mode, uid, gid, children, null, null);
    }

    /** A directory with a lookup of its own, and no mkdir or rmdir. */
    public ProcDir(String name, int mode, int uid, int gid, Function<ProcContext, List<ProcEntry>> children,
                   Lookup lookup) {
        this(name, mode, uid, gid, children, lookup, null);
    }

    public static ProcDir of(String name, List<ProcEntry> fixed) {
        List<ProcEntry> copy = List.copyOf(fixed);
        return new ProcDir(name, 0555, 0, 0, ctx -> copy);
    }

    /** The child with this name, or null. */
    public ProcEntry child(String childName, ProcContext ctx) {
        if (lookup != null) {
            return lookup.find(childName, ctx);
        }
        for (ProcEntry e : children.apply(ctx)) {
            if (e.name().equals(childName)) {
                return e;
            }
        }
        return null;
    }
}
