package io.simproc.kernel;

import io.simproc.uapi.Credentials;

/**
 * struct cftype (include/linux/cgroup-defs.h): a control file of a cgroup — the core's own (cgroup.*, the pressure
 * files) or a controller's ({@link CgroupSubsys#dflCftypes()}, prefixed with the controller's name). Its mode is
 * cgroup_file_mode()'s: readable by all when it shows something, writable by the owner when it takes writes
 * ({@link #CFTYPE_WORLD_WRITABLE}: by all). The files of a cgroup made by a non-root user belong to that user
 * (cgroup_kn_set_ugid()).
 *
 * @param name  the file name (without the controller prefix)
 * @param flags {@link #CFTYPE_ONLY_ON_ROOT}, {@link #CFTYPE_NOT_ON_ROOT}, {@link #CFTYPE_WORLD_WRITABLE}
 * @param show  seq_show: the file's content (null for a write-only file); a show returning null fails the read with
 *              EINVAL
 * @param write the write handler as the machine's single writer (null for a read-only file)
 */
public record Cftype<S>(String name, int flags, Show<S> show, Write<S> write) {
    public static final int CFTYPE_ONLY_ON_ROOT = 1;
    public static final int CFTYPE_NOT_ON_ROOT = 1 << 1;
    /** The name is not prefixed with the controller's (cgroup_file_name()). */
    public static final int CFTYPE_NO_PREFIX = 1 << 3;
    public static final int CFTYPE_WORLD_WRITABLE = 1 << 4;

    /** seq_show(): the whole content. */
    @FunctionalInterface
    public interface Show<S> {
        String show(S css);
    }

    /**
     * ->write(): {@code buf} is the written text (as kernfs hands it over, NUL-terminated); returns 0 when it was
     * taken, or a negative errno. {@code who} wrote it, being the simulated task {@code current} (null when none).
     */
    @FunctionalInterface
    public interface Write<S> {
        int write(S css, String buf, Credentials who, Task current);
    }

    /** cgroup_file_mode(). */
    public int mode() {
        int mode = show != null ? 0444 : 0;
        if (write != null) {
            mode |= (flags & CFTYPE_WORLD_WRITABLE) != 0 ? 0222 : 0200;
        }
        return mode;
    }

    /** Whether the file exists in {@code cgrp} (cgroup_addrm_files()'s root flags). */
    public boolean existsIn(Cgroup cgrp) {
        boolean root = cgrp.parent() == null;
        return !((flags & CFTYPE_NOT_ON_ROOT) != 0 && root || (flags & CFTYPE_ONLY_ON_ROOT) != 0 && !root);
    }
}
