package io.simproc.sysctl;

import io.simproc.kernel.Kernel;
import io.simproc.uapi.Credentials;

/**
 * One /proc/sys entry (struct ctl_table): its path under /proc/sys, mode, and the handler that formats a read
 * and parses a write with the kernel's rules. Reads run under the machine's read lock; writes run as the
 * machine's single writer and return what write(2) returns (bytes consumed or a negative errno).
 */
public abstract class Sysctl {
    private final String path;
    private final int mode;

    protected Sysctl(String path, int mode) {
        this.path = path;
        this.mode = mode;
    }

    /** Path below /proc/sys, e.g. {@code vm/min_free_kbytes}. */
    public String path() {
        return path;
    }

    /** The file's permission bits (0644, 0444, 0200...). */
    public int mode() {
        return mode;
    }

    /** The sysctl(8) name: path with dots. */
    public String name() {
        return path.replace('/', '.');
    }

    /** The file's content; only called when the mode allows reading. */
    public abstract byte[] read(Kernel kernel);

    /** Handle one write(2) at file position {@code pos}; only called when the mode allows writing. */
    public abstract int write(Kernel kernel, byte[] data, long pos, Credentials writer);
}
