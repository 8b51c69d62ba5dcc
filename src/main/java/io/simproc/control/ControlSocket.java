package io.simproc.control;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Set;

/**
 * Where the control socket of the daemon serving a mount point lives: {@code $SIMPROC_STATE_DIR/ctl} (default
 * {@code /tmp/simproc-UID/ctl}, the state directory of mount-scripts), a directory only its owner may enter (0700),
 * and in it one socket per mount point, named after the mount point's base name and a hash of its absolute path
 * (UNIX socket paths are limited to 107 bytes).
 */
public final class ControlSocket {
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");

    private ControlSocket() {
    }

    /** The socket of the daemon serving {@code mountPoint}. */
    public static Path of(Path mountPoint) {
        String abs = mountPoint.toAbsolutePath().normalize().toString();
        String base = mountPoint.toAbsolutePath().normalize().getFileName() == null ? "root"
                : mountPoint.toAbsolutePath().normalize().getFileName().toString().replaceAll("[^A-Za-z0-9._-]", "_");
        if (base.length() > 24) {
            base = base.substring(0, 24);
        }
        return directory().resolve(base + "-" + hash(abs) + ".sock");
    }

    /** The directory holding the sockets. */
    public static Path directory() {
        String state = System.getenv("SIMPROC_STATE_DIR");
        Path dir = state != null && !state.isEmpty() ? Path.of(state) : Path.of("/tmp/simproc-" + uid());
        return dir.resolve("ctl");
    }

    /** Create the directory (0700) or check that an existing one is ours and closed to others. */
    static void prepareDirectory(Path dir) throws IOException {
        Files.createDirectories(dir.getParent());
        if (!Files.isDirectory(dir)) {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        }
        int owner = (Integer) Files.getAttribute(dir, "unix:uid");
        if (owner != uid()) {
            throw new IOException(dir + " belongs to uid " + owner + ", not to this user; remove it");
        }
        Files.setPosixFilePermissions(dir, OWNER_ONLY);
    }

    /** This process's user id (the owner of /proc/self). */
    static int uid() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException e) {
            throw new IllegalStateException("cannot find out this process's uid from /proc/self", e);
        }
    }

    private static String hash(String s) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
