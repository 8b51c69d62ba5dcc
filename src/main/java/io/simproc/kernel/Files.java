package io.simproc.kernel;

import io.simproc.mm.Gfp;
import io.simproc.mm.slab.KmemCache;
import io.simproc.uapi.Errno;

import java.util.Map;
import java.util.TreeMap;

/**
 * Open files (fs/file_table.c, fs/file.c): every struct file is an object of the filp slab cache, so the number of
 * files the kernel has allocated (get_nr_files(), the first field of /proc/sys/fs/file-nr) is what that cache has
 * live — the files of the boot's own users and those the simulated processes open. A process's descriptors are its
 * {@link FdTable} (files_struct): threads share it, fork duplicates it (the files themselves are shared, dup_fd),
 * exec keeps it, and the process's exit closes every descriptor, freeing a file with its last reference (fput).
 * alloc_empty_file() refuses an unprivileged open once nr_files reached max_files (ENFILE).
 */
public final class Files {
    public static final int O_RDONLY = 0;
    public static final int O_WRONLY = 1;
    public static final int O_RDWR = 2;
    public static final int O_ACCMODE = 3;
    public static final int O_APPEND = 02000;
    public static final int O_LARGEFILE = 0100000;
    /** NR_FILE of include/linux/fs.h: the least max_files. */
    static final long NR_FILE = 8192;

    /** A struct file: what was opened, how, and the filp object it is. */
    public static final class OpenFile {
        private final String path;
        private final int flags;
        private final long filp;
        private int refs = 1;

        OpenFile(String path, int flags, long filp) {
            this.path = path;
            this.flags = flags;
            this.filp = filp;
        }

        /** d_path() of the file: what readlink of its /proc/PID/fd entry gives. */
        public String path() {
            return path;
        }

        /** The open flags (O_ACCMODE bits, O_APPEND, O_LARGEFILE). */
        public int flags() {
            return flags;
        }

        public boolean readable() {
            return (flags & O_ACCMODE) != O_WRONLY;
        }

        public boolean writable() {
            return (flags & O_ACCMODE) != O_RDONLY;
        }
    }

    /** files_struct: descriptor numbers to open files, lowest free number first as alloc_fd() gives them. */
    public static final class FdTable {
        private final TreeMap<Integer, OpenFile> fds = new TreeMap<>();

        /** The open descriptors in number order. */
        public Map<Integer, OpenFile> fds() {
            return java.util.Collections.unmodifiableMap(fds);
        }

        int lowestFree() {
            int fd = 0;
            while (fds.containsKey(fd)) {
                fd++;
            }
            return fd;
        }
    }

    private final Kernel kernel;
    private final KmemCache filp;
    private long maxFiles;

    Files(Kernel kernel) {
        this.kernel = kernel;
        this.filp = kernel.mm().slab().kernelCaches().filp;
        this.maxFiles = filesMaxfilesInit(kernel.mm().vmstat().totalramPages(), kernel.mm().vmstat().globalZoneState(io.simproc.mm.ZoneStatItem.NR_FREE_PAGES));
    }

    /**
     * files_maxfiles_init(): about 10% of memory in KiB of files, less half again of what the kernel had used by
     * then, and never fewer than NR_FILE.
     */
    static long filesMaxfilesInit(long nrPages, long freePages) {
        long memreserve = Math.min((nrPages - freePages) * 3 / 2, nrPages - 1);
        long n = (nrPages - memreserve) * (io.simproc.uapi.Page.PAGE_SIZE / 1024) / 10;
        return Math.max(n, NR_FILE);
    }

    /** files_stat.max_files (/proc/sys/fs/file-max). */
    public long maxFiles() {
        return maxFiles;
    }

    public void setMaxFiles(long value) {
        assert kernel.isWriter();
        this.maxFiles = value;
    }

    /** get_nr_files(): the struct files allocated. */
    public long nrFiles() {
        return filp.liveObjects();
    }

    /**
     * open(2) of {@code path} by t: a new file in the lowest free descriptor. Returns the descriptor, -ENFILE when
     * an unprivileged task meets max_files, or -ENOMEM when the filp cache has no memory.
     */
    public int open(Task t, String path, int flags) {
        assert kernel.isWriter();
        FdTable table = t.files();
        if (table == null) {
            throw new IllegalStateException("pid " + t.pid() + " has no file table");
        }
        if (nrFiles() >= maxFiles && t.uid() != 0) {
            return -Errno.ENFILE;
        }
        long obj = kernel.chargingTo(t,
                () -> kernel.mm().slab().kmemCacheAlloc(filp, Gfp.GFP_KERNEL, t.cpu()));
        if (obj == 0) {
            return -Errno.ENOMEM;
        }
        int fd = table.lowestFree();
        table.fds.put(fd, new OpenFile(path, flags | O_LARGEFILE, obj));
        return fd;
    }

    /** dup2(oldfd, newfd) within t's table: newfd (closed first if open) refers to the same file. */
    public int dup2(Task t, int oldfd, int newfd) {
        assert kernel.isWriter();
        FdTable table = t.files();
        OpenFile f = table.fds.get(oldfd);
        if (f == null) {
            return -Errno.EBADF;
        }
        if (oldfd == newfd) {
            return newfd;
        }
        close(t, newfd);
        f.refs++;
        table.fds.put(newfd, f);
        return newfd;
    }

    /** close(2): the descriptor goes; the file with its last reference. */
    public int close(Task t, int fd) {
        assert kernel.isWriter();
        OpenFile f = t.files().fds.remove(fd);
        if (f == null) {
            return -Errno.EBADF;
        }
        fput(f, t.cpu());
        return 0;
    }

    /** dup_fd() for fork: a new table naming the same files. */
    FdTable dupFd(FdTable parent) {
        FdTable child = new FdTable();
        for (Map.Entry<Integer, OpenFile> e : parent.fds.entrySet()) {
            e.getValue().refs++;
            child.fds.put(e.getKey(), e.getValue());
        }
        return child;
    }

    /** put_files_struct() at a process's exit: every descriptor closed. */
    void closeAll(FdTable table, int cpu) {
        for (OpenFile f : table.fds.values()) {
            fput(f, cpu);
        }
        table.fds.clear();
    }

    private void fput(OpenFile f, int cpu) {
        if (--f.refs == 0) {
            kernel.mm().slab().kmemCacheFree(filp, f.filp, cpu);
        }
    }

    /** Every file's references are the descriptors naming it: the invariant of the tables the tasks hold. */
    void check(java.util.List<String> errors) {
        Map<OpenFile, Integer> named = new java.util.IdentityHashMap<>();
        java.util.Set<FdTable> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (Task t : kernel.tasks().all()) {
            if (t.files() != null && seen.add(t.files())) {
                for (OpenFile f : t.files().fds.values()) {
                    named.merge(f, 1, Integer::sum);
                }
            }
        }
        for (Map.Entry<OpenFile, Integer> e : named.entrySet()) {
            if (e.getKey().refs != e.getValue()) {
                errors.add("file " + e.getKey().path + ": " + e.getKey().refs + " references but "
                        + e.getValue() + " descriptors");
            }
        }
    }
}
