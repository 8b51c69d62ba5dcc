package io.simproc.proc;

/**
 * A regular proc file. Its content is rendered whole at open (under the machine's read lock) and every read of
 * that handle is served from the snapshot. A file with a {@link Writer} accepts writes, each run as the machine's
 * single writer.
 *
 * @param sysctl  /proc/sys semantics: mode bits bind root too (sysctl_perm), and a read at a non-zero offset is
 *                end of file
 */
public record ProcFile(String name, int mode, int uid, int gid, Renderer renderer, Writer writer, boolean sysctl)
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

    public static ProcFile readOnly(String name, int mode, Renderer renderer) {
        return new ProcFile(name, mode, 0, 0, renderer, null, false);
    }

    public boolean writable() {
        return writer != null;
    }
}
