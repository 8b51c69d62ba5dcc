package io.simproc.proc;

import io.simproc.kernel.Kernel;
import io.simproc.uapi.Credentials;
import io.simproc.uapi.Errno;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;

/**
 * A simulated pseudo filesystem's behaviour independent of FUSE — the machine's /proc, or its /sys: path lookup,
 * the permission rules of each {@link ProcFile.Kind} (ordinary DAC with root's override for /proc files; mode bits
 * binding root too for /proc/sys, as sysctl_perm does; kernfs's extra open check for sysfs), rendering a file
 * under the machine's read lock and applying a write as the machine's single writer. The FUSE binding and the
 * offline commands both go through here; one instance serves one tree.
 */
public final class ProcFs {
    public static final int MAY_READ = 4;
    public static final int MAY_WRITE = 2;
    public static final int MAY_EXEC = 1;

    /**
     * Told of every write(2) that reached a file's write handler, as the machine's writer, with the simulated time
     * it took effect: a checkpoint journal replays them.
     */
    public interface WriteObserver {
        void written(long jiffies, String path, Credentials who, byte[] data, long offset);

        /** A mkdir(2) ({@code mkdir} true, with {@code mode}) or rmdir(2) of {@code path} that reached a directory. */
        default void dirChanged(long jiffies, String path, Credentials who, boolean mkdir, int mode) {
        }
    }

    private final Kernel kernel;
    private final ProcTree tree;
    private volatile WriteObserver writeObserver;

    public ProcFs(Kernel kernel, ProcTree tree) {
        this.kernel = kernel;
        this.tree = tree;
    }

    public Kernel kernel() {
        return kernel;
    }

    /** MAXSYMLINKS: how many links one lookup follows before giving up (ELOOP, here: not found). */
    static final int MAX_LINKS = 40;

    /**
     * The entry at an absolute path ("/" is the root), or null. A symlink inside the path (/self/status) is
     * followed as the VFS would, relative to the directory holding it; one at the end is returned itself (lstat),
     * unless a trailing slash asks for what it points at.
     */
    public ProcEntry lookup(String path, Credentials who) {
        ProcContext ctx = new ProcContext(kernel, who);
        return kernel.read(k -> resolve(path, ctx));
    }

    /** chown(2)'s "leave it as it is" owner or group, (uid_t) -1, as FUSE passes it. */
    private static final long UNCHANGED_ID = 0xffffffffL;

    /**
     * chown(2) of {@code path} to {@code uid} and {@code gid} ((uid_t) -1 or -1: unchanged), after the kernel checked
     * the caller may (default_permissions: CAP_CHOWN, or the owner keeping its uid): 0 when the entry already has that
     * owner and group (what cgcreate does to every file of a group it makes: chown to the caller), -ENOENT when there
     * is no entry, and -EIO for a change of owner, which the simulation does not keep (kernfs_setattr()'s new
     * owner, cgroup delegation by chown; proc_setattr()'s): refused, nothing changes, as for its other unsimulated
     * knobs.
     */
    public int chown(String path, long uid, long gid, Credentials who) {
        ProcEntry e = lookup(path, who);
        if (e == null) {
            return -Errno.ENOENT;
        }
        boolean sameUid = uid == -1 || uid == UNCHANGED_ID || uid == e.uid();
        boolean sameGid = gid == -1 || gid == UNCHANGED_ID || gid == e.gid();
        return sameUid && sameGid ? 0 : -Errno.EIO;
    }

