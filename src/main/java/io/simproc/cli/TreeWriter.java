package io.simproc.cli;

import io.simproc.proc.ProcDir;
import io.simproc.proc.ProcEntry;
import io.simproc.proc.ProcException;
import io.simproc.proc.ProcFile;
import io.simproc.proc.ProcFs;
import io.simproc.proc.ProcLink;
import io.simproc.uapi.Credentials;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Writes a static copy of a machine's /proc (or of its /sys) into a directory, as root would read it: every readable
 * file with its content, write-only files and files that cannot be read (ESRCH) empty, symlinks as symlinks (a link
 * that leads nowhere, like a kernel thread's exe, is left out), the kernel's modes and (when run as root) owners.
 * Tools that accept another proc or sys root (smem -S, node_exporter --path.procfs and --path.sysfs,
 * psutil.PROCFS_PATH) can read it.
 */
final class TreeWriter {
    private final ProcFs fs;

    TreeWriter(ProcFs fs) {
        this.fs = fs;
    }

    /** Write the whole tree under {@code target} (which must not exist yet). */
    void write(Path target) throws IOException {
        Files.createDirectories(target);
        List<Runnable> finalModes = new ArrayList<>();
        writeDir((ProcDir) fs.lookup("/", Credentials.ROOT), target, finalModes);
        for (int i = finalModes.size() - 1; i >= 0; i--) {
            finalModes.get(i).run();
        }
    }

    private void writeDir(ProcDir dir, Path at, List<Runnable> finalModes) throws IOException {
        for (ProcEntry e : fs.list(dir, Credentials.ROOT)) {
            Path p = at.resolve(e.name());
            if (e instanceof ProcDir d) {
                Files.createDirectories(p);
                writeDir(d, p, finalModes);
                finalModes.add(() -> setModeAndOwner(p, d));
            } else if (e instanceof ProcLink l) {
                String target = fs.readlink(l, Credentials.ROOT);
                if (target != null) {
                    Files.createSymbolicLink(p, Path.of(target));
                }
            } else if (e instanceof ProcFile f) {
                boolean readable = ProcFs.permission(f, Credentials.ROOT, ProcFs.MAY_READ) == 0;
                Files.write(p, readable ? renderOrEmpty(f) : new byte[0]);
                setModeAndOwner(p, f);
            }
        }
    }

    /** A file's content, or nothing for one that cannot be read (smaps_rollup of a kernel thread: ESRCH). */
    private byte[] renderOrEmpty(ProcFile f) {
        try {
            return fs.render(f, Credentials.ROOT);
        } catch (ProcException e) {
            return new byte[0];
        }
    }

    private static void setModeAndOwner(Path p, ProcEntry e) {
        try {
            Files.setPosixFilePermissions(p, permissions(e.mode()));
            if (e.uid() != 0 && "root".equals(System.getProperty("user.name"))) {
                Files.setAttribute(p, "unix:uid", e.uid());
                Files.setAttribute(p, "unix:gid", e.gid());
            }
        } catch (IOException ex) {
            throw new UserError("cannot set the mode of " + p + ": " + ex.getMessage());
        }
    }

    static Set<PosixFilePermission> permissions(int mode) {
        StringBuilder sb = new StringBuilder();
        String rwx = "rwxrwxrwx";
        for (int i = 0; i < 9; i++) {
            sb.append((mode & (1 << (8 - i))) != 0 ? rwx.charAt(i) : '-');
        }
        return PosixFilePermissions.fromString(sb.toString());
    }
}
