package io.simproc.proc;

import io.simproc.kernel.Kernel;
import io.simproc.uapi.Credentials;
import io.simproc.uapi.Errno;

import java.util.List;

/**
 * The proc filesystem's behaviour independent of FUSE: path lookup, the permission rules (ordinary DAC with root's
 * override for /proc files; mode bits binding root too for /proc/sys, as sysctl_perm does), rendering a file
 * under the machine's read lock and applying a write as the machine's single writer. The FUSE binding and the
 * offline commands both go through here.
 */
public final class ProcFs {
    public static final int MAY_READ = 4;
    public static final int MAY_WRITE = 2;

    private final Kernel kernel;
    private final ProcTree tree;

    public ProcFs(Kernel kernel, ProcTree tree) {
        this.kernel = kernel;
        this.tree = tree;
    }

    public Kernel kernel() {
        return kernel;
    }

    /** The entry at an absolute path ("/" is the root), or null. */
    public ProcEntry lookup(String path, Credentials who) {
        ProcContext ctx = new ProcContext(kernel, who);
        return kernel.read(k -> {
            ProcEntry e = tree.root();
            for (String part : path.split("/")) {
                if (part.isEmpty()) {
                    continue;
                }
                if (!(e instanceof ProcDir dir)) {
                    return null;
                }
                e = dir.child(part, ctx);
                if (e == null) {
                    return null;
                }
            }
            return e;
        });
    }

    /** A directory's entries for this reader. */
    public List<ProcEntry> list(ProcDir dir, Credentials who) {
        ProcContext ctx = new ProcContext(kernel, who);
        return kernel.read(k -> dir.children().apply(ctx));
    }

    /** 0 if {@code who} may open the entry for {@code mask} (MAY_READ | MAY_WRITE), else -EACCES. */
    public static int permission(ProcEntry e, Credentials who, int mask) {
        int mode = e.mode();
        boolean sysctl = e instanceof ProcFile f && f.sysctl();
        if (who.isRoot() && !sysctl) {
            return 0;
        }
        int bits;
        if (who.isRoot() || who.uid() == e.uid()) {
            bits = (mode >> 6) & 7;
        } else if (who.gid() == e.gid()) {
            bits = (mode >> 3) & 7;
        } else {
            bits = mode & 7;
        }
        return (bits & mask) == mask ? 0 : -Errno.EACCES;
    }

    /** Where a symlink points for this reader. */
    public String readlink(ProcLink link, Credentials who) {
        ProcContext ctx = new ProcContext(kernel, who);
        return kernel.read(k -> link.target().apply(ctx));
    }

    /** The file's whole content for this reader, rendered against one consistent machine state. */
    public byte[] render(ProcFile f, Credentials who) {
        ProcContext ctx = new ProcContext(kernel, who);
        return kernel.read(k -> f.renderer().render(ctx));
    }

    /**
     * One write(2): bytes consumed or a negative errno. A file without a write handler can still be opened for
     * writing by root (mode bits do not bind root outside /proc/sys); writing it then fails with EIO, as procfs
     * does.
     */
    public int write(ProcFile f, Credentials who, byte[] data, long offset) {
        if (!f.writable()) {
            return -Errno.EIO;
        }
        ProcContext ctx = new ProcContext(kernel, who);
        return kernel.mutate(() -> f.writer().write(ctx, data, offset));
    }
}
