package io.simproc.sysfs;

import io.simproc.proc.ProcContext;
import io.simproc.proc.ProcDir;
import io.simproc.proc.ProcEntry;
import io.simproc.proc.ProcFile;
import io.simproc.proc.ProcLink;
import io.simproc.proc.Seq;
import io.simproc.uapi.Errno;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The building blocks of the simulated /sys, as kernfs and sysfs make them (fs/kernfs, fs/sysfs): directories (0755,
 * a kobject each), attributes ({@link ProcFile.Kind#SYSFS}: one value and a newline, rendered at open, stat size
 * PAGE_SIZE) with an optional store, and relative symlinks between kobjects. An attribute whose mode has write bits
 * but no store is a knob of something the simulation does not have: a write fails with EIO and changes nothing.
 */
public final class Sysfs {
    private Sysfs() {
    }

    /** An attribute's store(): applies the written text (NUL-terminated, as kernfs passes it); 0 or a -errno. */
    @FunctionalInterface
    public interface Store {
        int store(ProcContext ctx, String buf);
    }

    /** A directory with fixed entries. */
    public static ProcDir dir(String name, List<ProcEntry> children) {
        List<ProcEntry> copy = List.copyOf(children);
        return new ProcDir(name, 0755, 0, 0, ctx -> copy);
    }

    /**
     * Device paths built one per device (each from /sys/devices down to the device) joined into one tree, as
     * kobjects with a common parent share its directory: entries of one name that are both directories become one
     * directory listing the entries of both; any other clash of names is a bug in the tree.
     */
    public static List<ProcEntry> union(List<ProcEntry> entries) {
        java.util.LinkedHashMap<String, ProcEntry> byName = new java.util.LinkedHashMap<>();
        for (ProcEntry e : entries) {
            ProcEntry prev = byName.get(e.name());
            if (prev == null) {
                byName.put(e.name(), e);
            } else if (prev instanceof ProcDir a && e instanceof ProcDir b && a.lookup() == null && b.lookup() == null) {
                byName.put(e.name(), new ProcDir(a.name(), a.mode(), a.uid(), a.gid(), ctx -> {
                    List<ProcEntry> both = new java.util.ArrayList<>(a.children().apply(ctx));
                    both.addAll(b.children().apply(ctx));
                    return union(both);
                }));
            } else {
                throw new IllegalArgumentException("two sysfs entries named " + e.name());
            }
        }
        return List.copyOf(byName.values());
    }

    /** A read-only attribute (0444). */
    public static ProcFile ro(String name, ProcFile.Renderer show) {
        return attr(name, 0444, show, null);
    }

    /** A read-only attribute holding one number. */
    public static ProcFile value(String name, long v) {
        byte[] bytes = line(Long.toString(v));
        return ro(name, ctx -> bytes);
    }

    /** A read-only attribute holding one fixed line. */
    public static ProcFile text(String name, String v) {
        byte[] bytes = line(v);
        return ro(name, ctx -> bytes);
    }

    /**
     * An attribute with {@code mode}, shown by {@code show} (null for a write-only one) and stored by {@code store}
     * (null when the simulation has nothing behind it).
     */
    public static ProcFile attr(String name, int mode, ProcFile.Renderer show, Store store) {
        ProcFile.Renderer r = show != null ? show : ctx -> new byte[0];
        ProcFile.Writer w = store == null ? null : (ctx, data, offset) -> write(ctx, store, data);
        return new ProcFile(name, mode, 0, 0, r, w, ProcFile.Kind.SYSFS);
    }

    /** A write-only attribute (0200, DEVICE_ATTR_WO). */
    public static ProcFile wo(String name, Store store) {
        return attr(name, 0200, null, store);
    }

    /** A link to another kobject, relative to the directory holding it (sysfs_create_link). */
    public static ProcLink link(String name, String target) {
        return new ProcLink(name, 0, 0, ctx -> target);
    }

    /**
     * sysfs_kf_write(): the written bytes as a NUL-terminated string (kernfs copies them into a buffer of its own),
     * given to the store; the whole write is consumed when it succeeds.
     */
    private static int write(ProcContext ctx, Store store, byte[] data) {
        if (data.length == 0) {
            return 0;
        }
        int n = 0;
        while (n < data.length && data[n] != 0) {
            n++;
        }
        int r = store.store(ctx, new String(data, 0, n, StandardCharsets.ISO_8859_1));
        return r < 0 ? r : data.length;
    }

    /** {@code s} and a newline, as sysfs_emit(buf, "%s\n"). */
    public static byte[] line(String s) {
        return (s + "\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** A Seq's text and a newline. */
    public static byte[] line(Seq s) {
        return s.nl().bytes();
    }

    /** sysfs_streq(): equal, except that either may end with one newline the other lacks. */
    public static boolean streq(String written, String word) {
        String a = written.endsWith("\n") ? written.substring(0, written.length() - 1) : written;
        return a.equals(word);
    }

    /**
     * kstrtoul(s, 10): decimal digits after an optional '+', then at most one newline; -EINVAL for anything else,
     * ERANGE beyond an unsigned long.
     */
    public static Parsed kstrtoul(String s) {
        int i = s.startsWith("+") ? 1 : 0;
        int end = s.endsWith("\n") ? s.length() - 1 : s.length();
        if (i >= end) {
            return new Parsed(0, Errno.EINVAL);
        }
        long v = 0;
        for (; i < end; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return new Parsed(0, Errno.EINVAL);
            }
            int d = c - '0';
            if (Long.compareUnsigned(v, Long.divideUnsigned(-1L - d, 10)) > 0) {
                return new Parsed(0, Errno.ERANGE);
            }
            v = v * 10 + d;
        }
        return new Parsed(v, 0);
    }

    /** A parsed number, or the positive errno of a refusal. */
    public record Parsed(long value, int errno) {
        public boolean ok() {
            return errno == 0;
        }
    }
}