    private ProcEntry resolve(String path, ProcContext ctx) {
        Deque<String> todo = new ArrayDeque<>(Arrays.asList(path.split("/")));
        if (path.endsWith("/")) {
            todo.addLast(".");
        }
        Deque<ProcDir> dirs = new ArrayDeque<>();
        ProcEntry e = tree.root();
        int links = 0;
        while (!todo.isEmpty()) {
            String part = todo.pollFirst();
            if (e instanceof ProcLink link) {
                String target = link.target().apply(ctx);
                if (target == null || target.startsWith("/") || ++links > MAX_LINKS) {
                    return null;
                }
                todo.addFirst(part);
                List<String> hop = Arrays.asList(target.split("/"));
                for (int i = hop.size() - 1; i >= 0; i--) {
                    todo.addFirst(hop.get(i));
                }
                e = dirs.isEmpty() ? tree.root() : dirs.pop();
                continue;
            }
            if (!(e instanceof ProcDir dir)) {
                return null;
            }
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                e = dirs.isEmpty() ? tree.root() : dirs.pop();
                continue;
            }
            ProcEntry next = dir.child(part, ctx);
            if (next == null) {
                return null;
            }
            dirs.push(dir);
            e = next;
        }
        return e;
    }

    /**
     * Run several calls of this class against one machine state: the read lock is held throughout (it is
     * reentrant), so no simulation step — no process exit — falls between, say, the lookup and the rendering of an
     * open(2).
     */
    public <T> T consistently(java.util.function.Supplier<T> calls) {
        return kernel.read(k -> calls.get());
    }

    /** A directory's entries for this reader. */
    public List<ProcEntry> list(ProcDir dir, Credentials who) {
        ProcContext ctx = new ProcContext(kernel, who);
        return kernel.read(k -> dir.children().apply(ctx));
    }

    /**
     * 0 if {@code who} may open the entry for {@code mask} (MAY_READ | MAY_WRITE), else -EACCES: the file's kind
     * decides how root fares ({@link ProcFile.Kind}).
     */
    public static int permission(ProcEntry e, Credentials who, int mask) {
        int mode = e.mode();
        ProcFile.Kind kind = e instanceof ProcFile f ? f.kind() : ProcFile.Kind.PROC;
        if (kind == ProcFile.Kind.SYSFS && ((mask & MAY_READ) != 0 && (mode & 0444) == 0
                || (mask & MAY_WRITE) != 0 && (mode & 0222) == 0)) {
            return -Errno.EACCES;
        }
        if (who.isRoot() && kind != ProcFile.Kind.SYSCTL) {
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

    /** Where a symlink points for this reader, or null when it points nowhere (readlink gives ENOENT). */
    public String readlink(ProcLink link, Credentials who) {
        ProcContext ctx = new ProcContext(kernel, who);
        return kernel.read(k -> link.target().apply(ctx));
    }

    /**
     * The file's whole content for this reader, rendered against one consistent machine state. Throws
     * {@link ProcException} when the file cannot be read (its process is gone, or the reader may not look at it).
     */
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
        return write(null, f, who, data, offset);
    }

    /** {@link #write(ProcFile, Credentials, byte[], long)} of the file at {@code path}, told to the write observer. */
    public int write(String path, ProcFile f, Credentials who, byte[] data, long offset) {
        if (!f.writable()) {
            return -Errno.EIO;
        }
        ProcContext ctx = new ProcContext(kernel, who);
        try {
            return kernel.mutate(() -> {
                WriteObserver o = writeObserver;
                if (o != null && path != null) {
                    o.written(kernel.jiffies(), path, who, data.clone(), offset);
                }
                return f.writer().write(ctx, data, offset);
            });
        } catch (ProcException e) {
            return -e.errno();
        } catch (io.simproc.kernel.KernelPanic stopped) {
            return -Errno.EIO;
        }
    }

    /**
     * mkdir(2) of {@code path} with {@code mode} (the caller's umask applied), as the machine's writer: 0, or
     * -ENOENT (no parent directory), -ENOTDIR, -EEXIST (the name exists: the VFS's check), -EACCES (the caller may
     * not write the parent directory, may_create()), -ENOSYS (a directory that
     * takes no mkdir, as a FUSE filesystem without the operation answers), or the directory's own errno. An
     * {@code observed} one (from outside: FUSE, a journal's replay) is told to the write observer.
     */
    public int mkdir(String path, int mode, Credentials who, boolean observed) {
        return dirOp(path, who, true, mode, observed);
    }

    /**
     * rmdir(2) of {@code path}: 0, or -ENOENT, -ENOTDIR (not a directory), -EBUSY (the root: a mount point), -ENOSYS
     * (a directory whose parent takes no rmdir), or the directory's own errno; {@code observed} as for mkdir.
     */
    public int rmdir(String path, Credentials who, boolean observed) {
        return dirOp(path, who, false, 0, observed);
    }

    private int dirOp(String path, Credentials who, boolean mkdir, int mode, boolean observed) {
        String trimmed = path.endsWith("/") && path.length() > 1 ? path.substring(0, path.length() - 1) : path;
        int slash = trimmed.lastIndexOf('/');
        String name = trimmed.substring(slash + 1);
        if (name.isEmpty()) {
            return mkdir ? -Errno.EEXIST : -Errno.EBUSY;
        }
        String parentPath = slash <= 0 ? "/" : trimmed.substring(0, slash);
        ProcContext ctx = new ProcContext(kernel, who);
        try {
            return kernel.mutate(() -> {
                ProcEntry parent = resolve(parentPath, ctx);
                if (parent == null) {
                    return -Errno.ENOENT;
                }
                if (!(parent instanceof ProcDir dir)) {
                    return -Errno.ENOTDIR;
                }
                if (!mkdir && (name.equals(".") || name.equals(".."))) {
                    return name.equals(".") ? -Errno.EINVAL : -Errno.ENOTEMPTY;
                }
                ProcEntry existing = name.equals(".") || name.equals("..") ? dir : dir.child(name, ctx);
                if (mkdir && existing != null) {
                    return -Errno.EEXIST;
                }
                if (!mkdir && existing == null) {
                    return -Errno.ENOENT;
                }
                if (!mkdir && !(existing instanceof ProcDir)) {
                    return -Errno.ENOTDIR;
                }
                int denied = permission(dir, who, MAY_WRITE | MAY_EXEC);
                if (denied != 0) {
                    return denied;
                }
                if (dir.ops() == null) {
                    return -Errno.ENOSYS;
                }
                WriteObserver o = writeObserver;
                if (o != null && observed) {
                    o.dirChanged(kernel.jiffies(), trimmed, who, mkdir, mode);
                }
                return mkdir ? dir.ops().mkdir(name, mode, ctx) : dir.ops().rmdir(name, ctx);
            });
        } catch (io.simproc.kernel.KernelPanic stopped) {
            return -Errno.EIO;
        }
    }

    /** Tell {@code observer} of every write made through a path from now on. */
    public void setWriteObserver(WriteObserver observer) {
        this.writeObserver = observer;
    }
}
