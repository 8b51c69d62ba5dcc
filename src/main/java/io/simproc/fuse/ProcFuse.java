package io.simproc.fuse;

import io.simproc.proc.ProcDir;
import io.simproc.proc.ProcEntry;
import io.simproc.proc.ProcException;
import io.simproc.proc.ProcFile;
import io.simproc.proc.ProcFs;
import io.simproc.proc.ProcLink;
import io.simproc.uapi.Credentials;
import io.simproc.uapi.Errno;
import jnr.ffi.Pointer;
import jnr.ffi.types.gid_t;
import jnr.ffi.types.mode_t;
import jnr.ffi.types.off_t;
import jnr.ffi.types.size_t;
import jnr.ffi.types.uid_t;
import ru.serce.jnrfuse.FuseFillDir;
import ru.serce.jnrfuse.FuseStubFS;
import ru.serce.jnrfuse.struct.FileStat;
import ru.serce.jnrfuse.struct.FuseFileInfo;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;
import java.util.function.IntUnaryOperator;
import java.util.function.Supplier;

/**
 * The jnr-fuse binding of a {@link ProcFs} — the machine's /proc or its /sys, one instance per mount — and nothing
 * else: path → entry, snapshot bytes → read buffer, errno →
 * negative int. A file is rendered whole at open() and reads of that handle are served from the snapshot, so
 * readers with small buffers never see a torn line; as with seq_file, reading again from offset 0 (what procps
 * does with lseek to refresh an open file) renders anew. release() drops the snapshot. Every callback is guarded:
 * no exception reaches native code; a file that cannot be read ({@link ProcException}: a process that died, a
 * reader without ptrace access) answers with its errno, anything unexpected becomes EIO with one log line.
 * For /self and /thread-self the caller's pid in its own pid namespace is looked up in the host's /proc
 * ({@link HostPidNamespace}), so that a tool run by simproc-exec finds itself in the simulated machine.
 */
public final class ProcFuse extends FuseStubFS {
    private static final int O_ACCMODE = 3;
    private static final int O_WRONLY = 1;
    private static final int O_RDWR = 2;
    private static final jnr.ffi.Runtime RUNTIME = jnr.ffi.Runtime.getSystemRuntime();
    /** The bytes of a struct stat, which readdir passes each entry's type in. */
    private static final int DIRENT_STAT_BYTES = jnr.ffi.Struct.size(new FileStat(RUNTIME));

    /** An open file: its path, what was opened, by whom, and the bytes of its latest rendering. */
    static final class Handle {
        final String path;
        final ProcFile file;
        final Credentials who;
        private byte[] snapshot;
        private boolean read;

        Handle(String path, ProcFile file, Credentials who, byte[] snapshot) {
            this.path = path;
            this.file = file;
            this.who = who;
            this.snapshot = snapshot;
        }

        /** The bytes to serve a read at {@code offset}: a read from 0 after earlier reads renders again. */
        synchronized byte[] forRead(long offset, ProcFs fs) {
            if (offset == 0 && read) {
                snapshot = fs.render(file, who);
            }
            read = true;
            return snapshot;
        }
    }

    private final ProcFs fs;
    private final ErrorLog log;
    private final ConcurrentHashMap<Long, Handle> handles = new ConcurrentHashMap<>();
    private final AtomicLong nextFh = new AtomicLong(1);
    private final Supplier<Credentials> caller;
    private final IntUnaryOperator nsPidOf;

    /** Where unexpected failures are reported, one line each. */
    @FunctionalInterface
    public interface ErrorLog {
        void error(String line);
    }

    public ProcFuse(ProcFs fs, ErrorLog log) {
        this(fs, log, null, HostPidNamespace::innermostPid);
    }

    /** For driving the binding without a mount: the caller's identity comes from {@code caller}. */
    ProcFuse(ProcFs fs, ErrorLog log, Supplier<Credentials> caller) {
        this(fs, log, caller, pid -> 0);
    }

    /**
     * For driving the binding without a mount: the caller's identity comes from {@code caller} and its pid in its
     * own pid namespace from {@code nsPidOf} (given the pid FUSE reports; 0 when not in a nested namespace).
     */
    ProcFuse(ProcFs fs, ErrorLog log, Supplier<Credentials> caller, IntUnaryOperator nsPidOf) {
        this.fs = fs;
        this.log = log;
        this.caller = caller != null ? caller : this::contextCredentials;
        this.nsPidOf = nsPidOf;
    }

    private Credentials contextCredentials() {
        var ctx = getContext();
        return new Credentials((int) ctx.uid.get(), (int) ctx.gid.get(), (int) ctx.pid.get());
    }

    /**
     * Who is calling for this path. Paths under /self and /thread-self, and cgroup.procs and cgroup.threads (where
     * writing 0 moves the writer), also need the caller's pid in its own pid namespace (what the simulated machine
     * should take it for), which costs a read of the host's /proc/PID/status, so only they get it.
     */
    private Credentials callerFor(String path) {
        Credentials who = caller.get();
        if (who.nsPid() == 0 && (isUnder(path, "/self") || isUnder(path, "/thread-self")
                || path.endsWith("/cgroup.procs") || path.endsWith("/cgroup.threads"))) {
            int ns = nsPidOf.applyAsInt(who.pid());
            if (ns > 0) {
                return who.withNsPid(ns);
            }
        }
        return who;
    }

