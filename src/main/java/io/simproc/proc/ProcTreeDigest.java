package io.simproc.proc;

import io.simproc.uapi.Credentials;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A SHA-256 over whole trees as root reads them (every entry's path, mode and owner, every readable file's
 * content, every link's target) — a machine's /proc, and its /sys after it — taken under one read lock so that no
 * simulation step falls inside it. Two machines with the same digest serve byte-identical files.
 */
public final class ProcTreeDigest {
    private final ProcFs fs;
    private final ProcFs sys;

    public ProcTreeDigest(ProcFs fs) {
        this(fs, null);
    }

    /** The digest of a machine's /proc ({@code fs}) and /sys ({@code sys}, of the same machine). */
    public ProcTreeDigest(ProcFs fs, ProcFs sys) {
        this.fs = fs;
        this.sys = sys;
    }

    /** The digest as 64 lowercase hex digits. */
    public String digest() {
        return fs.kernel().read(k -> {
            MessageDigest md = sha256();
            walk(fs, (ProcDir) fs.lookup("/", Credentials.ROOT), "", md);
            if (sys != null) {
                add(md, "/sys");
                walk(sys, (ProcDir) sys.lookup("/", Credentials.ROOT), "", md);
            }
            return HexFormat.of().formatHex(md.digest());
        });
    }

    private static void walk(ProcFs fs, ProcDir dir, String at, MessageDigest md) {
        for (ProcEntry e : fs.list(dir, Credentials.ROOT)) {
            String path = at + "/" + e.name();
            add(md, path + " " + Integer.toOctalString(e.mode()) + " " + e.uid() + ":" + e.gid());
            if (e instanceof ProcDir d) {
                walk(fs, d, path, md);
            } else if (e instanceof ProcLink l) {
                add(md, "-> " + fs.readlink(l, Credentials.ROOT));
            } else if (e instanceof ProcFile f && ProcFs.permission(f, Credentials.ROOT, ProcFs.MAY_READ) == 0) {
                byte[] content;
                try {
                    content = fs.render(f, Credentials.ROOT);
                } catch (ProcException ex) {
                    content = ("errno " + ex.errno()).getBytes(StandardCharsets.US_ASCII);
                }
                md.update(content);
                md.update((byte) 0);
            }
        }
    }

    private static void add(MessageDigest md, String s) {
        md.update(s.getBytes(StandardCharsets.UTF_8));
        md.update((byte) 0);
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-256", e);
        }
    }
}
