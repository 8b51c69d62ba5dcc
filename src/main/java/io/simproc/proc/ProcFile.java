package io.simproc.proc;

/**
 * A regular file of a simulated pseudo filesystem (/proc or /sys). Its content is rendered whole at open (under the
 * machine's read lock) and every read of that handle is served from the snapshot. A file with a {@link Writer}
 * accepts writes, each run as the machine's single writer.
 *
 * @param kind which filesystem's rules the file follows: permission checks, reads at an offset, its size in stat
 */
public record ProcFile(String name, int mode, int uid, int gid, Renderer renderer, Writer writer, Kind kind)
        implements ProcEntry {

    /** Produces the file's bytes; must not change machine state. */
    @FunctionalInterface
    public interface Renderer {
        byte[] render(ProcContext ctx);
    }

    /** Handles one write(2) at a file offset; returns bytes consumed or a negative errno. */
    @FunctionalInterface
    public interface Writer {
        int write(ProcContext ctx, byte[] data, long offset);
    }

    /** The filesystem whose rules a file follows. */
    public enum Kind {
        /** A procfs file: root passes every permission check; stat reports size 0. */
        PROC,
        /**
         * A /proc/sys file: mode bits bind root too (sysctl_perm), and a read at a non-zero offset is end of file;
         * stat reports size 0.
         */
        SYSCTL,
        /**
         * A sysfs attribute (fs/kernfs): root passes the mode bits, but an open for reading needs a read bit and
         * one for writing a write bit in some class, for root too (KERNFS_ROOT_EXTRA_OPEN_PERM_CHECK in
         * kernfs_fop_open); stat reports size PAGE_SIZE, the buffer a show() fills.
         */
        SYSFS
    }

    /** A procfs ({@code sysctl} false) or /proc/sys file. */
    public ProcFile(String name, int mode, int uid, int gid, Renderer renderer, Writer writer, boolean sysctl) {
        this(name, mode, uid, gid, renderer, writer, sysctl ? Kind.SYSCTL : Kind.PROC);
    }

    public static ProcFile readOnly(String name, int mode, Renderer renderer) {
        return new ProcFile(name, mode, 0, 0, renderer, null, Kind.PROC);
    }

    public boolean writable() {
        return writer != null;
    }

    /** /proc/sys semantics: mode bits bind root too, and a read at a non-zero offset is end of file. */
    public boolean sysctl() {
        return kind == Kind.SYSCTL;
    }

    /** st_size: 0 for proc files, PAGE_SIZE for sysfs attributes (sysfs_add_file_mode_ns). */
    public long statSize() {
        return kind == Kind.SYSFS ? io.simproc.uapi.Page.PAGE_SIZE : 0;
    }
}