    private static boolean isUnder(String path, String top) {
        return path.equals(top) || path.startsWith(top + "/");
    }

    private int guard(String op, String path, IntSupplier body) {
        try {
            return body.getAsInt();
        } catch (ProcException e) {
            return -e.errno();
        } catch (Throwable t) {
            log.error("simproc: " + op + " " + path + " failed: " + t);
            return -Errno.EIO;
        }
    }

    @Override
    public int getattr(String path, FileStat stat) {
        return guard("getattr", path, () -> {
            ProcEntry e = fs.lookup(path, callerFor(path));
            if (e == null) {
                e = openFileAt(path);
            }
            if (e == null) {
                return -Errno.ENOENT;
            }
            fillStat(e, stat);
            return 0;
        });
    }

    /**
     * A file at {@code path} that is open, or null. fstat(2) of an open /proc/PID file works on Linux after the
     * process is gone (the open file keeps its inode); FUSE sends that fstat as a getattr by path once the kernel's
     * attribute cache has expired, so a path that no longer resolves but is still open gets the open file's
     * attributes. (A stat by path in that window succeeds too, as it does from the kernel's cache.)
     */
    private ProcFile openFileAt(String path) {
        for (Handle h : handles.values()) {
            if (h.path.equals(path)) {
                return h.file;
            }
        }
        return null;
    }

    /**
     * fstat(2) of an open file when the kernel names the handle: the attributes of the file that was opened, even
     * when its process has gone since. Without a handle, as getattr.
     */
    @Override
    public int fgetattr(String path, FileStat stat, FuseFileInfo fi) {
        Handle h = handles.get(fi.fh.get());
        if (h == null) {
            return getattr(path, stat);
        }
        return guard("fgetattr", path, () -> {
            fillStat(h.file, stat);
            return 0;
        });
    }

    /** The S_IFMT bits of an entry: a directory, a symbolic link or a regular file. */
    private static int fileType(ProcEntry e) {
        if (e instanceof ProcDir) {
            return FileStat.S_IFDIR;
        }
        return e instanceof ProcLink ? FileStat.S_IFLNK : FileStat.S_IFREG;
    }

    private void fillStat(ProcEntry e, FileStat stat) {
        stat.st_mode.set(fileType(e) | e.mode());
        stat.st_nlink.set(e instanceof ProcDir ? 2 : 1);
        stat.st_uid.set(e.uid());
        stat.st_gid.set(e.gid());
        stat.st_size.set(e instanceof ProcFile f ? f.statSize() : 0);
        long btime = fs.kernel().bootEpoch();
        stat.st_atim.tv_sec.set(btime);
        stat.st_mtim.tv_sec.set(btime);
        stat.st_ctim.tv_sec.set(btime);
    }

    /**
     * readdir(3): ".", "..", then the directory's entries, each with its type (d_type: DT_DIR, DT_LNK, DT_REG, as
     * procfs and kernfs give it; libfuse takes it from the stat's S_IFMT bits), which clients use without a stat:
     * libcgroup's cgget -g reads only a cgroup directory's DT_REG entries.
     */
    @Override
    public int readdir(String path, Pointer buf, FuseFillDir filler, @off_t long offset, FuseFileInfo fi) {
        return guard("readdir", path, () -> {
            Credentials who = callerFor(path);
            ProcEntry e = fs.lookup(path, who);
            if (e == null) {
                return -Errno.ENOENT;
            }
            if (!(e instanceof ProcDir dir)) {
                return -Errno.ENOTDIR;
            }
            FileStat type = FileStat.of(jnr.ffi.Memory.allocateDirect(RUNTIME, DIRENT_STAT_BYTES));
            type.st_mode.set(FileStat.S_IFDIR);
            filler.apply(buf, ".", type, 0);
            filler.apply(buf, "..", type, 0);
            List<ProcEntry> children = fs.list(dir, who);
            for (ProcEntry c : children) {
                type.st_mode.set(fileType(c));
                filler.apply(buf, c.name(), type, 0);
            }
            return 0;
        });
    }

    @Override
    public int readlink(String path, Pointer buf, @size_t long size) {
        return guard("readlink", path, () -> {
            Credentials who = callerFor(path);
            ProcEntry e = fs.lookup(path, who);
            if (e == null) {
                return -Errno.ENOENT;
            }
            if (!(e instanceof ProcLink link)) {
                return -Errno.EINVAL;
            }
            String to = fs.readlink(link, who);
            if (to == null) {
                return -Errno.ENOENT;
            }
            byte[] target = to.getBytes(StandardCharsets.UTF_8);
            int n = (int) Math.min(target.length, size - 1);
            buf.put(0, target, 0, n);
            buf.putByte(n, (byte) 0);
            return 0;
        });
    }

    @Override
    public int open(String path, FuseFileInfo fi) {
        return guard("open", path, () -> {
            Credentials who = callerFor(path);
            return fs.consistently(() -> openFile(path, who, fi));
        });
    }

