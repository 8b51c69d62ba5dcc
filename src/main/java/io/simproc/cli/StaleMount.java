package io.simproc.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Finds out whether a directory is already a FUSE mount point, and recovers one left behind by a daemon that died
 * (a killed daemon leaves the kernel mount in place; every access then fails with "Transport endpoint is not
 * connected" until it is lazily unmounted).
 */
final class StaleMount {
    enum State { NOT_MOUNTED, LIVE, STALE }

    private StaleMount() {
    }

    static State state(Path dir) {
        if (!isFuseMountPoint(dir)) {
            return State.NOT_MOUNTED;
        }
        try {
            Files.readAttributes(dir, BasicFileAttributes.class);
            return State.LIVE;
        } catch (IOException e) {
            return State.STALE;
        }
    }

    static boolean isFuseMountPoint(Path dir) {
        String abs = dir.toAbsolutePath().normalize().toString();
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/self/mounts"), StandardCharsets.UTF_8);
            for (String line : lines) {
                String[] f = line.split(" ");
                if (f.length > 2 && unescape(f[1]).equals(abs) && f[2].startsWith("fuse")) {
                    return true;
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }

    /** /proc/mounts escapes space, tab, newline and backslash as \ooo. */
    static String unescape(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length() && isOctal(s, i + 1)) {
                sb.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    private static boolean isOctal(String s, int from) {
        for (int i = from; i < from + 3; i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '7') {
                return false;
            }
        }
        return true;
    }

    /** fusermount -u -z: detach the mount now, let the kernel drop it when no one uses it. */
    static void lazyUnmount(Path dir) {
        try {
            Process p = new ProcessBuilder("fusermount", "-u", "-z", dir.toAbsolutePath().toString())
                    .redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        } catch (IOException e) {
            throw new UserError("cannot run fusermount to unmount " + dir + ": " + e.getMessage()
                    + " (install the fuse package: mount-scripts/install-deps)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