    /**
     * Lookup, permission and rendering against one machine state, so that a process that dies during an open is
     * either found and rendered or not found (ENOENT), as a pid directory that is gone.
     */
    private int openFile(String path, Credentials who, FuseFileInfo fi) {
        ProcEntry e = fs.lookup(path, who);
        if (e == null) {
            return -Errno.ENOENT;
        }
        if (!(e instanceof ProcFile file)) {
            return -Errno.EISDIR;
        }
        int access = fi.flags.get() & O_ACCMODE;
        boolean wantRead = access != O_WRONLY;
        boolean wantWrite = access == O_WRONLY || access == O_RDWR;
        int mask = (wantRead ? ProcFs.MAY_READ : 0) | (wantWrite ? ProcFs.MAY_WRITE : 0);
        int denied = ProcFs.permission(file, who, mask);
        if (denied != 0) {
            return denied;
        }
        byte[] snapshot = wantRead ? fs.render(file, who) : new byte[0];
        long fh = nextFh.getAndIncrement();
        handles.put(fh, new Handle(path, file, who, snapshot));
        fi.fh.set(fh);
        return 0;
    }

    @Override
    public int read(String path, Pointer buf, @size_t long size, @off_t long offset, FuseFileInfo fi) {
        return guard("read", path, () -> {
            Handle h = handles.get(fi.fh.get());
            if (h == null) {
                return -Errno.EBADF;
            }
            if (h.file.sysctl() && offset > 0) {
                return 0;
            }
            byte[] data = h.forRead(offset, fs);
            if (offset >= data.length) {
                return 0;
            }
            int n = (int) Math.min(size, data.length - offset);
            buf.put(0, data, (int) offset, n);
            return n;
        });
    }

    @Override
    public int write(String path, Pointer buf, @size_t long size, @off_t long offset, FuseFileInfo fi) {
        return guard("write", path, () -> {
            Handle h = handles.get(fi.fh.get());
            if (h == null) {
                return -Errno.EBADF;
            }
            byte[] data = new byte[(int) size];
            buf.get(0, data, 0, data.length);
            return fs.write(path, h.file, h.who, data, offset);
        });
    }

    /**
     * mkdir(2): a directory that takes it (a cgroup's, in the sys tree) makes the child; elsewhere ENOSYS, what FUSE
     * answered before the filesystem had the operation. The kernel has checked the caller may write the parent
     * (default_permissions) and that the name is new.
     */
    @Override
    public int mkdir(String path, @mode_t long mode) {
        return guard("mkdir", path, () -> fs.mkdir(path, (int) mode & 07777, callerFor(path), true));
    }

    /** rmdir(2): a cgroup's directory goes (cgroup_rmdir()); elsewhere ENOSYS, as before. */
    @Override
    public int rmdir(String path) {
        return guard("rmdir", path, () -> fs.rmdir(path, callerFor(path), true));
    }

    /** chown(2): to the owner an entry has, a no-op (cgcreate chowns every file it makes); a change: EIO. */
    @Override
    public int chown(String path, @uid_t long uid, @gid_t long gid) {
        return guard("chown", path, () -> fs.chown(path, uid, gid, callerFor(path)));
    }

    /**
     * A shell's {@code echo 60 > file} opens with O_TRUNC, which FUSE sends as a truncate before the open: proc
     * files have no size, so it is accepted and ignored (permission to write was already checked by the kernel).
     */
    @Override
    public int truncate(String path, @off_t long size) {
        return guard("truncate", path, () -> {
            ProcEntry e = fs.lookup(path, callerFor(path));
            if (e == null) {
                return -Errno.ENOENT;
            }
            return e instanceof ProcFile ? 0 : -Errno.EISDIR;
        });
    }

    @Override
    public int release(String path, FuseFileInfo fi) {
        return guard("release", path, () -> {
            handles.remove(fi.fh.get());
            return 0;
        });
    }

    /**
     * Mount at {@code dir} with {@code options} (-o pairs, as for fuse_main) and serve requests on threads of this
     * JVM ({@link FuseLoop}) until the filesystem is unmounted. Returns false when the mount failed.
     */
    public boolean serve(Path dir, String[] options) {
        Mounted m = mount(dir, options);
        if (m == null) {
            return false;
        }
        m.serve();
        return true;
    }

    /**
     * Mount at {@code dir} with {@code options} and return at once, or null when the mount failed (libfuse printed
     * why); {@link Mounted#serve()} then serves it. A daemon mounts its second tree this way before serving both.
     */
    public Mounted mount(Path dir, String[] options) {
        FuseLoop.Session session = FuseLoop.mount(fuseOperations, "simproc", dir, options);
        if (session == null) {
            return null;
        }
        return () -> {
            session.serve();
            java.lang.ref.Reference.reachabilityFence(this);
        };
    }

    /** A mounted filesystem not served yet. */
    public interface Mounted {
        /** Serve requests until the filesystem is unmounted, then release the session. */
        void serve();
    }

    /** Open handles right now (their snapshots are held until release). */
    int openHandles() {
        return handles.size();
    }
}
